// A loopback CDN that refuses what a protected production CDN refuses: every GET must carry the
// credential of its mode, or it is answered 401 and counted. CORS is answered as a real CDN
// configured for one page origin would (credentials allowed, Authorization and Range headers allowed).
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { REPO_ROOT } from "../../../demo-server/src/config.js";

/**
 * - `bearer`: `Authorization: Bearer <secret>`.
 * - `cookie`: a `cdn_session=<secret>` cookie (the page must send credentials cross-origin).
 * - `query`: `?token=<secret>` in the URL (a signed-URL CDN).
 */
export type CdnAuthMode = "bearer" | "cookie" | "query";

export interface CdnRequestRecord {
  path: string;
  range: string | undefined;
  authorized: boolean;
  status: number;
}

export interface CredentialedCdn {
  /** e.g. `http://localhost:4321`: the manifest is `${origin}/demo/240p/index.m3u8`. */
  readonly origin: string;
  readonly manifestUrl: string;
  readonly requests: CdnRequestRecord[];
  /** GETs answered 401. */
  unauthorized(): number;
  /**
   * Segment GETs for the rest of a segment from an offset after byte 0 (`bytes=N-`): resumes of a
   * transfer peers began.
   */
  resumes(): CdnRequestRecord[];
  /** Segment GETs for a closed range (`bytes=a-b`): the trust ladder's spot checks. */
  spotChecks(): CdnRequestRecord[];
  /** Which mode the CDN enforces now. */
  mode: CdnAuthMode;
  close(): Promise<void>;
}

const MEDIA_DIR = path.join(REPO_ROOT, "demo-server", "media", "demo");

/** Starts the CDN on 127.0.0.1, port 0, addressed as `http://${hostName}:port`. */
export async function startCredentialedCdn(options: {
  mode: CdnAuthMode;
  secret: string;
  /** The one page origin CORS allows, e.g. `http://127.0.0.1:5555`. */
  pageOrigin: string;
  /** @default "localhost" (so a page on 127.0.0.1 is on another site, not just another origin) */
  hostName?: string;
}): Promise<CredentialedCdn> {
  const requests: CdnRequestRecord[] = [];
  const state = { mode: options.mode };
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://cdn");
    const allowOrigin = req.headers.origin === options.pageOrigin ? options.pageOrigin : undefined;
    const cors: Record<string, string> = allowOrigin
      ? {
          "access-control-allow-origin": allowOrigin,
          "access-control-allow-credentials": "true",
          "access-control-expose-headers": "content-length, content-range",
          vary: "Origin",
        }
      : {};
    if (req.method === "OPTIONS") {
      // Preflights never carry credentials (Fetch standard): answering them is not a leak.
      res.writeHead(204, {
        ...cors,
        "access-control-allow-methods": "GET",
        "access-control-allow-headers": "authorization, range",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    const authorized = isAuthorized(req, url, state.mode, options.secret);
    const record: CdnRequestRecord = { path: url.pathname, range: req.headers.range, authorized, status: 0 };
    requests.push(record);
    if (!authorized) {
      record.status = 401;
      res.writeHead(401, cors).end("unauthorized");
      return;
    }
    const match = /^\/demo\/240p\/([\w.-]+)$/.exec(url.pathname);
    const body = match
      ? await readFile(path.join(MEDIA_DIR, "240p", match[1] ?? "")).catch(() => undefined)
      : undefined;
    if (!body) {
      record.status = 404;
      res.writeHead(404, cors).end();
      return;
    }
    const type = url.pathname.endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t";
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]) + 1, body.length) : body.length;
      record.status = 206;
      res.writeHead(206, {
        ...cors,
        "content-type": type,
        "content-range": `bytes ${start}-${end - 1}/${body.length}`,
        "content-length": String(end - start),
      });
      res.end(body.subarray(start, end));
      return;
    }
    record.status = 200;
    res.writeHead(200, { ...cors, "content-type": type, "content-length": String(body.length) });
    res.end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://${options.hostName ?? "localhost"}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    manifestUrl: `${origin}/demo/240p/index.m3u8`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: CdnAuthMode) {
      state.mode = mode;
    },
    unauthorized: () => requests.filter((r) => r.status === 401).length,
    resumes: () => requests.filter((r) => r.path.endsWith(".ts") && /^bytes=[1-9]\d*-$/.test(r.range ?? "")),
    spotChecks: () => requests.filter((r) => r.path.endsWith(".ts") && /^bytes=\d+-\d+$/.test(r.range ?? "")),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function isAuthorized(req: IncomingMessage, url: URL, mode: CdnAuthMode, secret: string): boolean {
  switch (mode) {
    case "bearer":
      return req.headers.authorization === `Bearer ${secret}`;
    case "cookie":
      return (req.headers.cookie ?? "").split(/;\s*/).includes(`cdn_session=${secret}`);
    case "query":
      return url.searchParams.get("token") === secret;
  }
}
