import { FETCHING_TTL_MS } from "./constants.js";

/**
 * What a peer can give us of a segment, from what it told us: "complete" (its availability says it
 * holds every byte), "fetching" (it holds some, or announced `fetching` less than
 * {@link FETCHING_TTL_MS} ago — a note no bytes followed is not trusted longer), or undefined.
 * `Peer.canServe` answers with it from its maps; the simulator from the announcements that have
 * reached the viewer by `nowMs`.
 */
export function canServe(
  availability: { complete: boolean } | undefined,
  fetchingSinceMs: number | undefined,
  nowMs: number,
): "complete" | "fetching" | undefined {
  if (availability) return availability.complete ? "complete" : "fetching";
  if (fetchingSinceMs !== undefined && nowMs - fetchingSinceMs < FETCHING_TTL_MS) return "fetching";
  return undefined;
}
