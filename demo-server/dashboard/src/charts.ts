// The two uPlot charts of a stream card: throughput (HTTP vs P2P, origin beside) and offload ratio
// (reported vs origin-measured), over the last 15 minutes.
import uPlot from "uplot";
import type { SeriesSnapshot } from "../../src/stats/snapshot-types.js";
import { formatPercent, formatRate, seriesTimes } from "./format.js";

const COLORS = {
  http: "#f0a04b",
  p2p: "#3fb950",
  origin: "#58a6ff",
  axis: "#8b98a5",
  grid: "#25303b",
};

const CHART_HEIGHT = 190;

function axes(format: (value: number) => string): uPlot.Axis[] {
  const common = {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    font: "11px system-ui, sans-serif",
  };
  return [common, { ...common, size: 84, values: (_u, splits) => splits.map((v) => format(v)) }];
}

function alpha(hex: string, opacity: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${opacity})`;
}

export class StreamCharts {
  private readonly throughput: uPlot;
  private readonly offload: uPlot;
  private readonly resize: ResizeObserver;

  constructor(throughputEl: HTMLElement, offloadEl: HTMLElement) {
    const width = Math.max(240, throughputEl.clientWidth);
    this.throughput = new uPlot(
      {
        width,
        height: CHART_HEIGHT,
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(max, 1000) * 1.1] } },
        axes: axes((v) => formatRate(v)),
        series: [
          {},
          {
            label: "From CDN (HTTP)",
            stroke: COLORS.http,
            fill: alpha(COLORS.http, 0.15),
            width: 2,
            value: (_u, v) => formatRate(v),
          },
          {
            label: "From peers (P2P)",
            stroke: COLORS.p2p,
            fill: alpha(COLORS.p2p, 0.15),
            width: 2,
            value: (_u, v) => formatRate(v),
          },
          {
            label: "Origin served (measured)",
            stroke: COLORS.origin,
            dash: [6, 4],
            width: 1.5,
            value: (_u, v) => formatRate(v),
          },
        ],
      },
      [[], [], [], []],
      throughputEl,
    );
    this.offload = new uPlot(
      {
        width,
        height: CHART_HEIGHT,
        cursor: { drag: { x: false, y: false } },
        // Below −100% (origin served more than twice what viewers report) the line is clipped.
        scales: { y: { range: (_u, min) => [Math.max(-1, Math.min(0, Number.isFinite(min) ? min : 0)), 1] } },
        axes: axes((v) => formatPercent(v)),
        series: [
          {},
          {
            label: "Reported by viewers",
            stroke: COLORS.p2p,
            width: 2,
            spanGaps: false,
            value: (_u, v) => formatPercent(v, 1),
          },
          {
            label: "Origin bytes vs reported",
            stroke: COLORS.origin,
            dash: [6, 4],
            width: 1.5,
            value: (_u, v) => formatPercent(v, 1),
          },
        ],
      },
      [[], [], []],
      offloadEl,
    );
    this.resize = new ResizeObserver(() => {
      const next = Math.max(240, throughputEl.clientWidth);
      this.throughput.setSize({ width: next, height: CHART_HEIGHT });
      this.offload.setSize({ width: Math.max(240, offloadEl.clientWidth), height: CHART_HEIGHT });
    });
    this.resize.observe(throughputEl);
    this.resize.observe(offloadEl);
  }

  update(series: SeriesSnapshot): void {
    const x = seriesTimes(series.startMs, series.bucketMs, series.httpBps.length);
    this.throughput.setData([x, series.httpBps, series.p2pBps, series.originBps]);
    this.offload.setData([x, series.offload, series.originVsReportedOffload]);
  }

  destroy(): void {
    this.resize.disconnect();
    this.throughput.destroy();
    this.offload.destroy();
  }
}
