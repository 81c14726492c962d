import { describe, expect, it } from "vitest";
import { describeFingerprint, sdkFingerprint } from "../../../bench/lib/swarm-fingerprint.js";

describe("SDK fingerprint in the bench report", () => {
  it("names the commit and the locally changed SDK files", () => {
    expect(describeFingerprint({ commit: "abc1234", changedFiles: [], treeHash: "0123456789" })).toBe(
      "commit abc1234, no local changes (sdk/src hash 0123456789)",
    );
    expect(
      describeFingerprint({ commit: "abc1234", changedFiles: ["sdk/src/core/scheduler.ts"], treeHash: "f" }),
    ).toBe("commit abc1234, local changes in sdk/src/core/scheduler.ts (sdk/src hash f)");
  });

  it("hashes the SDK tree stably", () => {
    const a = sdkFingerprint();
    expect(a.treeHash).toMatch(/^[0-9a-f]{10}$/);
    expect(sdkFingerprint().treeHash).toBe(a.treeHash);
    for (const file of a.changedFiles) expect(file.startsWith("sdk/src/")).toBe(true);
  });
});
