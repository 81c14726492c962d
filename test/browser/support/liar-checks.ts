// What every liar test asserts about the honest viewers (see fragment-audit.ts for the liar itself).
import { expect } from "vitest";
import type { RunningServer } from "../../../demo-server/src/server.js";
import { wrongFragments, type AuditedAudience } from "./fragment-audit.js";

/**
 * The liar lied (it corrupted data frames), at least one honest viewer caught it, and for every
 * honest viewer: no fragment hls.js received differs from the origin's, no fatal error, no stall,
 * at most one integrity failure (banned at the first bad segment) and no connection to the liar
 * left. Returns how many times the liar was caught.
 */
export function expectLiarRejected(server: RunningServer, run: AuditedAudience, liarIndex: number): number {
  const liar = run.pages[liarIndex]!;
  expect(liar.liedFrames, "data frames the liar corrupted").toBeGreaterThan(0);
  let caught = 0;
  for (const [i, page] of run.pages.entries()) {
    if (i === liarIndex) continue;
    const report = run.result.reports[i]!;
    const stats = report.finalStats!;
    expect(page.frags.length, `viewer ${i}: fragments`).toBeGreaterThan(3);
    expect(wrongFragments(server, page), `viewer ${i}: fragments that are not the origin's`).toEqual([]);
    expect(report.fatalErrors, `viewer ${i}: fatal errors`).toEqual([]);
    expect(report.stalls, `viewer ${i}: stalls`).toBe(0);
    expect(stats.integrityFailures, `viewer ${i}: integrity failures`).toBeLessThanOrEqual(1);
    // (A viewer the liar never served has no reason to ban it.)
    if (stats.integrityFailures > 0) {
      const about = page.events.filter(
        (e) => e.peerId === liar.peerId || e.peerIds?.includes(liar.peerId ?? ""),
      );
      expect(
        stats.peers.map((p) => p.peerId),
        `viewer ${i} still connected to the liar; events about it: ${JSON.stringify(about)}`,
      ).not.toContain(liar.peerId);
    }
    caught += stats.integrityFailures;
  }
  expect(caught, "honest viewers that caught the liar").toBeGreaterThanOrEqual(1);
  return caught;
}
