// What the digest service counts, and its Prometheus series (read at scrape time): requests by
// outcome (every refusal by reason), segment answers by status and reason, origin requests and the
// origin bytes the service itself costs, and the sizes of its bounded tables.
import { Counter, Gauge, type Registry } from "prom-client";

/** Counts by label values (joined by a separator no label value contains). */
export class LabelledCounts {
  private readonly counts = new Map<string, number>();

  add(labels: readonly string[], amount = 1): void {
    const key = labels.join("\u0000");
    this.counts.set(key, (this.counts.get(key) ?? 0) + amount);
  }

  get(labels: readonly string[]): number {
    return this.counts.get(labels.join("\u0000")) ?? 0;
  }

  *entries(): IterableIterator<[string[], number]> {
    for (const [key, count] of this.counts) yield [key.split("\u0000"), count];
  }
}

export class DigestCounters {
  /** `[result]`: `served`, `small_swarm`, or the refusal reason of a 4xx/5xx. */
  readonly requests = new LabelledCounts();
  /** `[status, reason]`: `ok`/`pending` with reason "", `unavailable`/`refused` with theirs. */
  readonly segments = new LabelledCounts();
  /** `[kind, result]`: kind `segment`/`playlist`/`manifest`, result `ok` or the failure reason. */
  readonly originRequests = new LabelledCounts();
  /** `[kind]`: bytes read from origins, failed requests included. */
  readonly originBytes = new LabelledCounts();
  /** Segment digests started by following a live playlist rather than by an ask. */
  precomputed = 0;
}

/** Sizes of the service's bounded tables, read at scrape time. */
export interface DigestGauges {
  playlists: number;
  following: number;
  streams: number;
  cacheEntries: number;
  cacheBytes: number;
  fetchesActive: number;
  fetchesQueued: number;
}

/** Defines the digest series on `registry`; values are read from `counters` and `gauges()` at scrape. */
export function registerDigestMetrics(
  registry: Registry,
  counters: DigestCounters,
  gauges: () => DigestGauges,
): void {
  const registers = [registry];
  const counted = (name: string, help: string, labelNames: string[], counts: LabelledCounts) =>
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [labels, count] of counts.entries()) {
          this.inc(Object.fromEntries(labelNames.map((label, i) => [label, labels[i] ?? ""])), count);
        }
      },
    });
  counted(
    "nearcast_digest_requests_total",
    "POST /api/digests requests by result: served, small_swarm (left to spot checks) or the refusal reason",
    ["result"],
    counters.requests,
  );
  counted(
    "nearcast_digest_segments_total",
    "Segment digests answered, by status (ok, pending, unavailable, refused) and reason",
    ["status", "reason"],
    counters.segments,
  );
  counted(
    "nearcast_digest_origin_requests_total",
    "Origin requests of the digest service, by kind (segment, playlist, manifest) and result",
    ["kind", "result"],
    counters.originRequests,
  );
  counted(
    "nearcast_digest_origin_bytes_total",
    "Bytes the digest service read from origins, by kind: what server digests cost the origin",
    ["kind"],
    counters.originBytes,
  );
  new Counter({
    name: "nearcast_digest_precomputed_total",
    help: "Segment digests started by following a live playlist, before any viewer asked",
    registers,
    collect() {
      this.reset();
      this.inc(counters.precomputed);
    },
  });
  new Gauge({
    name: "nearcast_digest_tracked",
    help: "Entries held by the digest service (playlists, following, streams, cache_entries, cache_bytes, fetches_active, fetches_queued)",
    labelNames: ["kind"],
    registers,
    collect() {
      const now = gauges();
      this.set({ kind: "playlists" }, now.playlists);
      this.set({ kind: "following" }, now.following);
      this.set({ kind: "streams" }, now.streams);
      this.set({ kind: "cache_entries" }, now.cacheEntries);
      this.set({ kind: "cache_bytes" }, now.cacheBytes);
      this.set({ kind: "fetches_active" }, now.fetchesActive);
      this.set({ kind: "fetches_queued" }, now.fetchesQueued);
    },
  });
}
