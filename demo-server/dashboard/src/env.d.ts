// esbuild bundles imported stylesheets into dist/dashboard.css; TypeScript only needs to know they exist.
declare module "*.css";
