// A server component: it imports the SDK on the server (Node) to render its version. That import
// touches no browser global; the player itself lives in a client component.
import { VERSION } from "nearcast";
import { Player } from "./player.jsx";

export const dynamic = "force-dynamic";

export default function Page() {
  return (
    <main>
      <h1>Nearcast {VERSION} + hls.js, Next.js app router</h1>
      <Player />
    </main>
  );
}
