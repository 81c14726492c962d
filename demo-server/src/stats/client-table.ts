// The aggregator's reporting clients, in order of last report and bounded: which are viewers now
// (the activity per stream), which may be evicted to make room, which are idle enough to forget.
import { SeqTracker } from "./seq-tracker.js";

export interface ClientState {
  lastReportMs: number;
  streamKey: string;
  peers: number;
  renditions: string[];
  final: boolean;
  readonly seqs: SeqTracker;
}

export interface StreamActivity {
  viewers: number;
  peers: number;
  renditionViewers: Map<string, number>;
}

/** The limits of `AggregatorLimits` that bound the client table. */
export interface ClientLimits {
  maxClients: number;
  clientIdleMs: number;
  viewerWindowMs: number;
}

export function newClient(streamKey: string, now: number): ClientState {
  return {
    lastReportMs: now,
    streamKey,
    peers: 0,
    renditions: [],
    final: false,
    seqs: new SeqTracker(),
  };
}

export class ClientTable {
  /** In order of last report (a reporting client moves to the end): the front is the idlest. */
  private readonly clients = new Map<string, ClientState>();

  constructor(private readonly limits: Readonly<ClientLimits>) {}

  get size(): number {
    return this.clients.size;
  }

  has(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  get(clientId: string): ClientState | undefined {
    return this.clients.get(clientId);
  }

  /** Stores `client` as the one that reported last (the end of the order). */
  touch(clientId: string, client: ClientState): void {
    this.clients.delete(clientId);
    this.clients.set(clientId, client);
  }

  /** True when `count` new clients fit, evicting clients that are no longer viewers if needed. */
  makeRoom(count: number, now: number): boolean {
    let free = this.limits.maxClients - this.clients.size;
    if (free >= count) return true;
    for (const [id, client] of this.clients) {
      if (free >= count) break;
      if (now - client.lastReportMs <= this.limits.viewerWindowMs && !client.final) break;
      this.clients.delete(id);
      free++;
    }
    return free >= count;
  }

  /** Viewers and peers per stream key, from the clients' latest reports. */
  activity(now: number): Map<string, StreamActivity> {
    const result = new Map<string, StreamActivity>();
    for (const client of this.clients.values()) {
      if (client.final || now - client.lastReportMs > this.limits.viewerWindowMs) continue;
      let entry = result.get(client.streamKey);
      if (entry === undefined) {
        entry = { viewers: 0, peers: 0, renditionViewers: new Map() };
        result.set(client.streamKey, entry);
      }
      entry.viewers += 1;
      entry.peers += client.peers;
      for (const rendition of client.renditions) {
        entry.renditionViewers.set(rendition, (entry.renditionViewers.get(rendition) ?? 0) + 1);
      }
    }
    return result;
  }

  /** Forgets clients without a report for `clientIdleMs`. */
  sweep(now: number): void {
    for (const [id, client] of this.clients) {
      if (now - client.lastReportMs <= this.limits.clientIdleMs) break; // the rest are more recent
      this.clients.delete(id);
    }
  }
}
