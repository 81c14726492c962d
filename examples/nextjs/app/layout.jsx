export const metadata = { title: "Nearcast + hls.js (Next.js)" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
