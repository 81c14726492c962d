// A tiny static file server for the bench pages (bench/pages/), on its own loopback port: the pages
// then load media cross-origin from the demo server, which answers with CORS headers.
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(root: string): Promise<StaticServer> {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      const file = path.resolve(base, `.${pathname === "/" ? "/index.html" : pathname}`);
      if (!file.startsWith(base + path.sep) || req.method !== "GET") {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(file);
        res
          .writeHead(200, {
            "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream",
            "Cache-Control": "no-store",
          })
          .end(body);
      } catch {
        res.writeHead(404).end();
      }
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
