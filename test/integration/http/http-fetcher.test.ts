import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortError, HttpError, TimeoutError } from "../../../sdk/src/core/errors.js";
import { httpFetch } from "../../../sdk/src/http/http-fetcher.js";
import type { HttpPolicy } from "../../../sdk/src/core/types.js";

const body = new Uint8Array(200_000).map((_, i) => i % 251);
const noRetry: HttpPolicy = { firstByteTimeoutMs: 2000, totalTimeoutMs: 5000, retry: null };
let server: Server;
let base: string;
const failuresLeft = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (path === "/flaky") {
      const left = failuresLeft.get("flaky") ?? 0;
      if (left > 0) {
        failuresLeft.set("flaky", left - 1);
        res.writeHead(503).end("try later");
        return;
      }
    }
    if (path === "/missing") return void res.writeHead(404).end("no");
    if (path === "/silent") return; // never answers
    if (path === "/drip") {
      res.writeHead(200, { "content-length": String(body.length) });
      res.write(body.subarray(0, 1000));
      return; // never finishes
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    if (range && path !== "/norange") {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) + 1 : body.length;
      res.writeHead(206, {
        "content-range": `bytes ${start}-${end - 1}/${body.length}`,
        "content-length": String(end - start),
      });
      res.end(body.subarray(start, end));
      return;
    }
    res.writeHead(200, { "content-length": String(body.length) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("httpFetch over real HTTP", () => {
  it("fetches a whole resource with progress and ordered timings", async () => {
    const progress: number[] = [];
    const result = await httpFetch(`${base}/seg`, {
      policy: noRetry,
      onChunk: (_c, loaded) => progress.push(loaded),
    });
    expect(result.data).toEqual(body);
    expect(result.bytesReceived).toBe(body.length);
    expect(progress.at(-1)).toBe(body.length);
    const { requestStartMs, firstByteMs, endMs } = result.timing;
    expect(requestStartMs).toBeLessThanOrEqual(firstByteMs);
    expect(firstByteMs).toBeLessThanOrEqual(endMs);
  });

  it("fetches a byte range (end exclusive)", async () => {
    const result = await httpFetch(`${base}/seg`, { policy: noRetry, range: { start: 1000, end: 3000 } });
    expect(result.data).toEqual(body.subarray(1000, 3000));
  });

  it("trims the body itself when the server ignores Range", async () => {
    const result = await httpFetch(`${base}/norange`, { policy: noRetry, range: { start: 150_000 } });
    expect(result.data).toEqual(body.subarray(150_000));
  });

  it("retries 5xx with backoff when the policy allows, and counts the retries", async () => {
    failuresLeft.set("flaky", 2);
    const result = await httpFetch(`${base}/flaky`, {
      policy: { ...noRetry, retry: { maxRetries: 3, retryDelayMs: 10, maxRetryDelayMs: 40 } },
    });
    expect(result.retries).toBe(2);
    expect(result.data.byteLength).toBe(body.length);
  });

  it("does not retry 4xx and reports the status", async () => {
    const error = await httpFetch(`${base}/missing`, {
      policy: { ...noRetry, retry: { maxRetries: 3, retryDelayMs: 10, maxRetryDelayMs: 10 } },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(404);
  });

  it("times out waiting for the first byte", async () => {
    const error = await httpFetch(`${base}/silent`, {
      policy: { ...noRetry, firstByteTimeoutMs: 200 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("first-byte");
  });

  it("times out a transfer that stops halfway", async () => {
    const error = await httpFetch(`${base}/drip`, { policy: { ...noRetry, totalTimeoutMs: 300 } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("total");
  });

  it("stops when aborted and says so", async () => {
    const controller = new AbortController();
    const pending = httpFetch(`${base}/drip`, { policy: noRetry, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it("reports a network failure as status 0", async () => {
    const error = await httpFetch("http://127.0.0.1:1/none", { policy: noRetry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(0);
  });
});
