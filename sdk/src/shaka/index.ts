// `nearcast/shaka`: Nearcast for Shaka Player (HLS and DASH). Shaka is the page's own peer
// dependency, passed in as its namespace; nothing of it is bundled.
export { NearcastShaka } from "./shaka-integration.js";
export type { ShakaNamespaceLike, ShakaPlayerLike } from "./shaka-types.js";
export type { NearcastConfig } from "../core/config.js";
export type { NearcastEvents } from "../core/events.js";
export type { NearcastStats, PeerStats } from "../core/stats.js";
