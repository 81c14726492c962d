// The request chain over real HTTP: the page's headers/credentials, hls.js's xhrSetup/fetchSetup and
// Nearcast's httpRequestSetup all shape every try, and Nearcast keeps the Range header its own.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FragmentLoaderContext } from "hls.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeConfig } from "../../../sdk/src/core/config.js";
import { ConfigError } from "../../../sdk/src/core/errors.js";
import type { HttpPolicy, SegmentRequest } from "../../../sdk/src/core/types.js";
import { httpFetch } from "../../../sdk/src/http/http-fetcher.js";
import { RequestSetupError } from "../../../sdk/src/core/errors.js";
import { requestPreparer } from "../../../sdk/src/http/request-setup.js";
import { hlsRequestSetup } from "../../../sdk/src/hlsjs/hls-request-setup.js";

const body = new Uint8Array(50_000).map((_, i) => i % 253);
const policy: HttpPolicy = {
  firstByteTimeoutMs: 2000,
  totalTimeoutMs: 5000,
  retry: { maxRetries: 2, retryDelayMs: 10, maxRetryDelayMs: 20 },
};
let server: Server;
let base: string;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let failNext = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    if (failNext > 0) {
      failNext--;
      return void res.writeHead(503).end();
    }
    if (req.headers.authorization !== "Bearer good") return void res.writeHead(401).end();
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    res.writeHead(range ? 206 : 200, { "content-length": String(body.length - start) });
    res.end(body.subarray(start));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const segment = (): SegmentRequest => ({
  id: "7",
  swarmKey: "s|v1",
  url: `${base}/seg-7.ts`,
  startTimeSec: 14,
  durationSec: 2,
  live: false,
});
const hlsContext = () => ({ url: `${base}/seg-7.ts`, frag: { sn: 7 } }) as unknown as FragmentLoaderContext;

describe("request customisation over real HTTP", () => {
  it("applies config headers, then hls.js xhrSetup, then httpRequestSetup, on each retry and resume", async () => {
    seen.length = 0;
    failNext = 1;
    const contexts: { attempt: number; start?: number }[] = [];
    const config = mergeConfig({
      httpHeaders: { "X-Site": "a", Authorization: "Bearer stale" },
      httpRequestSetup: (request, context) => {
        contexts.push({ attempt: context.attempt, start: context.range?.start });
        request.url = `${request.url}?sig=${context.attempt}`;
        request.headers["Range"] = "bytes=0-1"; // ignored: the range is Nearcast's
      },
    });
    const player = hlsRequestSetup(
      {
        xhrSetup: (xhr) => xhr.setRequestHeader("Authorization", "Bearer good"),
        fetchSetup: undefined,
        loader: undefined as never,
      },
      hlsContext(),
    );
    const result = await httpFetch(segment().url, {
      range: { start: 1000 },
      policy,
      prepare: requestPreparer(segment(), config, player),
    });
    expect(result.length).toBe(body.length - 1000);
    expect(result.retries).toBe(1);
    expect(seen.map((s) => s.url)).toEqual(["/seg-7.ts?sig=0", "/seg-7.ts?sig=1"]);
    for (const s of seen) {
      expect(s.headers["x-site"]).toBe("a");
      expect(s.headers.authorization).toBe("Bearer good");
      expect(s.headers.range).toBe("bytes=1000-");
    }
    expect(contexts).toEqual([
      { attempt: 0, start: 1000 },
      { attempt: 1, start: 1000 },
    ]);
  });

  it("uses hls.js fetchSetup when that is what the page configured", async () => {
    seen.length = 0;
    const player = hlsRequestSetup(
      {
        fetchSetup: (context, init: RequestInit) => {
          const headers = new Headers(init.headers);
          headers.set("Authorization", "Bearer good");
          return new Request(`${context.url}?via=fetchSetup`, { ...init, headers });
        },
        xhrSetup: undefined,
        loader: undefined as never,
      },
      hlsContext(),
    );
    const result = await httpFetch(segment().url, {
      policy,
      prepare: requestPreparer(segment(), mergeConfig({}), player),
    });
    expect(result.length).toBe(body.length);
    expect(seen[0]?.url).toBe("/seg-7.ts?via=fetchSetup");
  });

  it("a hook that throws fails the load with its message, without retries", async () => {
    seen.length = 0;
    const config = mergeConfig({
      httpRequestSetup: () => {
        throw new Error("token service down");
      },
    });
    const load = httpFetch(segment().url, { policy, prepare: requestPreparer(segment(), config, undefined) });
    await expect(load).rejects.toThrow(RequestSetupError);
    await expect(load).rejects.toThrow(/token service down/);
    expect(seen).toEqual([]);
  });

  it("a hook that returns garbage is a clear error", async () => {
    const config = mergeConfig({
      httpRequestSetup: () => ({ url: "", headers: {}, credentials: "include" }),
    });
    const load = httpFetch(segment().url, { policy, prepare: requestPreparer(segment(), config, undefined) });
    await expect(load).rejects.toThrow(/httpRequestSetup returned no url/);
  });

  it("rejects impossible request options at construction", () => {
    expect(() => mergeConfig({ httpHeaders: { "Bad Name": "x" } })).toThrow(ConfigError);
    expect(() => mergeConfig({ httpHeaders: { A: "x\r\nInjected: 1" } })).toThrow(ConfigError);
    expect(() => mergeConfig({ httpHeaders: "Authorization: x" as never })).toThrow(ConfigError);
    expect(() => mergeConfig({ httpCredentials: "always" as never })).toThrow(ConfigError);
    expect(() => mergeConfig({ httpRequestSetup: "f" as never })).toThrow(ConfigError);
  });
});
