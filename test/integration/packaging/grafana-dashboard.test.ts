// docs/grafana/nearcast-dashboard.json is only useful if its queries name metrics the server really
// exports: start the server, scrape /metrics, and check every metric in every query is there.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const DASHBOARD = path.join(REPO_ROOT, "docs/grafana/nearcast-dashboard.json");

interface Target {
  expr: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: { name: string; query: { query: string } | string }[] };
}

/** PromQL words that look like identifiers but name no metric. */
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
]);

/**
 * The metric names a PromQL expression reads: identifiers left after removing strings, label
 * matchers `{…}`, ranges `[…]`, grouping clauses `by (…)`, function calls' names and keywords.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name = "", call] = match;
    if (call !== undefined || KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

/** Every query of the dashboard: panel targets (rows included) and template variables. */
function queries(dashboard: Dashboard): { where: string; metrics: string[] }[] {
  const found: { where: string; metrics: string[] }[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        found.push({ where: `panel "${panel.title}": ${target.expr}`, metrics: metricNames(target.expr) });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === "string" ? variable.query : variable.query.query;
    const labelValues = /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,/.exec(query);
    found.push({
      where: `variable $${variable.name}: ${query}`,
      metrics: labelValues ? [labelValues[1] ?? ""] : metricNames(query),
    });
  }
  return found;
}

/** Names the exposition declares (`# TYPE`) or has samples for (histogram _bucket/_sum/_count too). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) names.add(type[1] ?? "");
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample) names.add(sample[1] ?? "");
  }
  return names;
}

let server: RunningServer | undefined;

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe("Grafana dashboard", () => {
  it("reads metric names out of PromQL", () => {
    expect(
      metricNames(
        'sum by (source) (rate(nearcast_reported_bytes_total{stream=~"$stream"}[$__rate_interval]))',
      ),
    ).toEqual(["nearcast_reported_bytes_total"]);
    expect(metricNames("process_resident_memory_bytes / on (instance) nodejs_heap_size_total_bytes")).toEqual(
      ["process_resident_memory_bytes", "nodejs_heap_size_total_bytes"],
    );
  });

  it("queries only metrics that the server's /metrics exports", async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
    const res = await fetch(`${server!.url}/metrics`);
    expect(res.status).toBe(200);
    const exported = exportedNames(await res.text());
    const all = queries(dashboard);
    expect(all.length).toBeGreaterThan(10);
    const missing = all.flatMap(({ where, metrics }) =>
      metrics.filter((name) => !exported.has(name)).map((name) => `${name} (${where})`),
    );
    expect(missing).toEqual([]);
    // Every query reads at least one metric: a query the parser emptied would check nothing.
    expect(all.filter(({ metrics }) => metrics.length === 0)).toEqual([]);
  });
});
