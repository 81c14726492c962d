// NAT traversal bench: which NAT pairs connect with STUN only and with STUN + TURN (coturn), and the
// offload of a small live swarm behind those NATs. Linux network namespaces; run as root.
//   npm run bench:nat -- [--rounds N] [--live-sec S]
import { parseArgs } from "node:util";
import { runNatExperiment } from "../test/support/netns/nat-matrix.js";
import { formatLiveTable, formatLiveViewers, formatPairTable } from "../test/support/netns/nat-table.js";
import { netnsUnavailableReason } from "../test/support/netns/topology.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, "live-sec": { type: "string", default: "60" } },
});
const rounds = Number(values.rounds);
const liveSec = Number(values["live-sec"]);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isFinite(liveSec) || liveSec < 0) {
  console.error("usage: npm run bench:nat -- [--rounds N>=1] [--live-sec S>=0]");
  process.exit(2);
}
const unavailable = netnsUnavailableReason();
if (unavailable) {
  console.error(`NAT bench cannot run here: ${unavailable}`);
  process.exit(1);
}
const startedMs = Date.now();
const { pairs, live } = await runNatExperiment({
  pairRounds: rounds,
  pairTimeoutMs: 25_000,
  liveDurationMs: liveSec * 1000,
  log: (line) => console.log(`[${((Date.now() - startedMs) / 1000).toFixed(1)} s] ${line}`),
});
console.log(`\nConnection per NAT pair (${rounds} round${rounds > 1 ? "s" : ""}, 25 s to connect):\n`);
console.log(formatPairTable(pairs));
if (live.length > 0) {
  console.log(
    `\nLive swarm of 4 viewers behind NAT (2 endpoint-independent, 2 symmetric), ${liveSec} s each:\n`,
  );
  console.log(formatLiveTable(live));
  console.log(`\n${formatLiveViewers(live)}`);
}
process.exit(0);
