// Scale-out of the stats service: every instance publishes the report batches it accepted and the
// origin bytes it sampled on one Redis channel, and ingests what the others publish. Each instance's
// aggregator thus counts every viewer's reports once (seq de-duplication applies as usual), so any
// instance's dashboard and /metrics show the sum over all instances.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { StatsReportBatch } from "nearcast";
import type { Logger } from "pino";
import { validateReportBatch } from "./report-schema.js";

export interface StatsFanoutOptions {
  /** `redis://host:port[/db]`, the same Redis the tracker instances share. */
  url: string;
  /** Prefix of the channel name. @default "nearcast:" */
  keyPrefix?: string;
  logger: Logger;
  /** A batch another instance accepted (validated again here). */
  onBatch(batch: StatsReportBatch): void;
  /** Origin media bytes another instance's origin served for stream `name` since its last sample. */
  onOriginBytes(name: string, bytes: number): void;
}

export interface StatsFanoutStats {
  published: number;
  received: number;
  /** Messages from the channel that were not valid (dropped). */
  invalid: number;
  /** Publishes that failed (Redis away): those bytes are missing from the other instances. */
  failed: number;
}

/** Origin streams per sample message: the origin's catalog is small; more is not ours. */
const MAX_ORIGIN_ENTRIES = 256;
const MAX_NAME_LENGTH = 256;
const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 2_000);

export class StatsFanout {
  readonly instanceId = randomBytes(8).toString("hex");
  readonly counters: StatsFanoutStats = { published: 0, received: 0, invalid: 0, failed: 0 };
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private down = false;
  private closed = false;

  constructor(private readonly options: StatsFanoutOptions) {
    this.channel = `${options.keyPrefix ?? "nearcast:"}stats`;
    // No offline queue: during an outage publishes fail at once instead of piling up in memory.
    this.publisher = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      retryStrategy,
    });
    this.subscriber = new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy });
    this.publisher.on("error", (err: Error) => this.outage(err.message));
    this.publisher.on("ready", () => {
      if (this.down) this.options.logger.info({}, "stats: Redis is back; sharing reports again");
      this.down = false;
    });
    this.subscriber.on("error", () => undefined); // reported through the publisher
    this.subscriber.on("message", (_channel: string, message: string) => this.receive(message));
    this.subscriber.subscribe(this.channel).catch((err: unknown) => this.outage(String(err)));
  }

  publishBatch(batch: StatsReportBatch): void {
    this.publish({ from: this.instanceId, batch });
  }

  publishOrigin(samples: readonly (readonly [string, number])[]): void {
    if (samples.length > 0) this.publish({ from: this.instanceId, origin: samples });
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private publish(message: object): void {
    if (this.closed) return;
    if (this.publisher.status !== "ready") {
      this.counters.failed++;
      return;
    }
    this.counters.published++;
    this.publisher.publish(this.channel, JSON.stringify(message)).catch((err: unknown) => {
      this.counters.failed++;
      this.outage(String(err));
    });
  }

  private receive(text: string): void {
    let message: { from?: unknown; batch?: unknown; origin?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.counters.invalid++;
      return;
    }
    if (typeof message !== "object" || message === null || message.from === this.instanceId) return;
    if (message.batch !== undefined) {
      const validation = validateReportBatch(message.batch);
      if (!validation.ok) {
        this.counters.invalid++;
        return;
      }
      this.counters.received++;
      this.options.onBatch(validation.batch);
      return;
    }
    const origin = message.origin;
    if (!Array.isArray(origin) || origin.length > MAX_ORIGIN_ENTRIES || !origin.every(isOriginSample)) {
      this.counters.invalid++;
      return;
    }
    this.counters.received++;
    for (const [name, bytes] of origin) this.options.onOriginBytes(name, bytes);
  }

  private outage(why: string): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.options.logger.warn({ why }, "stats: Redis unavailable; this instance shows only its own reports");
  }
}

function isOriginSample(value: unknown): value is [string, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === "string" &&
    value[0].length <= MAX_NAME_LENGTH &&
    typeof value[1] === "number" &&
    Number.isFinite(value[1]) &&
    value[1] > 0
  );
}
