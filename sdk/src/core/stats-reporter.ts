import type { Logger } from "./logger.js";
import {
  MAX_RENDITIONS_PER_REPORT,
  MAX_REPORT_BODY_BYTES,
  MAX_REPORTS_PER_BATCH,
  MAX_TRANSFERS_PER_RENDITION,
  REPORT_VERSION,
  type PeerTransferDeltas,
  type StatsReport,
  type StatsReportBatch,
} from "./report-types.js";
import {
  copySwarmCounters,
  countDeltas,
  emptySwarmCounters,
  type PeerTransferCounters,
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
  /**
   * Report intervals to wait for a tracker's session before sending without one: a Nearcast server
   * refuses reports without a session (401), and the first announce reply is usually a second away.
   * After a 401 without a session, nothing is sent until a session arrives. @default 3
   */
  awaitSessionTicks?: number;
}

/** With nothing new, report every this many intervals anyway: the server counts viewers by their reports. */
const IDLE_REPORT_EVERY_TICKS = 3;

/** Reports waiting for the server; beyond this the oldest is dropped (and counted). */
const MAX_QUEUED_REPORTS = MAX_REPORTS_PER_BATCH;

/** A session is not sent in its last seconds: the report would arrive after it expired. */
const SESSION_EXPIRY_MARGIN_MS = 5_000;

/**
 * The sessions Nearcast trackers handed this viewer, by tracker URL. A report carries the session of
 * a tracker on the stats server's host if there is one (that server minted it), else the newest.
 */
class SessionBook {
  private readonly sessions = new Map<string, { token: string; expiresAtMs: number; host: string }>();

  record(trackerUrl: string, token: string, expiresInSec: number, nowMs: number): void {
    this.sessions.delete(trackerUrl);
    this.sessions.set(trackerUrl, {
      token,
      expiresAtMs: nowMs + expiresInSec * 1000,
      host: hostOf(trackerUrl),
    });
  }

  current(statsUrl: string, nowMs: number): string | undefined {
    const host = hostOf(statsUrl);
    let newest: string | undefined;
    for (const session of this.sessions.values()) {
      if (session.expiresAtMs - SESSION_EXPIRY_MARGIN_MS <= nowMs) continue;
      if (session.host === host) return session.token;
      newest = session.token;
    }
    return newest;
  }
}

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
  private readonly sentTransfers = new Map<string, Map<string, PeerTransferCounters>>();
  private readonly sessions = new SessionBook();
  /** Ticks that passed without any session; the wait for one ends at `awaitSessionTicks`. */
  private ticksWithoutSession = 0;
  /** The server refused a batch for want of a session: wait for one before sending again. */
  private refusedWithoutSession = false;
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

  /**
   * A tracker at `trackerUrl` handed this viewer a session (see `TrackerSession`): later reports
   * carry it, so the stats server knows them for an admitted viewer's.
   */
  acceptSession(trackerUrl: string, token: string, expiresInSec: number): void {
    this.sessions.record(trackerUrl, token, expiresInSec, Date.now());
    this.refusedWithoutSession = false;
    void this.send();
  }

  /** Make a report of what changed and try to send everything queued. */
  async tick(final: boolean): Promise<void> {
    this.enqueue(final);
    if (this.sessions.current(this.options.url, Date.now()) === undefined) this.ticksWithoutSession++;
    await this.send();
  }

  /** No session yet, and either still within the wait for one or refused without one. */
  private waitingForSession(): boolean {
    if (this.sessions.current(this.options.url, Date.now()) !== undefined) return false;
    return this.refusedWithoutSession || this.ticksWithoutSession < (this.options.awaitSessionTicks ?? 3);
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
      const transfers = this.transferDeltas(swarmKey, counters);
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
        report.renditions.push({
          rendition: swarmKey.slice(cut + 1),
          ...delta,
          ...(transfers.length > 0 ? { transfers } : {}),
        });
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

  /** Bytes traded with each peer of a swarm since the last report (peers with none left out). */
  private transferDeltas(swarmKey: string, counters: SwarmCounters): PeerTransferDeltas[] {
    let sent = this.sentTransfers.get(swarmKey);
    if (!sent) this.sentTransfers.set(swarmKey, (sent = new Map()));
    const deltas: PeerTransferDeltas[] = [];
    for (const [peerId, now] of counters.transfers) {
      const before = sent.get(peerId) ?? { receivedBytes: 0, sentBytes: 0 };
      const receivedBytes = now.receivedBytes - before.receivedBytes;
      const sentBytes = now.sentBytes - before.sentBytes;
      if (receivedBytes + sentBytes === 0 || deltas.length >= MAX_TRANSFERS_PER_RENDITION) continue;
      sent.set(peerId, { ...now });
      deltas.push({ peer: toHex(peerId), receivedBytes, sentBytes });
    }
    // Peers the collector forgot (bounded) are forgotten here too.
    for (const peerId of sent.keys()) if (!counters.transfers.has(peerId)) sent.delete(peerId);
    return deltas;
  }

  /**
   * The body for the first reports of the queue: as many as fit in the server's body limit (and
   * `sendBeacon`'s 64 KiB), at least one. Returns the body and how many reports it carries.
   */
  private body(): { text: string; count: number; session: string | undefined } {
    const session = this.sessions.current(this.options.url, Date.now());
    let count = Math.min(this.queue.length, MAX_REPORTS_PER_BATCH);
    for (;;) {
      const batch: StatsReportBatch = {
        v: REPORT_VERSION,
        ...(session ? { session } : {}),
        reports: this.queue.slice(0, count),
      };
      const text = JSON.stringify(batch);
      if (count <= 1 || text.length <= MAX_REPORT_BODY_BYTES) return { text, count, session };
      count = Math.ceil(count / 2);
    }
  }

  private async send(): Promise<void> {
    if (this.sending || this.queue.length === 0 || this.waitingForSession()) return;
    this.sending = true;
    const { text, count, session } = this.body();
    const batch = this.queue.slice(0, count);
    try {
      const response = await (this.options.fetchImpl ?? fetch)(this.options.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: text,
        keepalive: true,
      });
      // 4xx other than 429 will not get better by resending the same payload: drop it. A 401 (no
      // valid session yet: the tracker's first reply may still be on its way) keeps it queued.
      const retryLater = response.status === 429 || response.status === 401;
      if (response.status === 401 && session === undefined) this.refusedWithoutSession = true;
      if (response.ok || (response.status >= 400 && response.status < 500 && !retryLater)) {
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
    // Without a session the server would refuse the beacon too, unless its wait is over.
    if (this.queue.length === 0 || this.waitingForSession()) return;
    const { text, count } = this.body();
    const beacon = globalThis.navigator?.sendBeacon?.bind(globalThis.navigator);
    if (beacon && beacon(this.options.url, text)) {
      this.queue = this.queue.slice(count);
      return;
    }
    void this.send();
  }
}

/** A tracker peer_id (one char per byte) as 40 hex characters, as the server names peers. */
function toHex(binary: string): string {
  let out = "";
  for (let i = 0; i < binary.length; i++) out += (binary.charCodeAt(i) & 0xff).toString(16).padStart(2, "0");
  return out;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
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
