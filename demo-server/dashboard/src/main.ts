// The offload dashboard: subscribes to /api/stats/events and renders each snapshot in place.
import "uplot/dist/uPlot.min.css";
import "../../../demo-player/theme.css";
import "../styles.css";
import type { StatsSnapshot } from "../../src/stats/snapshot-types.js";
import { formatAge, formatPercent, formatRate, plural } from "./format.js";
import { StreamCard } from "./stream-card.js";

declare global {
  interface Window {
    /** The latest snapshot, for tests and curious people. */
    nearcastStats?: StatsSnapshot;
    /** Snapshots rendered since the page loaded. */
    nearcastSnapshots?: number;
  }
}

const EVENTS_URL = "/api/stats/events";
/** An EventSource closed for good (503, server gone for long) is reopened after this, doubling. */
const REOPEN_MIN_MS = 2_000;
const REOPEN_MAX_MS = 30_000;
/** Without a snapshot for this long the figures are flagged stale (they are pushed every second). */
const STALE_AFTER_MS = 5_000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

type ConnectionState = "connecting" | "live" | "retrying" | "stale";

const cards = new Map<string, StreamCard>();
let lastSnapshotAt = 0;
let lastSnapshot: StatsSnapshot | undefined;
let state: ConnectionState = "connecting";

function setState(next: ConnectionState): void {
  state = next;
  const pill = $("connection");
  pill.dataset["state"] = next;
  const text: Record<ConnectionState, string> = {
    connecting: "Connecting…",
    live: "Live",
    retrying: "Disconnected, retrying…",
    stale: "No update for a while, retrying…",
  };
  pill.textContent = text[next];
  document.body.classList.toggle("offline", next === "retrying" || next === "stale");
}

function render(snapshot: StatsSnapshot): void {
  lastSnapshot = snapshot;
  window.nearcastStats = snapshot;
  window.nearcastSnapshots = (window.nearcastSnapshots ?? 0) + 1;
  renderSummary(snapshot);
  $("empty").hidden = snapshot.streams.length > 0;
  $("summary").hidden = snapshot.streams.length === 0;

  const list = $("streams");
  const seen = new Set<string>();
  for (const [index, stream] of snapshot.streams.entries()) {
    seen.add(stream.key);
    let card = cards.get(stream.key);
    if (card === undefined) {
      card = new StreamCard(stream.key);
      cards.set(stream.key, card);
    }
    // Keep the server's order (most-watched first) without re-inserting cards that are in place.
    if (list.children[index] !== card.root) list.insertBefore(card.root, list.children[index] ?? null);
    card.update(stream, snapshot.atMs);
  }
  for (const [key, card] of cards) {
    if (seen.has(key)) continue;
    card.destroy();
    cards.delete(key);
  }
  const omitted = $("omitted");
  omitted.hidden = snapshot.omittedStreams === 0;
  omitted.textContent = `${plural(snapshot.omittedStreams, "less-watched stream")} not shown (see /metrics or /api/stats).`;
}

function renderSummary(snapshot: StatsSnapshot): void {
  const totals = snapshot.totals;
  $("total-offload").textContent = formatPercent(totals.windows["1m"].offload);
  $("total-offload-15m").textContent = formatPercent(totals.windows["15m"].offload, 1);
  $("total-offload-all").textContent = formatPercent(totals.windows.all.offload, 1);
  $("total-origin").textContent = formatPercent(totals.windows["1m"].originVsReportedOffload);
  $("total-viewers").textContent = String(totals.viewers);
  $("total-peers").textContent = String(totals.peers);
  const minute = totals.windows["1m"];
  $("total-rate").textContent = formatRate((minute.httpBytes + minute.p2pBytes) / 60);
  const tracker = snapshot.tracker;
  $("tracker").title =
    "A swarm per stream rendition. A viewer is a member of each rendition it loaded in the last minute " +
    "(the SDK leaves a swarm after 60 s unused), so memberships can exceed viewers after a switch.";
  $("tracker").textContent =
    tracker === null
      ? "no tracker"
      : // A swarm per stream rendition; a viewer is a member of each rendition it played in the last
        // minute (the SDK leaves a swarm after 60 s unused), so memberships can exceed viewers.
        `${plural(tracker.swarms, "swarm")} · ${plural(tracker.peers, "membership")} · ${plural(tracker.connections, "socket")}`;
  const reports = snapshot.reports;
  const reasons = Object.entries(reports.rejectedByReason)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, count]) => `${reason.replace(/_/g, " ")} ${count}`);
  $("reports").textContent =
    `Reports: ${reports.accepted} accepted · ${reports.duplicates} duplicate · ${reports.rejected} rejected` +
    (reasons.length > 0 ? ` (${reasons.join(", ")})` : "");
  $("updated").textContent =
    `Windows end ${formatAge(snapshot.atMs - snapshot.settledToMs)}, when every viewer has reported.`;
}

function connect(): void {
  let reopenMs = REOPEN_MIN_MS;
  let source: EventSource | undefined;
  const open = (): void => {
    source = new EventSource(EVENTS_URL);
    source.addEventListener("open", () => {
      reopenMs = REOPEN_MIN_MS;
    });
    source.addEventListener("snapshot", (event) => {
      try {
        const snapshot = JSON.parse((event as MessageEvent<string>).data) as StatsSnapshot;
        lastSnapshotAt = Date.now();
        setState("live");
        render(snapshot);
      } catch (error) {
        console.error("dashboard: bad snapshot", error);
      }
    });
    source.addEventListener("error", () => {
      setState("retrying");
      // The browser retries by itself unless the stream failed for good (an HTTP error such as 503).
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(open, reopenMs);
        reopenMs = Math.min(REOPEN_MAX_MS, reopenMs * 2);
      }
    });
  };
  open();
  setInterval(() => {
    if (state === "live" && Date.now() - lastSnapshotAt > STALE_AFTER_MS) {
      // Open but silent (a stuck proxy or server): start over rather than wait forever.
      setState("stale");
      source?.close();
      open();
    }
    if (lastSnapshot !== undefined) {
      // Keep "last report … ago" moving between snapshots while disconnected.
      const age = Date.now() - lastSnapshotAt;
      if (age > STALE_AFTER_MS) $("updated").textContent = `Last update ${formatAge(age)}.`;
    }
  }, 1_000);
}

setState("connecting");
$("boot").remove();
connect();
