// CPU cost of the SDK's HTTP body path per MiB, on a body paced like a shaped link: the engine's
// SegmentTransfers.http → httpFetch → SegmentAssembly → SegmentStore (its change notice waking the
// Uploader) → StatsCollector and progress, as one segment load runs them. The body arrives as TCP-
// segment-sized chunks (1448 bytes) at `--kbps`, the shape a fetch reader yields behind tc shaping.
// A baseline pass reads the same paced body and does nothing with it; the difference is the SDK's.
//
//   npx tsx bench/http-body-cost.ts [--kbps 1000] [--mib 2] [--segment-kib 512]
//
// Prints process CPU ms per MiB for the baseline and the SDK path, and the chunks the store was
// handed. Timing-sensitive: run it under the heavy-run lock (COORDINATION.md). Figures are for
// comparing commits on one machine, not for BENCHMARKS.md's browser rows.
import { parseArgs } from "node:util";
import { mergeConfig } from "../sdk/src/core/config.js";
import { SegmentAssembly } from "../sdk/src/core/segment-assembly.js";
import { SegmentStore } from "../sdk/src/core/segment-store.js";
import { StatsCollector } from "../sdk/src/core/stats.js";
import type { SegmentRequest } from "../sdk/src/core/types.js";
import { SegmentTransfers } from "../sdk/src/engine/segment-transfers.js";
import { Uploader } from "../sdk/src/p2p/uploader.js";

const CHUNK_BYTES = 1448;
const { values } = parseArgs({
  options: {
    kbps: { type: "string", default: "1000" },
    mib: { type: "string", default: "2" },
    "segment-kib": { type: "string", default: "512" },
  },
});
const kbps = Number(values.kbps);
const totalBytes = Math.round(Number(values.mib) * 1024 * 1024);
const segmentBytes = Number(values["segment-kib"]) * 1024;
if (!(kbps > 0) || !(totalBytes > 0) || !(segmentBytes > 0)) throw new Error("bad arguments");
const chunkIntervalMs = (CHUNK_BYTES * 8) / kbps;

/** A response whose body arrives in CHUNK_BYTES pieces at the link's rate. */
function pacedResponse(bytes: number): Response {
  let sent = 0;
  let due = performance.now();
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) =>
      new Promise<void>((resolve) => {
        due += chunkIntervalMs;
        setTimeout(
          () => {
            const n = Math.min(CHUNK_BYTES, bytes - sent);
            controller.enqueue(new Uint8Array(n).fill(sent & 0xff));
            sent += n;
            if (sent >= bytes) controller.close();
            resolve();
          },
          Math.max(0, due - performance.now()),
        );
      }),
  });
  return new Response(body, { status: 200, headers: { "content-length": String(bytes) } });
}

const fetchImpl = (() => Promise.resolve(pacedResponse(segmentBytes))) as typeof fetch;
const segments = Math.max(1, Math.round(totalBytes / segmentBytes));

async function baseline(): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < segments; i++) {
    const reader = (await fetchImpl("x")).body!.getReader();
    while (!(await reader.read()).done);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function sdkPath(): Promise<{ cpuMs: number; appends: number }> {
  const config = mergeConfig({});
  const stats = new StatsCollector();
  let appends = 0;
  const wakeUploads = { notify: (_swarmKey: string, _segmentId: string) => {} };
  const store = new SegmentStore({
    maxBytes: 64 * 1024 * 1024,
    onChange: (change) => {
      for (const a of [...change.added, ...change.updated]) wakeUploads.notify(a.swarmKey, a.segmentId);
    },
  });
  const uploader = new Uploader({
    store,
    limiter: undefined,
    maxConcurrentPerSegment: Number.POSITIVE_INFINITY,
    enabled: () => true,
    isLoading: () => true,
    onUploaded: () => {},
    log: () => {},
  });
  wakeUploads.notify = (swarmKey, segmentId) => uploader.notify(swarmKey, segmentId);
  const countingStore = new Proxy(store, {
    get: (target, key) =>
      key === "append"
        ? (...args: Parameters<SegmentStore["append"]>) => (appends++, target.append(...args))
        : Reflect.get(target, key),
  });
  const transfers = new SegmentTransfers({
    config,
    platform: { fetch: fetchImpl },
    stats,
    log: () => {},
    emit: () => {},
  });
  const start = process.cpuUsage();
  for (let i = 0; i < segments; i++) {
    const request: SegmentRequest = {
      id: `seg-${i}`,
      swarmKey: "bench|360p",
      url: `http://origin.test/seg-${i}.ts`,
      startTimeSec: i * 2,
      durationSec: 2,
      live: true,
    };
    const assembly = new SegmentAssembly(request, countingStore);
    let progress = 0;
    await new Promise<void>((resolve, reject) => {
      transfers
        .http(
          {
            request,
            assembly,
            options: {
              http: { firstByteTimeoutMs: 10_000, totalTimeoutMs: 60_000, retry: null },
              onProgress: (loaded) => (progress = loaded),
            },
          },
          () => {},
        )
        .fetch(0, { fetched: () => resolve(), fetchFailed: (error) => reject(error as Error) });
    });
    if (progress !== segmentBytes || !assembly.complete) throw new Error(`segment ${i} incomplete`);
  }
  const used = process.cpuUsage(start);
  uploader.destroy();
  return { cpuMs: (used.user + used.system) / 1000, appends };
}

const mib = (segments * segmentBytes) / 1024 / 1024;
const base = await baseline();
const sdk = await sdkPath();
console.log(
  `${kbps} kbit/s, ${segments} × ${segmentBytes / 1024} KiB in ${CHUNK_BYTES}-byte chunks: ` +
    `baseline ${(base / mib).toFixed(1)} ms/MiB, SDK path ${(sdk.cpuMs / mib).toFixed(1)} ms/MiB ` +
    `(+${((sdk.cpuMs - base) / mib).toFixed(1)}), ${Math.round(sdk.appends / mib)} store appends/MiB`,
);
