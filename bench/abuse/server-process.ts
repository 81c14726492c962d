// The server under attack, in its own process so its CPU time, memory and file descriptors are its
// own: the default `startServer` (what an operator gets), on a loopback port. Forked by
// bench/abuse.ts; answers IPC requests.
// Messages in: {type:"usage"} → {type:"usage", cpuSec, rssBytes, heapUsedBytes, fds}
//              {type:"stats"} → {type:"stats", tracker, reports, streams, origin}
//              {type:"exit"}
// Out at start: {type:"listening", url}
import { readdirSync } from "node:fs";
import { startServer } from "../../demo-server/src/server.js";
import { processUsage } from "../lib/process-usage.js";

const server = await startServer({ host: "127.0.0.1", port: 0 });
const cpuAtStart = process.cpuUsage();

process.on("message", (message: { type: string }) => {
  if (message.type === "usage") {
    process.send?.({ type: "usage", ...processUsage(cpuAtStart), fds: readdirSync("/proc/self/fd").length });
  } else if (message.type === "stats") {
    const snapshot = server.stats.snapshot();
    process.send?.({
      type: "stats",
      tracker: server.tracker.stats(),
      reports: snapshot.reports,
      streams: snapshot.streams.map((s) => ({
        streamIds: s.streamIds,
        all: s.windows.all,
        viewers: s.viewers,
      })),
      totals: snapshot.totals,
      originMediaBytes: server.origin.getStats().totals.mediaBytes,
    });
  } else if (message.type === "exit") {
    void server.close().then(() => process.exit(0));
  }
});
process.send?.({ type: "listening", url: server.url });
