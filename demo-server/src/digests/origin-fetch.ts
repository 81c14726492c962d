// The digest service's only way out to the network: GET with connect/first-byte and total deadlines,
// redirects re-checked hop by hop, the address guard on every connection, operator headers for their
// own origin only, and body checks strict enough that a digest is only ever of bytes that were
// completely and verifiably received (Content-Length, Content-Range, the playlist's byte range).
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { DigestUnavailableReason } from "nearcast";
import { ADDRESS_REFUSED, type AddressGuard } from "./address-guard.js";
import { ChunkHasher } from "./chunk-hasher.js";
import type { DigestCounters } from "./digest-metrics.js";
import { parseHttpUrl, type Range } from "./url-binding.js";

export type FetchFailureReason = DigestUnavailableReason | "address_not_allowed";

export interface FetchFailure {
  ok: false;
  reason: FetchFailureReason;
  /** The origin's status, for `origin_status`. */
  httpStatus?: number;
  /** Bytes read from the origin before giving up. */
  transferred: number;
}

export interface HashedBody {
  ok: true;
  sha256: string;
  /** Bytes hashed: the segment, or its byte range. */
  bytes: number;
  /** The chunk digests (the wire's `chunkBytes` and base64 `chunks`), for a segment not too long. */
  chunks?: { chunkBytes: number; sha256: string };
  /** Bytes read from the origin (more than `bytes` when a server ignored the Range header). */
  transferred: number;
}

export interface TextBody {
  ok: true;
  text: string;
  /** The URL after redirects: relative URIs in the text resolve against it. */
  url: URL;
  transferred: number;
}

export interface OriginFetchOptions {
  guard: AddressGuard;
  /** Operator headers for a normalised origin (`https://cdn.example`), if any. */
  headersFor: (origin: string) => Readonly<Record<string, string>> | undefined;
  firstByteTimeoutMs: number;
  fetchTimeoutMs: number;
  maxRedirects: number;
  /** Aborts every request when the service closes. */
  signal: AbortSignal;
  /** Where requests and bytes read are counted, by kind. */
  counters: Pick<DigestCounters, "originRequests" | "originBytes">;
}

/** Keep-alive agents of their own, so closing the service closes its sockets and nobody else's. */
export class OriginClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly options: OriginFetchOptions) {}

  /** A playlist's text (status 200, at most `maxBytes`). */
  async text(url: URL, maxBytes: number, kind: "playlist" | "manifest"): Promise<TextBody | FetchFailure> {
    return this.request(kind, url, undefined, async (res, finalUrl, counter) => {
      if (res.statusCode !== 200) return failure("origin_status", counter.bytes, res.statusCode);
      if (isEncoded(res)) return failure("encoded_body", counter.bytes);
      const declared = contentLength(res);
      if (declared !== undefined && declared > maxBytes) return failure("too_large", counter.bytes);
      const chunks: Buffer[] = [];
      for await (const chunk of res as AsyncIterable<Buffer>) {
        counter.bytes += chunk.length;
        if (counter.bytes > maxBytes) return failure("too_large", counter.bytes);
        chunks.push(chunk);
      }
      if (declared !== undefined && counter.bytes !== declared)
        return failure("length_mismatch", counter.bytes);
      return {
        ok: true,
        text: Buffer.concat(chunks).toString("utf8"),
        url: finalUrl,
        transferred: counter.bytes,
      };
    });
  }

  /**
   * SHA-256 of a segment, or of `range` of it, and of each of its chunks (chunk-hasher.ts), streamed
   * (memory does not grow with the size). Asks
   * with `Range` always: a 206's Content-Range states the total even for a chunked body, so a body
   * that ends short is caught; a 200 without Content-Length (for a whole segment) is `length_unknown`.
   */
  async digest(url: URL, range: Range | undefined, maxBytes: number): Promise<HashedBody | FetchFailure> {
    const rangeHeader = range ? `bytes=${range[0]}-${range[1] - 1}` : "bytes=0-";
    return this.request("segment", url, rangeHeader, async (res, _finalUrl, counter) => {
      const plan = bodyPlan(res, range);
      if ("reason" in plan) return failure(plan.reason, counter.bytes, plan.httpStatus);
      if (plan.expected > maxBytes) return failure("too_large", counter.bytes);
      const hash = createHash("sha256");
      const chunks = ChunkHasher.wanted(plan.expected) ? new ChunkHasher(plan.expected) : undefined;
      const end = plan.skip + plan.expected;
      let position = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        counter.bytes += chunk.length;
        const from = Math.max(0, plan.skip - position);
        const to = Math.min(chunk.length, end - position);
        if (to > from) {
          hash.update(chunk.subarray(from, to));
          chunks?.update(chunk.subarray(from, to));
        }
        position += chunk.length;
        if (position > end && !plan.mayOverrun) return failure("length_mismatch", counter.bytes);
        if (position >= end && plan.mayOverrun) break;
      }
      if (position < end) return failure("length_mismatch", counter.bytes);
      return {
        ok: true,
        sha256: hash.digest("hex"),
        bytes: plan.expected,
        ...(chunks ? { chunks: { chunkBytes: chunks.chunkBytes, sha256: chunks.finish() } } : {}),
        transferred: counter.bytes,
      };
    });
  }

  /** Closes idle and active sockets of the service's own agents. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One origin request, counted by `kind` and result, with the bytes it read. */
  private async request<T extends { ok: true; transferred: number }>(
    kind: "segment" | "playlist" | "manifest",
    first: URL,
    rangeHeader: string | undefined,
    read: (res: http.IncomingMessage, url: URL, counter: { bytes: number }) => Promise<T | FetchFailure>,
  ): Promise<T | FetchFailure> {
    const result = await this.requestFollowingRedirects(first, rangeHeader, read);
    this.options.counters.originBytes.add([kind], result.transferred);
    this.options.counters.originRequests.add([kind, result.ok ? "ok" : result.reason]);
    return result;
  }

  private async requestFollowingRedirects<T>(
    first: URL,
    rangeHeader: string | undefined,
    read: (res: http.IncomingMessage, url: URL, counter: { bytes: number }) => Promise<T | FetchFailure>,
  ): Promise<T | FetchFailure> {
    const { options } = this;
    const controller = new AbortController();
    const abort = () => controller.abort();
    options.signal.addEventListener("abort", abort);
    const total = setTimeout(abort, options.fetchTimeoutMs);
    const counter = { bytes: 0 };
    let res: http.IncomingMessage | undefined;
    let reading = false;
    try {
      let url = first;
      for (let hop = 0; ; hop++) {
        res = await this.open(url, rangeHeader, controller);
        const location = res.headers.location;
        if (!isRedirect(res.statusCode) || location === undefined) {
          reading = true;
          return await read(res, url, counter);
        }
        res.destroy();
        const next = parseHttpUrl(location, url);
        if (next === undefined) return failure("origin_status", counter.bytes, res.statusCode);
        if (hop >= options.maxRedirects) return failure("too_many_redirects", counter.bytes);
        url = next;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === ADDRESS_REFUSED) return failure("address_not_allowed", counter.bytes);
      if (controller.signal.aborted) return failure("origin_timeout", counter.bytes);
      // A body cut off mid-way (reset, premature close) after the response had begun.
      return failure(reading ? "length_mismatch" : "origin_unreachable", counter.bytes);
    } finally {
      clearTimeout(total);
      options.signal.removeEventListener("abort", abort);
      res?.destroy();
    }
  }

  /** One request; resolves with the response head, within the first-byte deadline. */
  private open(
    url: URL,
    rangeHeader: string | undefined,
    controller: AbortController,
  ): Promise<http.IncomingMessage> {
    const { options } = this;
    const secure = url.protocol === "https:";
    const port = Number(url.port) || (secure ? 443 : 80);
    const literal = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(literal) !== 0 && !options.guard.allows(literal, port)) {
      return Promise.reject(Object.assign(new Error("address not allowed"), { code: ADDRESS_REFUSED }));
    }
    const headers: Record<string, string> = {
      "User-Agent": "nearcast-server digests",
      "Accept-Encoding": "identity",
      ...options.headersFor(url.origin.toLowerCase()),
    };
    if (rangeHeader !== undefined) headers["Range"] = rangeHeader;
    return new Promise((resolve, reject) => {
      const firstByte = setTimeout(() => controller.abort(), options.firstByteTimeoutMs);
      const req = (secure ? https : http).request(url, {
        method: "GET",
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        lookup: options.guard.lookupFor(port),
        signal: controller.signal,
      });
      req.once("response", (res) => {
        clearTimeout(firstByte);
        resolve(res);
      });
      // `on`, not `once`: a request can fail again after its response began (abort mid-body).
      req.on("error", (error) => {
        clearTimeout(firstByte);
        reject(error);
      });
      req.end();
    });
  }
}

interface BodyPlan {
  /** Bytes before the hashed part (a 200 for a range ask carries the whole file). */
  skip: number;
  expected: number;
  /** A 200 for a range ask: bytes after the range are not an error, reading stops at the range end. */
  mayOverrun: boolean;
}

/** What part of the response body is the asked bytes, or why none of it can be trusted. */
function bodyPlan(
  res: http.IncomingMessage,
  range: Range | undefined,
): BodyPlan | { reason: DigestUnavailableReason; httpStatus?: number } {
  if (res.statusCode !== 200 && res.statusCode !== 206)
    return { reason: "origin_status", httpStatus: res.statusCode };
  if (isEncoded(res)) return { reason: "encoded_body" };
  const declared = contentLength(res);
  if (res.statusCode === 206) {
    const got = contentRange(res.headers["content-range"]);
    if (got === undefined) return { reason: "range_mismatch" };
    if (!range && got.total === undefined) return { reason: "length_unknown" };
    const wanted = range ?? [0, got.total!];
    if (got.start !== wanted[0] || got.end !== wanted[1]) return { reason: "range_mismatch" };
    const expected = got.end - got.start;
    if (declared !== undefined && declared !== expected) return { reason: "length_mismatch" };
    return { skip: 0, expected, mayOverrun: false };
  }
  if (range) {
    if (declared !== undefined && declared < range[1]) return { reason: "length_mismatch" };
    return { skip: range[0], expected: range[1] - range[0], mayOverrun: true };
  }
  if (declared === undefined) return { reason: "length_unknown" };
  // An empty 200 is a failed response (no media segment is empty), not a digest to hand out.
  if (declared === 0) return { reason: "length_mismatch" };
  return { skip: 0, expected: declared, mayOverrun: false };
}

/** `bytes a-b/total` (total may be `*`) as `[a, b + 1)`; undefined when malformed. */
function contentRange(
  header: string | undefined,
): { start: number; end: number; total: number | undefined } | undefined {
  const match = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/.exec(header?.trim() ?? "");
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]) + 1;
  const total = match[3] === "*" ? undefined : Number(match[3]);
  if (end <= start || (total !== undefined && end > total)) return undefined;
  return { start, end, total };
}

function contentLength(res: http.IncomingMessage): number | undefined {
  const text = res.headers["content-length"];
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function isEncoded(res: http.IncomingMessage): boolean {
  const encoding = res.headers["content-encoding"]?.trim().toLowerCase();
  return encoding !== undefined && encoding !== "" && encoding !== "identity";
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function failure(reason: FetchFailureReason, transferred: number, httpStatus?: number): FetchFailure {
  return { ok: false, reason, transferred, ...(httpStatus !== undefined ? { httpStatus } : {}) };
}
