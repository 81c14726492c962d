import type { TrackerOptions } from "../../demo-server/src/tracker/index.js";

/**
 * Nearcast's tracker as deployed for a large audience (docs/scaling.md): room for 20k sockets,
 * and a per-socket rate limit that a load generator multiplexing many announces per socket does not
 * trip (a real viewer sends ~1 message per second; the generator's sockets send up to ~60 at
 * saturation). bittorrent-tracker has neither limit, so both do the same work.
 */
export const BENCH_TRACKER_OPTIONS: Partial<TrackerOptions> = {
  maxConnections: 25_000,
  maxConnectionsPerIp: 1_000,
  rateLimitPerSec: 1_000,
  rateLimitBurst: 1_000,
  floodCloseDrops: 100_000,
};

/** Loopback source addresses: per-address caps stay respected, ephemeral ports never run out. */
export const SOURCE_ADDRESSES = Array.from(
  { length: 200 },
  (_, i) => `127.77.${Math.floor(i / 250)}.${1 + (i % 250)}`,
);

/** A plausible non-trickle SDP (~600 chars): what the trackers relay without reading. */
export function fakeSdp(type: "offer" | "answer", seed: number): string {
  const lines = [
    "v=0",
    `o=- ${4_611_686_018_427_387_904 + seed} 2 IN IP4 127.0.0.1`,
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0",
    "a=extmap-allow-mixed",
    "a=msid-semantic: WMS",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    `a=candidate:${seed} 1 udp 2113937151 127.0.0.1 ${40_000 + (seed % 20_000)} typ host generation 0`,
    `a=ice-ufrag:${seed.toString(36).padStart(4, "x")}`,
    "a=ice-pwd:0123456789abcdefghijklmn",
    "a=ice-options:trickle",
    "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
    `a=setup:${type === "offer" ? "actpass" : "active"}`,
    "a=mid:0",
    "a=sctp-port:5000",
    "a=max-message-size:262144",
  ];
  return `${lines.join("\r\n")}\r\n`;
}
