import { concat } from "../core/bytes.js";
import type { LengthEvidence } from "../core/copy-confirmation.js";
import { AbortError, HttpError, NearcastError, TimeoutError } from "../core/errors.js";
import type { ByteRange, HttpPolicy, TransferTiming } from "../core/types.js";
import { type BodyRead, BodyReads } from "./body-reads.js";
import { ChunkBatch } from "./chunk-batch.js";
import { headersWithRange, type PrepareRequest } from "./request-setup.js";
import { checkBodyEnd, checkBodyGrowth, expectBody } from "./response-body.js";

export interface HttpFetchOptions {
  range?: ByteRange;
  signal?: AbortSignal;
  policy: HttpPolicy;
  /**
   * Called with the body's bytes as they arrive (already trimmed to the requested range): the first
   * chunk at once, the later ones batched (a byte stream's reads wait for about 50 ms of the body at
   * its rate so far, body-reads.ts; other streams' chunks at most 50 ms or 64 KiB late,
   * chunk-batch.ts), all of them
   * before the fetch resolves, times out or fails with a broken body. `loadedBytes` counts the bytes
   * handed on so far, this chunk included; `totalBytes` is the size of the requested range, 0 while
   * unknown (no Content-Length). Once it has been called, a failed attempt is not retried here: the
   * caller holds those bytes and decides.
   */
  onChunk?: (chunk: Uint8Array, loadedBytes: number, totalBytes: number) => void;
  now?: () => number;
  fetchImpl?: typeof fetch;
  /** The caller keeps the chunks it gets through `onChunk`: do not assemble them again. */
  discardBody?: boolean;
  /**
   * Builds each try's request (URL, headers, credentials) through the page's and player's hooks;
   * see `requestPreparer`. Without it: a plain GET of `url`.
   */
  prepare?: PrepareRequest;
  /**
   * The range may reach past the resource's end (a probe of its last bytes): a body that stops at the
   * end is the answer, not a short body. @default false
   */
  rangeMayPassEnd?: boolean;
  /**
   * The Fetch standard's cache mode. Checks of a copy against the origin (tail check, spot checks)
   * use `"no-store"`: a browser may answer a Range from the very copy being checked when it cached a
   * body that ended short (chunked, no length), which would confirm it. @default the fetch default
   */
  cache?: RequestCache;
}

export interface HttpFetchResult {
  /** The body (empty with `discardBody`). */
  data: Uint8Array;
  /** Bytes of the requested range delivered. */
  length: number;
  timing: TransferTiming;
  retries: number;
  /** Bytes that crossed the network, including those of failed attempts. */
  bytesReceived: number;
  /** The response's status (200, or 206 for a range). */
  status: number;
  /** What vouched for the body's length (it matched); `none` when nothing stated it. */
  lengthEvidence: LengthEvidence;
  /** Size of the whole resource when the response stated it. */
  resourceLength: number | undefined;
}

const defaultNow = () => performance.now();
const EMPTY = new Uint8Array(0);

/**
 * GET a URL (or a byte range of it) with first-byte and total timeouts, abort, and the retry policy
 * hls.js would apply: exponential backoff, no retry on 4xx. The body is held to what the response
 * promises (see response-body.ts): one shorter or longer than its Content-Length or the range asked
 * for, or with a Content-Range other than asked, fails with HttpBodyError (status: the response's).
 */
export async function httpFetch(url: string, options: HttpFetchOptions): Promise<HttpFetchResult> {
  const now = options.now ?? defaultNow;
  const retry = options.policy.retry;
  let attempt = 0;
  let bytesReceived = 0;
  let handedOn = false;
  const onChunk = options.onChunk;
  const attemptOptions: HttpFetchOptions = onChunk
    ? {
        ...options,
        onChunk: (chunk, loaded, total) => {
          handedOn = true;
          onChunk(chunk, loaded, total);
        },
      }
    : options;
  for (;;) {
    const requestStartMs = now();
    try {
      const result = await fetchOnce(url, attemptOptions, attempt, now, (n) => (bytesReceived += n));
      return {
        ...result,
        length: result.length,
        timing: { ...result.timing, requestStartMs },
        retries: attempt,
        bytesReceived,
      };
    } catch (error) {
      if (
        error instanceof AbortError ||
        !retry ||
        handedOn ||
        attempt >= retry.maxRetries ||
        !isRetryableHttpError(error)
      ) {
        throw error;
      }
      const delay = Math.min(retry.retryDelayMs * 2 ** attempt, retry.maxRetryDelayMs);
      attempt++;
      await sleep(delay, options.signal);
    }
  }
}

/**
 * Whether a failed request is worth another try, as hls.js judges it: network errors (status 0),
 * 5xx, timeouts; never a 4xx.
 */
export function isRetryableHttpError(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === 0 || error.status >= 500 || error.status < 400;
  return error instanceof TimeoutError;
}

async function fetchOnce(
  url: string,
  options: HttpFetchOptions,
  attempt: number,
  now: () => number,
  countBytes: (n: number) => void,
): Promise<Omit<HttpFetchResult, "retries" | "bytesReceived">> {
  const { range, policy } = options;
  const controller = new AbortController();
  const outer = options.signal;
  if (outer?.aborted) throw new AbortError("aborted");
  let timeoutError: TimeoutError | undefined;
  /** What a batch handed on from its timer threw: the fetch fails with it. */
  let deliveryError: { error: unknown } | undefined;
  const expire = (phase: TimeoutError["phase"], ms: number) =>
    setTimeout(() => {
      timeoutError = new TimeoutError(
        `no ${phase === "first-byte" ? "first byte" : "end"} after ${ms} ms`,
        phase,
      );
      controller.abort();
    }, ms);
  const onOuterAbort = () => controller.abort();
  outer?.addEventListener("abort", onOuterAbort);
  const startMs = now();
  let timer = expire("first-byte", policy.firstByteTimeoutMs);
  let batch: ChunkBatch | undefined;
  try {
    const spec = options.prepare
      ? await untilAborted(options.prepare(range, attempt), controller.signal)
      : { url, headers: {}, credentials: "same-origin" as const };
    url = spec.url;
    const response = await (options.fetchImpl ?? fetch)(spec.url, {
      headers: headersWithRange(spec.headers, range),
      credentials: spec.credentials,
      signal: controller.signal,
      ...(options.cache ? { cache: options.cache } : {}),
    });
    if (!response.ok) throw new HttpError(`HTTP ${response.status} for ${url}`, response.status);
    const firstByteMs = now();
    clearTimeout(timer);
    timer = expire("total", Math.max(0, policy.totalTimeoutMs - (firstByteMs - startMs)));

    const status = response.status;
    const expect = expectBody(response, range, url, options.rangeMayPassEnd);
    let skip = expect.skip;
    const wanted = expect.wanted;
    const total = wanted ?? expect.stated ?? 0;
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    let handed = 0;
    const onChunk = options.onChunk;
    batch = onChunk
      ? new ChunkBatch(
          (bytes) => onChunk(bytes, (handed += bytes.byteLength), total),
          (error) => {
            deliveryError = { error };
            controller.abort();
          },
        )
      : undefined;
    if (!response.body) throw new HttpError(`empty body for ${url}`, status);
    const reader = new BodyReads(response.body, now);
    for (;;) {
      // Never ask for more than is wanted (the bytes to skip, then the rest of the range); wait for a
      // whole batch only within what the body still holds by its stated length.
      const limit = skip > 0 ? skip : wanted !== undefined ? wanted - loaded : undefined;
      const sure = expect.stated !== undefined ? Math.max(0, skip + expect.stated - loaded) : 0;
      let read: BodyRead;
      try {
        read = await reader.read(limit, sure);
      } catch (error) {
        if (deliveryError) throw deliveryError.error;
        if (outer?.aborted) throw error;
        // The bytes that did arrive are the caller's, as if handed on one by one.
        batch?.flush();
        if (timeoutError) throw error;
        // The connection broke inside the body: a player retries that like any failed request.
        throw new HttpError(
          `body broke off after ${loaded} bytes for ${url}: ${(error as Error).message}`,
          status,
        );
      }
      const { done, value } = read;
      let chunk = value ?? EMPTY;
      countBytes(chunk.byteLength);
      if (skip > 0) {
        const cut = Math.min(skip, chunk.byteLength);
        skip -= cut;
        chunk = chunk.subarray(cut);
      }
      if (wanted !== undefined && loaded + chunk.byteLength > wanted)
        chunk = chunk.subarray(0, wanted - loaded);
      if (chunk.byteLength > 0) {
        checkBodyGrowth(expect, loaded, chunk.byteLength, url, status);
        if (!options.discardBody) chunks.push(chunk);
        loaded += chunk.byteLength;
        // A BYOB read's bytes are a batch already (body-reads.ts).
        if (read.batch) batch?.deliverNow(chunk);
        else batch?.add(chunk);
      }
      if (done) break;
      if (wanted !== undefined && loaded >= wanted) {
        batch?.flush();
        await reader.cancel().catch(() => {});
        break;
      }
    }
    batch?.flush();
    checkBodyEnd(expect, loaded, url, status, options.rangeMayPassEnd);
    return {
      data: options.discardBody ? new Uint8Array(0) : concat(chunks, loaded),
      length: loaded,
      timing: { requestStartMs: startMs, firstByteMs, endMs: now() },
      status,
      lengthEvidence: expect.evidence,
      resourceLength: expect.resourceLength,
    };
  } catch (error) {
    // A refused or broken body: stop receiving it.
    controller.abort();
    if (timeoutError) throw timeoutError;
    if (outer?.aborted) throw new AbortError("aborted");
    if (error instanceof NearcastError) throw error;
    throw new HttpError(`network error for ${url}: ${(error as Error).message}`, 0);
  } finally {
    // Bytes still batched when the fetch failed are nobody's (a broken body's were handed on above).
    batch?.discard();
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
  }
}

/** A hook's promise, given up (not cancelled: it cannot be) when the try is aborted or times out. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
