import type { EventEmitter } from "node:events";

/** The slice of bittorrent-tracker's (untyped) `Client` these tests use. */
export interface BtPeer extends EventEmitter {
  id?: string;
  connected: boolean;
  send(data: string): void;
  destroy(): void;
}

export interface BtClientOptions {
  infoHash: string;
  peerId: string;
  announce: string[];
  port: number;
  wrtc?: unknown;
  rtcConfig?: { iceServers: unknown[] };
}

export interface BtClient extends EventEmitter {
  start(opts?: object): void;
  stop(opts?: object): void;
  /** Announce again now (bittorrent-tracker Client#update), with fresh offers. */
  update(opts?: object): void;
  destroy(cb?: (err?: Error) => void): void;
}

type BtClientConstructor = new (opts: BtClientOptions) => BtClient;

/**
 * Loads the unmodified `bittorrent-tracker` client. The package ships no type declarations; a
 * variable specifier keeps TypeScript from demanding a global `declare module`, which could clash
 * with one declared elsewhere in the repository.
 */
export async function loadBittorrentTrackerClient(): Promise<BtClientConstructor> {
  const specifier: string = "bittorrent-tracker";
  const mod = (await import(specifier)) as { default: BtClientConstructor };
  return mod.default;
}
