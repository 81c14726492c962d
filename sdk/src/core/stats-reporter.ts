import type { Logger } from "./logger.js";
import {
  MAX_RENDITIONS_PER_REPORT,
  MAX_REPORTS_PER_BATCH,
  REPORT_VERSION,
  type StatsReport,
  type StatsReportBatch,
} from "./report-types.js";
import {
  copySwarmCounters,
  countDeltas,
  emptySwarmCounters,
  type StatsCollector,
  type SwarmCounters,
} from "./stats.js";

export interface StatsReporterOptions {
  url: string;
  intervalMs: number;
  stats: StatsCollector;
  peers: () => number;
  log: Logger;
  fetchImpl?: typeof fetch;
  /** Random per session unless given (tests). */
  clientId?: string;
}

/** With nothing new, report every this many intervals anyway: the server counts viewers by their reports. */
const IDLE_REPORT_EVERY_TICKS = 3;

/** Reports waiting for the server; beyond this the oldest is dropped (and counted). */
const MAX_QUEUED_REPORTS = MAX_REPORTS_PER_BATCH;

/**
 * Sends the viewer's byte counters to the stats server as numbered deltas. A report that fails to
 * send stays queued and goes again with its `seq` unchanged, so the server can count it exactly once.
 * When the page is hidden or unloaded the queue is flushed with `sendBeacon`, which survives unload.
 */
export class StatsReporter {
  readonly clientId: string;
  private seq = 0;
  private ticks = 0;
  private readonly sent = new Map<string, SwarmCounters>();
  private queue: StatsReport[] = [];
  private sending = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private destroyed = false;
  droppedReports = 0;
  private readonly onHidden = () => {
    if (globalThis.document?.visibilityState === "hidden") this.flushWithBeacon(false);
  };
  private readonly onPageHide = () => this.flushWithBeacon(true);

  constructor(private readonly options: StatsReporterOptions) {
    this.clientId = options.clientId ?? randomId();
    this.timer = setInterval(() => void this.tick(false), options.intervalMs);
    globalThis.document?.addEventListener("visibilitychange", this.onHidden);
    globalThis.addEventListener?.("pagehide", this.onPageHide);
  }

  /** Make a report of what changed and try to send everything queued. */
  async tick(final: boolean): Promise<void> {
    this.enqueue(final);
    await this.send();
  }

  /** Stop; the last counters go out with `final: true`. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.flushWithBeacon(true);
    this.destroyed = true;
    clearInterval(this.timer);
    globalThis.document?.removeEventListener("visibilitychange", this.onHidden);
    globalThis.removeEventListener?.("pagehide", this.onPageHide);
  }

  /** Build one report per stream with the bytes moved since the last report. */
  private enqueue(final: boolean): void {
    if (this.destroyed) return;
    this.ticks++;
    const byStream = new Map<string, StatsReport>();
    for (const [swarmKey, counters] of this.options.stats.bySwarm) {
      const before = this.sent.get(swarmKey) ?? emptySwarmCounters();
      const delta = {
        httpBytes: counters.httpBytes - before.httpBytes,
        p2pBytes: counters.p2pBytes - before.p2pBytes,
        uploadedBytes: counters.uploadedBytes - before.uploadedBytes,
      };
      this.sent.set(swarmKey, copySwarmCounters(counters));
      const cut = swarmKey.lastIndexOf("|");
      const streamId = cut > 0 ? swarmKey.slice(0, cut) : swarmKey;
      let report = byStream.get(streamId);
      if (!report) {
        report = {
          clientId: this.clientId,
          seq: 0,
          streamId,
          sentAtMs: Date.now(),
          deltas: { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 },
          renditions: [],
          peers: this.options.peers(),
          final,
        };
        byStream.set(streamId, report);
      }
      report.deltas.httpBytes += delta.httpBytes;
      report.deltas.p2pBytes += delta.p2pBytes;
      report.deltas.uploadedBytes += delta.uploadedBytes;
      const failures = counters.integrityFailures - before.integrityFailures;
      if (failures > 0) report.integrityFailures = (report.integrityFailures ?? 0) + failures;
      addCounts(report, "peerRejections", countDeltas(counters.peerRejections, before.peerRejections));
      addCounts(
        report,
        "httpBodyRejections",
        countDeltas(counters.httpBodyRejections, before.httpBodyRejections),
      );
      if (
        report.renditions.length < MAX_RENDITIONS_PER_REPORT &&
        delta.httpBytes + delta.p2pBytes + delta.uploadedBytes > 0
      ) {
        report.renditions.push({ rendition: swarmKey.slice(cut + 1), ...delta });
      }
    }
    for (const report of byStream.values()) {
      const { httpBytes, p2pBytes, uploadedBytes } = report.deltas;
      // An idle stream still reports now and then so the server keeps counting the viewer; a final
      // report always goes out so the server sees the viewer leave.
      if (
        httpBytes + p2pBytes + uploadedBytes === 0 &&
        !report.integrityFailures &&
        !report.peerRejections &&
        !report.httpBodyRejections &&
        !final &&
        this.ticks % IDLE_REPORT_EVERY_TICKS !== 0
      )
        continue;
      report.seq = ++this.seq;
      this.queue.push(report);
    }
    while (this.queue.length > MAX_QUEUED_REPORTS) {
      this.queue.shift();
      this.droppedReports++;
    }
  }

  private async send(): Promise<void> {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.slice(0, MAX_REPORTS_PER_BATCH);
    try {
      const response = await (this.options.fetchImpl ?? fetch)(this.options.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ v: REPORT_VERSION, reports: batch } satisfies StatsReportBatch),
        keepalive: true,
      });
      // 4xx other than 429 will not get better by resending the same payload: drop it.
      if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429)) {
        if (!response.ok) this.options.log("stats server refused a report: HTTP %d", response.status);
        this.queue = this.queue.filter((r) => !batch.includes(r));
      }
    } catch (error) {
      this.options.log("stats report failed, will retry: %o", error);
    } finally {
      this.sending = false;
    }
  }

  private flushWithBeacon(final: boolean): void {
    if (this.destroyed) return;
    this.enqueue(final);
    if (this.queue.length === 0) return;
    const body = JSON.stringify({ v: REPORT_VERSION, reports: this.queue.slice(0, MAX_REPORTS_PER_BATCH) });
    const beacon = globalThis.navigator?.sendBeacon?.bind(globalThis.navigator);
    if (beacon && beacon(this.options.url, body)) {
      this.queue = this.queue.slice(MAX_REPORTS_PER_BATCH);
      return;
    }
    void this.send();
  }
}

/** Adds one swarm's rejection deltas into its stream's report. */
function addCounts<F extends "peerRejections" | "httpBodyRejections">(
  report: StatsReport,
  field: F,
  deltas: StatsReport[F] | undefined,
): void {
  if (!deltas) return;
  const counts: Record<string, number> = (report[field] ??= {});
  for (const [reason, n] of Object.entries(deltas)) counts[reason] = (counts[reason] ?? 0) + (n ?? 0);
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
