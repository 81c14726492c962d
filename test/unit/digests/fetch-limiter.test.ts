import { describe, expect, it } from "vitest";
import { FetchLimiter } from "../../../demo-server/src/digests/fetch-limiter.js";

/** A task that finishes when told to. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: async () => (await opened, "done") };
}

describe("FetchLimiter", () => {
  it("runs at most maxActive tasks, queues up to maxQueued and refuses beyond", async () => {
    const limiter = new FetchLimiter(1, 1);
    const first = gate();
    const second = gate();
    const running = limiter.run(first.task, () => "cancelled");
    const queued = limiter.run(second.task, () => "cancelled");
    expect(limiter.active).toBe(1);
    expect(limiter.queued).toBe(1);
    expect(limiter.run(gate().task, () => "cancelled")).toBeUndefined();
    first.open();
    expect(await running).toBe("done");
    expect(limiter.active).toBe(1);
    second.open();
    expect(await queued).toBe("done");
    expect(limiter.active).toBe(0);
  });

  it("cancels queued tasks on close and refuses new ones", async () => {
    const limiter = new FetchLimiter(1, 5);
    const first = gate();
    void limiter.run(first.task, () => "cancelled");
    const queued = limiter.run(gate().task, () => "cancelled");
    limiter.close();
    expect(await queued).toBe("cancelled");
    expect(limiter.run(gate().task, () => "cancelled")).toBeUndefined();
    first.open();
  });
});
