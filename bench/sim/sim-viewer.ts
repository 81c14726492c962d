// One simulated viewer: its profile and links, the engine, uploader and player, and how it joins,
// meets peers (sim-connector.ts) and leaves. Announcements go out through `broadcast`, which wakes
// neighbours that wait for the segment when the news reaches them.
import type { ViewerResult } from "../lib/swarm-metrics.js";
import { isLargeSwarm } from "../../sdk/src/core/policy/mesh-rules.js";
import { Downlink, Uplink } from "./link-model.js";
import type { AvailabilityBoard } from "./sim-availability.js";
import { SimConnector } from "./sim-connector.js";
import { SimEngine } from "./sim-engine.js";
import type { SimLink } from "./sim-link.js";
import { SimPlayer } from "./sim-player.js";
import { SimUploader } from "./sim-uploader.js";
import type { ViewerProfile } from "./sim-types.js";
import type { World } from "./sim-world.js";
import type { LiveStream } from "./stream-model.js";

export class SimViewer {
  readonly links = new Map<number, SimLink<SimViewer>>();
  readonly linksByPeerId = new Map<string, SimLink<SimViewer>>();
  readonly uplink: Uplink;
  readonly downlink: Downlink;
  readonly engine: SimEngine;
  readonly uploader: SimUploader;
  readonly player: SimPlayer;
  readonly connector: SimConnector;
  readonly joinMs: number;
  readonly stream: LiveStream;
  readonly board: AvailabilityBoard;
  /** Swarm state (sdk/src/p2p/swarm.ts). */
  joinedSwarmMs: number;
  trackerAnswered = false;
  othersReported: number | undefined;
  peerLeft = false;
  left = false;
  leftMs: number | undefined;
  firstPeerMs: number | undefined;
  readonly disconnects: Record<string, number> = {};

  constructor(
    readonly world: World<SimViewer>,
    readonly index: number,
    readonly peerId: string,
    readonly profile: ViewerProfile,
  ) {
    this.joinMs = world.queue.now;
    this.joinedSwarmMs = this.joinMs;
    this.stream = world.streams.get(profile.rendition)!;
    this.board = world.boards.get(profile.rendition)!;
    const cap = profile.maxUploadBytesPerSec > 0 ? profile.maxUploadBytesPerSec : Number.POSITIVE_INFINITY;
    this.downlink = new Downlink(profile.downloadBytesPerSec);
    const engine = (this.engine = new SimEngine(this));
    this.uplink = new Uplink(world.queue, Math.min(profile.uploadBytesPerSec, cap), (bytes, busyMs, endMs) =>
      engine.estimates.uplink.sample(bytes, busyMs, endMs),
    );
    this.uploader = new SimUploader(this);
    this.player = new SimPlayer(this);
    this.connector = new SimConnector(this);
  }

  get rendition(): string {
    return this.profile.rendition;
  }

  /** Join the swarm (the adapter's prepareSwarm) and start playing. */
  start(): void {
    this.connector.join();
    this.player.start();
  }

  /** p2p-network.announceFetching. */
  announceFetching(msn: number): void {
    if (!this.profile.uploadEnabled) return;
    this.board.record(msn, this.index).fetchingAt = this.world.queue.now;
    this.broadcast(msn, "fetching");
  }

  /** p2p-network.cancelFetching. */
  cancelFetching(msn: number): void {
    if (!this.profile.uploadEnabled) return;
    this.board.record(msn, this.index).cancelledAt = this.world.queue.now;
    this.broadcast(msn);
  }

  /**
   * Our news about `msn` is on its way to every neighbour: the ones waiting for that segment
   * re-decide when it arrives (a neighbour not waiting reads the board when it next decides). With
   * `--prefetch-on-news`, news that we are getting it or hold it starts idle neighbours' loads early.
   */
  broadcast(msn: number, news?: "fetching" | "added" | "complete"): void {
    const on = this.world.options.prefetchOnNews;
    const prefetch = news !== undefined && on !== undefined && (on === "fetching" || news === "complete");
    for (const link of this.links.values()) {
      const n = link.remote;
      if (n.engine.waitingFor(msn)) this.world.queue.after(link.latencyMs, () => n.engine.wake());
      else if (prefetch && n.engine.askedUpTo === msn - 1 && !n.engine.load && isLargeSwarm(n.othersReported))
        this.world.queue.after(link.latencyMs, () => n.engine.prefetch(msn));
    }
  }

  /** A connection to `remote` opened and we keep it (Swarm.add + the hello/availability exchange). */
  addLink(link: SimLink<SimViewer>): void {
    this.links.set(link.remote.index, link);
    this.linksByPeerId.set(link.remote.peerId, link);
    this.firstPeerMs ??= this.world.queue.now;
    this.engine.wake();
    if (this.engine.isWaiting && Number.isFinite(link.availabilityAtMs))
      this.world.queue.at(link.availabilityAtMs, () => this.engine.wake());
  }

  /** The neighbour's connection closed (it left, or refused the connection as full). */
  peerClosed(remote: SimViewer, reason: string): void {
    const link = this.links.get(remote.index);
    if (!link || this.left) return;
    this.links.delete(remote.index);
    this.linksByPeerId.delete(remote.peerId);
    this.peerLeft = true;
    this.disconnects[reason] = (this.disconnects[reason] ?? 0) + 1;
    this.uploader.peerClosed(remote);
    this.engine.onPeerClosed(remote);
    this.connector.refill();
  }

  /** Leave: the engine is destroyed; neighbours see the connections close one latency later. */
  leave(): void {
    if (this.left) return;
    const now = this.world.queue.now;
    this.player.model.finish(now);
    this.left = true;
    this.leftMs = now;
    this.connector.destroy();
    this.uploader.destroy();
    for (const link of this.links.values()) {
      const remote = link.remote;
      this.world.queue.after(link.latencyMs, () => remote.peerClosed(this, "channel closed"));
    }
    this.links.clear();
    this.linksByPeerId.clear();
    this.engine.dispose();
  }

  result(): ViewerResult {
    const model = this.player.model;
    return {
      index: this.index,
      joinMs: this.joinMs,
      firstPeerMs: this.firstPeerMs,
      startupMs: model.startupMs,
      stalls: model.stalls,
      stalledMs: model.stalledMs,
      segments: this.player.segments,
      errors: [],
      segmentErrors: 0,
      warnings: 0,
      httpDownloadedBytes: this.engine.assembly.httpBytes,
      p2pDownloadedBytes: this.engine.assembly.p2pBytes,
      httpRequests: this.engine.httpRequests,
      connectedPeersAtEnd: this.links.size,
      disconnects: this.disconnects,
    };
  }
}
