// The simulator's scenarios. "node-N" mirror the Node swarm bench (npm run bench:swarm) on loopback,
// for validation; the others put the same SDK logic on internet-like links at scale.
import type { SimOptions, ViewerProfile } from "./sim-types.js";

const MBIT = 1_000_000 / 8;

/**
 * The Node swarm bench's world: every engine on one machine's loopback, tracker and origin in the
 * bench process. Latency and rates chosen to match what that bench measures: a peer transfer of a
 * 125 kB segment in ~4 ms, an origin fetch in ~5 ms, the first peer ~20 ms after joining.
 */
export const LOOPBACK: ViewerProfile = {
  share: 1,
  latencyMs: 0.5,
  uploadBytesPerSec: 40_000_000,
  downloadBytesPerSec: 50_000_000,
  uploadEnabled: true,
  maxUploadBytesPerSec: 0,
  rendition: "360p",
};

/** A home broadband viewer: 15 ms to its ISP's edge (30 ms one way to another viewer), 10/50 Mbit/s. */
export const BROADBAND: ViewerProfile = {
  share: 1,
  latencyMs: 15,
  uploadBytesPerSec: 10 * MBIT,
  downloadBytesPerSec: 50 * MBIT,
  uploadEnabled: true,
  maxUploadBytesPerSec: 0,
  rendition: "360p",
};

/** A phone on a cellular network: the SDK's upload switched off (as an app would), 40 ms, 20 Mbit/s down. */
export const CELLULAR: ViewerProfile = {
  share: 1,
  latencyMs: 40,
  uploadBytesPerSec: 2 * MBIT,
  downloadBytesPerSec: 20 * MBIT,
  uploadEnabled: false,
  maxUploadBytesPerSec: 0,
  rendition: "360p",
};

export const BASE: Omit<SimOptions, "name" | "viewers" | "profiles"> = {
  joinSpreadSec: 10,
  durationSec: 60,
  churnPerMin: 0,
  blockedPairShare: 0,
  maxPeers: 10,
  httpSafetyMarginMs: 2500,
  p2pStallTimeoutMs: 1500,
  liveSyncSegments: 3,
  maxBufferSec: 30,
  cdnLatencyMs: 0,
  cdnBytesPerSec: Number.POSITIVE_INFINITY,
  trackerLatencyMs: 1,
  offerGatherMs: 5,
  answerGatherMs: 5,
  channelOpenMs: 3,
  steadySettleMs: 10_000,
  seed: 1,
};

/** Internet-like timing: tracker and CDN tens of ms away, WebRTC set-up ~ a second (STUN, DTLS). */
const INTERNET: Partial<SimOptions> = {
  trackerLatencyMs: 25,
  cdnLatencyMs: 30,
  offerGatherMs: 300,
  answerGatherMs: 300,
  channelOpenMs: 200,
};

function node(viewers: number): SimOptions {
  return { ...BASE, name: `node-${viewers}`, viewers, profiles: [LOOPBACK] };
}

function internet(name: string, viewers: number, extra: Partial<SimOptions> = {}): SimOptions {
  return {
    ...BASE,
    ...INTERNET,
    name,
    viewers,
    joinSpreadSec: 60,
    durationSec: 540,
    profiles: [BROADBAND],
    ...extra,
  };
}

/**
 * The browser bench's weak-uplinks viewers, in its join order (bench/browser/hard-scenarios.ts): of
 * every 4, one uploads nothing, two upload at most 500 kbit/s — below the 540p rendition's 889
 * kbit/s — and one is free. The 500 kbit/s is the SDK's `maxUploadBytesPerSec` (`cap`, as the bench's
 * `--shaping devtools`) or the uplink's own rate with no cap configured (`link`, as under tc).
 */
function weakUplinks(base: ViewerProfile, limit: "cap" | "link" = "cap"): ViewerProfile[] {
  const rate = 500_000 / 8;
  const weak =
    limit === "cap" ? { maxUploadBytesPerSec: rate } : { uploadBytesPerSec: rate, maxUploadBytesPerSec: 0 };
  return [
    { ...base, rendition: "540p", uploadEnabled: false },
    { ...base, rendition: "540p", ...weak },
    { ...base, rendition: "540p", ...weak },
    { ...base, rendition: "540p" },
  ];
}

/** Scenario name → options; `--quick` shortens the internet ones to 2 minutes. */
export function scenarios(): Record<string, SimOptions> {
  return {
    "node-10": node(10),
    "node-30": node(30),
    "node-50": node(50),
    "node-100": node(100),
    "live-100": internet("live-100", 100),
    "live-1000": internet("live-1000", 1000),
    "live-3000": internet("live-3000", 3000),
    "live-10000": internet("live-10000", 10_000),
    "churn-1000": internet("churn-1000", 1000, { churnPerMin: 0.2 }),
    "upload-off-1000": internet("upload-off-1000", 1000, {
      profiles: [
        { ...BROADBAND, share: 0.7 },
        { ...CELLULAR, share: 0.3 },
      ],
    }),
    // The browser bench's weak-uplinks: 8 viewers 2 s apart on loopback, each watched 60 s.
    "weak-8": {
      ...node(8),
      name: "weak-8",
      joinSpreadSec: 14,
      profiles: weakUplinks(LOOPBACK),
      profilesInJoinOrder: true,
    },
    // The same, with the weak uplinks slow links and no cap configured: as under the browser bench's tc.
    "weak-8-link": {
      ...node(8),
      name: "weak-8-link",
      joinSpreadSec: 14,
      profiles: weakUplinks(LOOPBACK, "link"),
      profilesInJoinOrder: true,
    },
    "weak-100": internet("weak-100", 100, { profiles: weakUplinks(BROADBAND), profilesInJoinOrder: true }),
    "nat-1000": internet("nat-1000", 1000, { blockedPairShare: 0.2 }),
    "abr-1000": internet("abr-1000", 1000, {
      profiles: [
        { ...BROADBAND, share: 0.3, rendition: "240p", downloadBytesPerSec: 2 * MBIT },
        { ...BROADBAND, share: 0.4, rendition: "360p" },
        { ...BROADBAND, share: 0.3, rendition: "540p" },
      ],
    }),
    "mixed-10000": internet("mixed-10000", 10_000, {
      churnPerMin: 0.2,
      blockedPairShare: 0.2,
      profiles: [
        { ...BROADBAND, share: 0.2, rendition: "240p", downloadBytesPerSec: 2 * MBIT },
        { ...BROADBAND, share: 0.3, rendition: "360p" },
        { ...CELLULAR, share: 0.2, rendition: "360p" },
        { ...BROADBAND, share: 0.3, rendition: "540p" },
      ],
    }),
  };
}

export const VALIDATION_SCENARIOS = ["node-10", "node-30", "node-50"];
export const SCALE_SCENARIOS = [
  "live-100",
  "live-1000",
  "live-10000",
  "churn-1000",
  "upload-off-1000",
  "nat-1000",
  "abr-1000",
  "mixed-10000",
];
