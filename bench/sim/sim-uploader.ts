// The serving side of a simulated viewer: the Uploader's (sdk/src/p2p/uploader.ts) job on the
// virtual clock. What to do with a request at each step — send the next chunk, wait for bytes while
// this viewer is loading the segment (FETCHING_TTL_MS at most), answer `absent`, or stop — and how many
// uploads of one segment run at once are the SDK's rules (sdk/src/p2p/upload-rules.ts); the chunks
// queue on the modelled uplink (link-model.ts) instead of a data channel and a token bucket.
import { FETCHING_TTL_MS } from "../../sdk/src/p2p/constants.js";
import {
  nextUploadStep,
  servesSegment,
  uploadsPerSegment,
  type UploadStep,
} from "../../sdk/src/p2p/upload-rules.js";
import type { ScheduledEvent } from "./event-queue.js";
import type { UplinkSender } from "./link-model.js";
import type { Download } from "./sim-swarm.js";
import type { SimViewer } from "./sim-viewer.js";

class UploadJob implements UplinkSender {
  cancelled = false;
  sentAny = false;
  ended = false;
  waitTimer: ScheduledEvent | undefined;

  constructor(
    readonly uploader: SimUploader,
    readonly requester: SimViewer,
    readonly download: Download,
    public offset: number,
  ) {}

  /** The upload's offset and range, as the SDK's rules read them (a request asks for the whole segment). */
  get rangeEnd(): undefined {
    return undefined;
  }

  nextChunkBytes(): number {
    if (this.cancelled || this.ended) return 0;
    const step = this.uploader.step(this);
    if (step.kind === "send") return step.bytes;
    this.uploader.queueServe(this);
    return 0;
  }

  chunkSent(bytes: number, endMs: number): void {
    const u = this.uploader;
    const at = this.offset;
    this.offset += bytes;
    this.sentAny = true;
    u.uploadedBytes += bytes;
    const requester = this.requester;
    const link = requester.linksByPeerId.get(u.v.peerId);
    const latency = link?.latencyMs ?? 0;
    const arrive = requester.downlink.receive(endMs + latency, bytes);
    const d = this.download;
    u.v.world.queue.at(arrive, () => requester.engine.onPeerData(d, at, bytes));
    u.serve(this);
  }
}

export class SimUploader {
  /** Segment → uploads of it in progress. */
  private readonly active = new Map<number, number>();
  /** Segment → uploads waiting for its bytes. */
  private readonly waiters = new Map<number, Set<UploadJob>>();
  private readonly jobs = new Set<UploadJob>();
  uploadedBytes = 0;

  constructor(readonly v: SimViewer) {}

  private get maxConcurrentPerSegment(): number {
    return uploadsPerSegment(this.v.profile.maxUploadBytesPerSec);
  }

  /** A request from `requester` arrived (Uploader.handleRequest). */
  handleRequest(requester: SimViewer, download: Download, offset: number): void {
    const v = this.v;
    if (v.left || !v.linksByPeerId.has(requester.peerId)) return;
    if ((this.active.get(download.msn) ?? 0) >= this.maxConcurrentPerSegment) {
      return this.sendAbsent(requester, download);
    }
    const job = new UploadJob(this, requester, download, offset);
    this.jobs.add(job);
    this.active.set(download.msn, (this.active.get(download.msn) ?? 0) + 1);
    this.serve(job);
  }

  handleCancel(requester: SimViewer, download: Download): void {
    for (const job of this.jobs) if (job.download === download) this.cancel(job);
  }

  /** The requester's connection closed: its uploads stop. */
  peerClosed(requester: SimViewer): void {
    for (const job of [...this.jobs]) if (job.requester === requester) this.cancel(job);
  }

  /** Our store changed this segment, or our load of it ended: wake uploads waiting for its bytes. */
  notify(msn: number): void {
    const set = this.waiters.get(msn);
    if (!set) return;
    this.waiters.delete(msn);
    for (const job of set) {
      job.waitTimer?.cancel();
      job.waitTimer = undefined;
      this.serve(job);
    }
  }

  destroy(): void {
    for (const job of [...this.jobs]) this.cancel(job);
  }

  /** The SDK's next step for an upload, from what the store holds and whether we are loading it. */
  step(job: UploadJob): UploadStep {
    const v = this.v;
    const msn = job.download.msn;
    const held = v.engine.store.heldBytes(msn);
    const segment = held > 0 ? { totalLength: v.stream.bytesOf(msn), bytesAvailable: held } : undefined;
    return nextUploadStep(job, segment, v.engine.load?.msn === msn);
  }

  /** Uploader.serve's refusal by the measured uplink (upload-rules.ts `servesSegment`). */
  private serves(job: UploadJob): boolean {
    const v = this.v;
    const msn = job.download.msn;
    const measured =
      v.world.options.variant?.servesByUplink === false
        ? undefined
        : v.engine.estimates.uplink.bytesPerSec(v.world.queue.now);
    return servesSegment(measured, v.stream.bytesOf(msn), v.stream.segmentMs / 1000);
  }

  /** Re-run `serve` for a job on the next turn (its chunk was not ready when its turn came). */
  queueServe(job: UploadJob): void {
    this.v.world.queue.after(0, () => this.serve(job));
  }

  /** One pass of Uploader.serve's loop: send, wait for bytes, or answer `absent`. */
  serve(job: UploadJob): void {
    if (job.cancelled || job.ended) return;
    const v = this.v;
    const { requester } = job;
    if (v.left || !v.linksByPeerId.has(requester.peerId)) return this.end(job);
    if (!v.profile.uploadEnabled) return this.absent(job);
    const step = this.step(job);
    if (step.kind === "send" && !job.sentAny && !this.serves(job)) return this.absent(job);
    if (step.kind === "send") return v.uplink.ready(job);
    if (step.kind === "wait") return this.waitForBytes(job);
    if (step.kind === "done") return this.end(job);
    this.absent(job);
  }

  end(job: UploadJob): void {
    if (job.ended) return;
    job.ended = true;
    job.waitTimer?.cancel();
    this.jobs.delete(job);
    this.waiters.get(job.download.msn)?.delete(job);
    const left = (this.active.get(job.download.msn) ?? 1) - 1;
    if (left > 0) this.active.set(job.download.msn, left);
    else this.active.delete(job.download.msn);
  }

  private cancel(job: UploadJob): void {
    job.cancelled = true;
    this.v.uplink.remove(job);
    this.end(job);
  }

  private absent(job: UploadJob): void {
    this.sendAbsent(job.requester, job.download);
    this.end(job);
  }

  private sendAbsent(requester: SimViewer, download: Download): void {
    const latency = requester.linksByPeerId.get(this.v.peerId)?.latencyMs ?? 0;
    this.v.world.queue.after(latency, () => requester.engine.onPeerAbsent(download));
  }

  private waitForBytes(job: UploadJob): void {
    const msn = job.download.msn;
    let set = this.waiters.get(msn);
    if (!set) this.waiters.set(msn, (set = new Set()));
    set.add(job);
    job.waitTimer = this.v.world.queue.after(FETCHING_TTL_MS, () => {
      set.delete(job);
      job.waitTimer = undefined;
      this.absent(job);
    });
  }
}
