// Issue 24: a viewer the tracker refuses sees why. The demo server requires join tokens; the demo
// page without one must say "refused: token required" (status line, tracker row, peers table) rather
// than "No peer connected yet", keep playing from the origin, and not retry; with `?token=` it connects.
import { describe, expect, it } from "vitest";
import { mintJoinToken } from "../../demo-server/src/net/join-token.js";
import { waitFor } from "../support/wait-for.js";
import { useBrowserRig } from "./support/rig.js";
import { describeProblems } from "./support/viewer.js";

const SECRET = "refused-viewer-test-secret-0123456789";
const PLAY_TIMEOUT_MS = 30_000;
const STATE_TIMEOUT_MS = 15_000;

const rig = useBrowserRig({
  server: {
    trackerAccess: { joinTokenSecret: SECRET, allowedOrigins: undefined, allowedInfoHashes: undefined },
  },
});

/** The panel's tracker row and the peers table's text. */
function panel(viewer: Awaited<ReturnType<ReturnType<typeof rig>["viewer"]>>) {
  return viewer.page.evaluate(() => ({
    tracker: document.getElementById("tracker-state")?.textContent ?? "",
    peers: document.getElementById("peer-rows")?.textContent ?? "",
    ownId: document.getElementById("own-peer-id")?.textContent ?? "",
  }));
}

describe("a viewer refused by the tracker", () => {
  it("says the tracker refused it for want of a token, plays from the origin, and does not retry", async () => {
    const viewer = await rig().viewer("/?stream=live&report=0", { name: "no-token" });
    await viewer.waitForPlaying(PLAY_TIMEOUT_MS);
    const refused = await viewer.waitForSample(
      (s) => s.statusText.endsWith("P2P refused: token required"),
      "the status line to say the tracker refused",
      STATE_TIMEOUT_MS,
    );
    expect(refused.statusText).toMatch(
      /^Playing the live demo stream · \d renditions · P2P refused: token required$/,
    );
    let shown: Awaited<ReturnType<typeof panel>> | undefined;
    await waitFor(
      async () => {
        shown = await panel(viewer);
        return shown.tracker.startsWith("refused") && shown.peers.startsWith("No peers");
      },
      STATE_TIMEOUT_MS,
      "the panel to show the refusal",
      { describeLast: () => JSON.stringify(shown) },
    );
    expect(shown).toMatchObject({
      tracker: "refused: token required",
      peers: "No peers: tracker refused: token required",
    });
    expect(rig().server.tracker.stats().connectionsRejected.token_missing).toBe(1);
    // Still one refusal after the page has played on for a while: the SDK does not hammer.
    await viewer.waitForSample(
      (s) => s.currentTime >= refused.currentTime + 3,
      "3 s more of playback",
      15_000,
    );
    expect(rig().server.tracker.stats().connectionsRejected.token_missing).toBe(1);
    // The ICE endpoint refuses a page without a token too (401, logged by Chromium); nothing else.
    const problems = viewer.problems.filter((p) => !(p.url?.endsWith("/api/ice") && p.text.includes("401")));
    expect(problems, describeProblems(viewer.problems)).toEqual([]);
  });

  it("connects with ?token= and shows its own peer id", async () => {
    const token = mintJoinToken({
      secret: SECRET,
      streams: [`${rig().server.url}/streams/demo/live/master.m3u8`],
      ttlSec: 600,
    });
    const viewer = await rig().viewer(`/?stream=live&report=0&token=${encodeURIComponent(token)}`, {
      name: "with-token",
    });
    await viewer.waitForPlaying(PLAY_TIMEOUT_MS);
    const connected = await viewer.waitForSample(
      (s) => s.statusText.endsWith("P2P on"),
      "the status line to say P2P on",
      STATE_TIMEOUT_MS,
    );
    expect(connected.statusText).toMatch(/· P2P on$/);
    const shown = await waitFor(
      async () => {
        const now = await panel(viewer);
        return now.tracker === "connected" && now;
      },
      STATE_TIMEOUT_MS,
      "the tracker row to say connected",
    );
    expect(shown.ownId).toMatch(/^[A-Za-z0-9-]{8}$/);
    expect(viewer.problems, describeProblems(viewer.problems)).toEqual([]);
  });
});
