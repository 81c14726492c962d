// The "hard" scenarios of the browser bench (issue 13): mixed renditions on per-viewer downlinks,
// weak uplinks, churn, and what P2P costs a viewer's main thread. What differs from the five base
// scenarios is per viewer (its downlink, its upload), so it lives in profiles. A profile's rates are
// its link (tc in the viewer's namespace, see viewer-network.ts) or, with `--shaping devtools`, Chrome
// DevTools emulation of its HTTP downlink and Nearcast's own upload cap.

/** How viewers' networks are shaped: tc on a link per viewer namespace, or DevTools emulation. */
export type ShapingMode = "tc" | "devtools";

/** What one viewer of a scenario is given: the same for every client at the same join index. */
export interface ViewerProfile {
  /** Short description printed in per-viewer tables, e.g. "1100 kbit/s" or "upload off". */
  label: string;
  /**
   * Downlink, kbit/s; 0 = the scenario's link (tc) or none (devtools). With tc it is the rate of
   * everything the viewer receives, HTTP and WebRTC; with DevTools emulation
   * (`Network.emulateNetworkConditions`) only its HTTP requests are throttled (Chromium applies
   * DevTools emulation in the network service, which WebRTC bypasses).
   */
  downlinkKbps: number;
  /** Uplink of the viewer's link (tc only), kbit/s; 0 = the scenario's link. */
  uplinkKbps: number;
  /** Later downlink changes, each `afterMs` after the viewer starts playing. */
  downlinkChanges: { afterMs: number; downlinkKbps: number }[];
  /** Per-viewer P2P upload cap set in Nearcast (`maxUploadBytesPerSec`), bytes/s; 0 = the scenario's (or none). */
  uploadCapBytesPerSec: number;
  /** The viewer serves nothing to peers (Nearcast `uploadEnabled: false`, p2pml `isP2PUploadDisabled`). */
  uploadOff: boolean;
}

/** Extra round-trip added by the network emulation of throttled viewers, ms. */
export const EMULATED_LATENCY_MS = 20;

export const PLAIN_PROFILE: Readonly<ViewerProfile> = {
  label: "unthrottled",
  downlinkKbps: 0,
  uplinkKbps: 0,
  downlinkChanges: [],
  uploadCapBytesPerSec: 0,
  uploadOff: false,
};

/**
 * Downlinks of the mixed-rendition scenario, kbit/s, chosen against the demo ladder's BANDWIDTH
 * (335 / 556 / 889 kbit/s) and hls.js's `abrBandWidthUpFactor` 0.7: 700 → 240p (556/0.7 = 794 is
 * out of reach), 1100 → 360p (889/0.7 = 1270 is out of reach), 4000 → 540p.
 */
export const MIXED_DOWNLINKS_KBPS = [700, 1100, 4000] as const;

export interface HardScenarioOptions {
  /** Viewers of the mixed-rendition scenario (a multiple of 3 keeps the groups even). @default 9 */
  mixedViewers: number;
  /** Viewers of the weak-uplink scenario. @default 8 */
  weakViewers: number;
  /** Upload cap of the capped half in weak-uplinks, kbit/s. @default 500 */
  weakUploadKbps: number;
  /** Concurrent viewers in the churn scenario. @default 8 */
  churnViewers: number;
  /** One viewer leaves and a new one joins every this many ms. @default 20000 */
  churnIntervalMs: number;
  /** Viewers per viewer-cost run. @default 4 */
  costViewers: number;
}

export const DEFAULT_HARD_OPTIONS: Readonly<HardScenarioOptions> = {
  mixedViewers: 9,
  weakViewers: 8,
  weakUploadKbps: 500,
  churnViewers: 8,
  churnIntervalMs: 20_000,
  costViewers: 4,
};

/**
 * Mixed renditions: viewers cycle through the three downlinks in join order; the last one is the
 * switcher — it starts on the fast downlink, drops to the 240p one a third into its watch and comes
 * back at two thirds, so ABR has to switch down and up while P2P serves it. (A drop to 1100 kbit/s
 * is not enough: hls.js keeps 540p while 889 kbit/s ≤ 0.95 × the estimate.)
 */
export function mixedRenditionProfile(index: number, viewers: number, watchMs: number): ViewerProfile {
  if (index === viewers - 1) {
    return {
      ...PLAIN_PROFILE,
      label: `switcher ${MIXED_DOWNLINKS_KBPS[2]}→${MIXED_DOWNLINKS_KBPS[0]}→${MIXED_DOWNLINKS_KBPS[2]} kbit/s`,
      downlinkKbps: MIXED_DOWNLINKS_KBPS[2],
      downlinkChanges: [
        { afterMs: Math.round(watchMs / 3), downlinkKbps: MIXED_DOWNLINKS_KBPS[0] },
        { afterMs: Math.round((2 * watchMs) / 3), downlinkKbps: MIXED_DOWNLINKS_KBPS[2] },
      ],
    };
  }
  const downlinkKbps = MIXED_DOWNLINKS_KBPS[index % MIXED_DOWNLINKS_KBPS.length] ?? 0;
  return { ...PLAIN_PROFILE, label: `${downlinkKbps} kbit/s`, downlinkKbps };
}

/**
 * Weak uplinks: of every 4 viewers in join order, one uploads nothing, two are capped, one is free.
 * With tc the cap is the viewer's link (an uplink of `uploadKbps`, which its HTTP requests and ACKs
 * share, as on a real line; Nearcast is not told); with DevTools it is Nearcast's own upload cap.
 */
export function weakUplinkProfile(
  index: number,
  uploadKbps: number,
  shaping: ShapingMode = "tc",
): ViewerProfile {
  switch (index % 4) {
    case 0:
      return { ...PLAIN_PROFILE, label: "upload off", uploadOff: true };
    case 3:
      return { ...PLAIN_PROFILE, label: "upload uncapped" };
    default:
      return shaping === "tc"
        ? { ...PLAIN_PROFILE, label: `uplink ${uploadKbps} kbit/s`, uplinkKbps: uploadKbps }
        : {
            ...PLAIN_PROFILE,
            label: `upload ≤ ${uploadKbps} kbit/s`,
            uploadCapBytesPerSec: Math.round((uploadKbps * 1000) / 8),
          };
  }
}

/** Viewer cost: every viewer on the same downlink. */
export function costProfile(downlinkKbps: number): ViewerProfile {
  return { ...PLAIN_PROFILE, label: `${downlinkKbps} kbit/s`, downlinkKbps };
}

/** DevTools network conditions for a downlink in kbit/s (puppeteer wants bytes/s; −1 = no limit). */
export function networkConditions(downlinkKbps: number): {
  download: number;
  upload: number;
  latency: number;
} {
  if (downlinkKbps <= 0) return { download: -1, upload: -1, latency: 0 };
  return { download: (downlinkKbps * 1000) / 8, upload: -1, latency: EMULATED_LATENCY_MS };
}
