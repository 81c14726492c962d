// One card per stream: the offload headline, reported vs origin-measured per window, charts and
// renditions. Built once, then updated in place from each snapshot (no flicker, charts keep state).
import type { StreamSnapshot, WindowName } from "../../src/stats/snapshot-types.js";
import { StreamCharts } from "./charts.js";
import {
  disagreementNote,
  disagreements,
  formatAge,
  formatBytes,
  formatOriginOffload,
  formatPercent,
  plural,
  renditionLabel,
  WINDOW_LABELS,
} from "./format.js";

const WINDOW_ORDER: WindowName[] = ["1m", "15m", "all"];

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

type RowKey =
  "offload" | "originVsReportedOffload" | "httpBytes" | "p2pBytes" | "originBytes" | "uploadedBytes";

const ROWS: { key: RowKey; label: string; className?: string }[] = [
  { key: "offload", label: "Offload reported by viewers (verified)", className: "row-strong" },
  {
    key: "originVsReportedOffload",
    label: "Origin bytes vs reported: 1 − origin ÷ reported",
    className: "row-origin",
  },
  { key: "httpBytes", label: "From CDN (HTTP), reported" },
  { key: "p2pBytes", label: "From peers (P2P), confirmed by both peers" },
  { key: "originBytes", label: "Origin served, measured at the origin" },
  { key: "uploadedBytes", label: "Uploaded to peers, confirmed by both peers" },
];

export class StreamCard {
  readonly root = el("article", "card");
  private readonly title = el("h2", "card-title");
  private readonly badge = el("span", "badge");
  private readonly meta = el("span", "card-meta");
  private readonly bigReported = el("span", "big-value");
  private readonly bigOrigin = el("span", "big-value origin");
  private readonly originBlock = el("div", "big");
  private readonly cells = new Map<string, HTMLTableCellElement>();
  private readonly note = el("p", "note");
  private readonly renditionBody = el("tbody");
  private readonly charts: StreamCharts;

  constructor(readonly key: string) {
    this.root.dataset["streamKey"] = key;
    const head = el("header", "card-head");
    head.append(this.title, this.badge, this.meta);

    const reported = el("div", "big");
    reported.append(
      el("span", "big-label", "Offload · last minute"),
      this.bigReported,
      el("span", "big-sub", "reported by viewers with a session; P2P confirmed by both peers"),
    );
    this.originBlock.append(
      el("span", "big-label", "Origin bytes vs reported · last minute"),
      this.bigOrigin,
      el("span", "big-sub", "1 − bytes the origin served (its own counter) ÷ bytes viewers reported"),
    );
    const headline = el("div", "headline");
    headline.append(reported, this.originBlock);

    const table = el("table", "windows");
    const thead = el("thead");
    const headRow = el("tr");
    headRow.append(el("th"), ...WINDOW_ORDER.map((w) => el("th", undefined, WINDOW_LABELS[w])));
    thead.append(headRow);
    const tbody = el("tbody");
    for (const row of ROWS) {
      const tr = el("tr", row.className);
      tr.dataset["row"] = row.key;
      tr.append(el("th", undefined, row.label));
      for (const window of WINDOW_ORDER) {
        const td = el("td");
        td.dataset["window"] = window;
        this.cells.set(`${row.key}:${window}`, td);
        tr.append(td);
      }
      tbody.append(tr);
    }
    table.append(thead, tbody);
    this.note.hidden = true;

    const figures = el("section", "figures");
    figures.append(headline, table, this.note);

    const throughputBox = el("div", "chart");
    const throughputPlot = el("div", "plot chart-throughput");
    throughputBox.append(el("h3", undefined, "Throughput · last 15 min"), throughputPlot);
    const offloadBox = el("div", "chart");
    const offloadPlot = el("div", "plot chart-offload");
    offloadBox.append(el("h3", undefined, "Offload · last 15 min"), offloadPlot);
    const charts = el("section", "charts");
    charts.append(throughputBox, offloadBox);

    const body = el("div", "card-body");
    body.append(figures, charts);

    const renditions = el("table", "renditions");
    const rhead = el("tr");
    for (const label of [
      "Rendition",
      "Viewers reporting it",
      "In its tracker swarm",
      "HTTP · 15 min",
      "P2P · 15 min",
      "Offload · 1 min",
      "Offload · 15 min",
    ]) {
      rhead.append(el("th", undefined, label));
    }
    const rthead = el("thead");
    rthead.append(rhead);
    renditions.append(rthead, this.renditionBody);

    this.root.append(head, body, renditions);
    // uPlot measures its container: create the charts once the card is in the document.
    this.charts = new StreamCharts(throughputPlot, offloadPlot);
  }

  update(stream: StreamSnapshot, nowMs: number): void {
    this.title.textContent = stream.name;
    this.title.title = stream.streamIds.join("\n");
    // One origin counter can cover several streams (demo/live and demo/vod are both "demo"): then its
    // figure is not this stream's, and the card says so instead of repeating the shared figure.
    const shared = stream.originStream !== null && stream.originSharedBy > 1;
    this.badge.textContent =
      stream.originStream === null
        ? "no origin counter"
        : shared
          ? `origin: ${stream.originStream}, shared by ${stream.originSharedBy} streams`
          : `origin: ${stream.originStream}`;
    this.badge.classList.toggle("muted", stream.originStream === null);
    this.meta.textContent = [
      plural(stream.viewers, "viewer"),
      // Each viewer reports its own connections: a link between two reporting viewers counts twice.
      `${plural(stream.peers, "peer connection")} (counted by both ends)`,
      `last report ${formatAge(nowMs - stream.lastReportMs)}`,
    ].join(" · ");
    this.root.classList.toggle("idle", stream.viewers === 0);

    const minute = stream.windows["1m"];
    this.bigReported.textContent = formatPercent(minute.offload);
    this.bigOrigin.textContent = shared
      ? "— (origin counter shared)"
      : formatOriginOffload(minute.originVsReportedOffload);
    this.originBlock.hidden = stream.originStream === null;

    const flagged = new Set(disagreements(stream.windows).map((d) => d.window));
    for (const window of WINDOW_ORDER) {
      const figures = stream.windows[window];
      const set = (key: RowKey, text: string) => {
        const cell = this.cells.get(`${key}:${window}`);
        if (cell !== undefined) cell.textContent = text;
      };
      set("offload", formatPercent(figures.offload, 1));
      set("originVsReportedOffload", shared ? "—" : formatOriginOffload(figures.originVsReportedOffload, 1));
      set("httpBytes", formatBytes(figures.httpBytes));
      set("p2pBytes", formatBytes(figures.p2pBytes));
      set("originBytes", formatBytes(figures.originBytes));
      set("uploadedBytes", formatBytes(figures.uploadedBytes));
      this.cells.get(`originVsReportedOffload:${window}`)?.classList.toggle("disagree", flagged.has(window));
    }
    const note = disagreementNote(stream.windows, stream.originSharedBy);
    this.note.textContent = note;
    this.note.hidden = note === "";

    this.renderRenditions(stream);
    this.charts.update(stream.series);
  }

  destroy(): void {
    this.charts.destroy();
    this.root.remove();
  }

  private renderRenditions(stream: StreamSnapshot): void {
    const rows = stream.renditions.map((r) => {
      const tr = el("tr");
      const name = el("td", "rendition", renditionLabel(r.rendition));
      name.title = r.rendition;
      tr.append(
        name,
        el("td", undefined, String(r.viewers)),
        el("td", undefined, r.swarmPeers === null ? "—" : plural(r.swarmPeers, "peer")),
        el("td", undefined, formatBytes(r.windows["15m"].httpBytes)),
        el("td", undefined, formatBytes(r.windows["15m"].p2pBytes)),
        el("td", undefined, formatPercent(r.windows["1m"].offload, 1)),
        el("td", undefined, formatPercent(r.windows["15m"].offload, 1)),
      );
      return tr;
    });
    if (rows.length === 0) {
      const tr = el("tr");
      const td = el("td", "empty-row", "No per-rendition figures reported yet.");
      td.colSpan = 7;
      tr.append(td);
      rows.push(tr);
    }
    this.renditionBody.replaceChildren(...rows);
  }
}
