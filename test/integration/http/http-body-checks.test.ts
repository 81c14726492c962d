// HTTP bodies are held to what their response promises (Content-Length, Content-Range, the byte range
// asked for), and a body that promised nothing is confirmed or refuted by a Range request at its end.
// Real HTTP on loopback; a constructed Response only where HTTP/1.1 framing cannot produce the case.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CopyToConfirm } from "../../../sdk/src/core/copy-confirmation.js";
import { HttpBodyError, HttpError } from "../../../sdk/src/core/errors.js";
import { StatsCollector } from "../../../sdk/src/core/stats.js";
import type { HttpPolicy, LoadOptions } from "../../../sdk/src/core/types.js";
import { httpFetch, isRetryableHttpError } from "../../../sdk/src/http/http-fetcher.js";
import { tailCheck } from "../../../sdk/src/http/tail-check.js";

const body = new Uint8Array(100_000).map((_, i) => (i * 7) % 251);
const noRetry: HttpPolicy = { firstByteTimeoutMs: 2000, totalTimeoutMs: 5000, retry: null };
let server: Server;
let base: string;
/** Range headers the server saw, per path. */
const ranges = new Map<string, (string | undefined)[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    ranges.set(path, [...(ranges.get(path) ?? []), req.headers.range]);
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    // A chunked body with no length that ends cleanly after half the resource (p2p-media-loader #522).
    if (path === "/chunked-truncated" && !range) {
      res.writeHead(200, { "content-type": "video/mp2t" });
      res.end(body.subarray(0, body.length / 2));
      return;
    }
    // Promises every byte in Content-Length, sends half, then closes the connection.
    if (path === "/short") {
      res.writeHead(200, { "content-length": String(body.length) });
      res.write(body.subarray(0, body.length / 2), () => res.socket?.destroy());
      return;
    }
    // A 206 for another range than the one asked for.
    if (path === "/wrong-range") {
      res.writeHead(206, { "content-range": `bytes 0-999/${body.length}`, "content-length": "1000" });
      res.end(body.subarray(0, 1000));
      return;
    }
    if (range && path !== "/ignores-range") {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
        return;
      }
      const end = Math.min(range[2] ? Number(range[2]) + 1 : body.length, body.length);
      res.writeHead(206, {
        "content-range": `bytes ${start}-${end - 1}/${body.length}`,
        "content-length": String(end - start),
      });
      res.end(body.subarray(start, end));
      return;
    }
    // /chunked (whole, no length) and /ignores-range (no Range support, no length).
    res.writeHead(200, { "content-type": "video/mp2t" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("httpFetch holds a body to its response's promise", () => {
  it("a body that breaks off short of its Content-Length fails with the response's status, so players retry it", async () => {
    const error = await failure(httpFetch(`${base}/short`, { policy: noRetry }));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(200);
    expect(isRetryableHttpError(error)).toBe(true);
  });

  it("a body longer than its Content-Length is refused before the extra bytes are handed on", async () => {
    const handed: number[] = [];
    const fetchImpl = (async () =>
      new Response(body, { status: 200, headers: { "content-length": "1000" } })) as typeof fetch;
    const error = await failure(
      httpFetch(`${base}/long`, { policy: noRetry, fetchImpl, onChunk: (_c, loaded) => handed.push(loaded) }),
    );
    expect(error).toBeInstanceOf(HttpBodyError);
    expect((error as HttpBodyError).reason).toBe("length-mismatch");
    expect(handed.every((loaded) => loaded <= 1000)).toBe(true);
  });

  it("a Content-Range other than the range asked for is refused", async () => {
    const error = await failure(
      httpFetch(`${base}/wrong-range`, { policy: noRetry, range: { start: 5000, end: 6000 } }),
    );
    expect(error).toBeInstanceOf(HttpBodyError);
    expect((error as HttpBodyError).reason).toBe("range-mismatch");
  });

  it("a server that ignores Range and sends less than the byte range is refused as short", async () => {
    const error = await failure(
      httpFetch(`${base}/ignores-range`, { policy: noRetry, range: { start: 99_000, end: 101_000 } }),
    );
    expect(error).toBeInstanceOf(HttpBodyError);
    expect((error as HttpBodyError).reason).toBe("length-mismatch");
  });

  it("ignores a Content-Length that counts encoded bytes (a Content-Encoding other than identity)", async () => {
    const fetchImpl = (async () =>
      new Response(body, {
        status: 200,
        headers: { "content-length": "1000", "content-encoding": "gzip" },
      })) as typeof fetch;
    const result = await httpFetch(`${base}/gzip`, { policy: noRetry, fetchImpl });
    expect(result).toMatchObject({ length: body.length, lengthEvidence: "none" });
  });

  it("says what vouched for the length: the byte range, Content-Range, or nothing", async () => {
    const ranged = await httpFetch(`${base}/seg`, { policy: noRetry, range: { start: 10, end: 20 } });
    expect(ranged.lengthEvidence).toBe("byte-range");
    const resumed = await httpFetch(`${base}/seg`, { policy: noRetry, range: { start: 1000 } });
    expect(resumed).toMatchObject({
      lengthEvidence: "content-range",
      resourceLength: body.length,
      status: 206,
    });
    const chunked = await httpFetch(`${base}/chunked`, { policy: noRetry });
    expect(chunked).toMatchObject({ lengthEvidence: "none", length: body.length, status: 200 });
  });
});

describe("tailCheck: a body with no stated length is confirmed or refuted at its end", () => {
  const stats = new StatsCollector();
  const confirm = tailCheck({
    config: { httpHeaders: {}, httpCredentials: "same-origin", httpRequestSetup: undefined },
    stats,
  });
  const options: LoadOptions = { http: noRetry };
  const copyOf = (path: string, data: Uint8Array): CopyToConfirm => ({
    request: {
      id: path,
      swarmKey: "s|v",
      url: `${base}${path}`,
      startTimeSec: 0,
      durationSec: 2,
      live: false,
    },
    data,
    httpBytes: data.byteLength,
    p2pBytes: 0,
    length: "none",
    httpStatus: 200,
  });

  it("a chunked body that is the whole resource is confirmed with one Range request of two bytes", async () => {
    const { data } = await httpFetch(`${base}/chunked`, { policy: noRetry });
    expect(await confirm(copyOf("/chunked", data), options)).toEqual({ confirmed: true, by: "tail-check" });
    expect(ranges.get("/chunked")?.at(-1)).toBe(`bytes=${body.length - 1}-${body.length}`);
  });

  it("a chunked body that ended cleanly but short is refuted: the origin has bytes after its end", async () => {
    const { data, lengthEvidence } = await httpFetch(`${base}/chunked-truncated`, { policy: noRetry });
    expect({ length: data.byteLength, lengthEvidence }).toEqual({
      length: body.length / 2,
      lengthEvidence: "none",
    });
    const verdict = await confirm(copyOf("/chunked-truncated", data), options);
    expect(verdict).toMatchObject({ confirmed: false, reason: "tail-check" });
  });

  it("refutes a copy longer than the resource (416) or ending with another byte", async () => {
    const longer = new Uint8Array(body.length + 10);
    expect(await confirm(copyOf("/chunked", longer), options)).toMatchObject({ confirmed: false });
    const otherLast = body.slice();
    otherLast[otherLast.length - 1] = (otherLast.at(-1) ?? 0) ^ 0xff;
    expect(await confirm(copyOf("/chunked", otherLast), options)).toMatchObject({ confirmed: false });
  });

  it("against a server that ignores Range, reads at most one byte past the copy to judge it", async () => {
    expect(await confirm(copyOf("/ignores-range", body), options)).toMatchObject({ confirmed: true });
    const half = body.subarray(0, body.length / 2);
    expect(await confirm(copyOf("/ignores-range", half), options)).toMatchObject({ confirmed: false });
  });

  it("has nothing to say of a copy whose length was stated, or when the probe itself fails", async () => {
    expect(await confirm({ ...copyOf("/chunked", body), length: "content-length" }, options)).toBeUndefined();
    const unreachable = {
      ...copyOf("/chunked", body),
      request: { ...copyOf("/x", body).request, url: "http://127.0.0.1:1/x" },
    };
    expect(await confirm(unreachable, options)).toBeUndefined();
  });
});
