// A live chart of this viewer's HTTP and P2P throughput (uPlot). Segments arrive in bursts every
// couple of seconds, so bytes are summed in 5-second buckets: a rate, not a row of spikes.
import uPlot from "uplot";
import { formatElapsed } from "./page-state.js";

const WINDOW_SEC = 120;
const BUCKET_SEC = 5;

export class ThroughputChart {
  private readonly times: number[] = [];
  private readonly http: number[] = [];
  private readonly p2p: number[] = [];
  private readonly plot: uPlot;

  constructor(container: HTMLElement) {
    const now = bucketOf(Date.now());
    // The time axis counts from the page's start (m:ss), not the wall clock: "03:00 03:30" read as
    // hours. Buckets before the start are left unlabelled.
    const startSec = now;
    for (let t = now - WINDOW_SEC + BUCKET_SEC; t <= now; t += BUCKET_SEC) {
      this.times.push(t);
      this.http.push(0);
      this.p2p.push(0);
    }
    const axis = { stroke: "#8b98a5", grid: { stroke: "#25303b" }, ticks: { stroke: "#25303b" } };
    const elapsed = (_u: uPlot, values: number[]) => values.map((v) => formatElapsed(v - startSec));
    this.plot = new uPlot(
      {
        width: container.clientWidth || 300,
        height: 150,
        series: [
          {},
          { label: "HTTP kbit/s", stroke: "#f0a04b", fill: "rgba(240,160,75,0.15)", width: 1.5 },
          { label: "P2P kbit/s", stroke: "#3fb950", fill: "rgba(63,185,80,0.15)", width: 1.5 },
        ],
        axes: [
          { ...axis, values: elapsed, space: 60, label: "time since the page opened (m:ss)", labelSize: 18 },
          { ...axis, size: 50, label: "kbit/s", labelSize: 18 },
        ],
        legend: { live: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(100, max * 1.1)] } },
        cursor: { show: false },
      },
      [this.times, this.http, this.p2p],
      container,
    );
    new ResizeObserver(() => this.plot.setSize({ width: container.clientWidth, height: 150 })).observe(
      container,
    );
  }

  add(source: "http" | "p2p", bytes: number): void {
    this.roll();
    const series = source === "http" ? this.http : this.p2p;
    series[series.length - 1]! += (bytes * 8) / 1000 / BUCKET_SEC;
  }

  /** Advance to the current second and redraw. */
  render(): void {
    this.roll();
    this.plot.setData([this.times, this.http, this.p2p]);
  }

  private roll(): void {
    const now = bucketOf(Date.now());
    while ((this.times[this.times.length - 1] ?? now) < now) {
      this.times.push((this.times[this.times.length - 1] ?? now) + BUCKET_SEC);
      this.http.push(0);
      this.p2p.push(0);
      this.times.shift();
      this.http.shift();
      this.p2p.shift();
    }
  }
}

function bucketOf(ms: number): number {
  return Math.floor(ms / 1000 / BUCKET_SEC) * BUCKET_SEC;
}
