import { percentile as benchPercentile } from "../lib/percentile.js";
import type { LoadResult } from "./load-client.js";

/**
 * Latency percentile (p in 0–1) over every announce sent, by the benches' one definition (R-7), except
 * that unanswered announces count as infinitely late: when the percentile's rank reaches them it is ∞.
 */
export function percentile(answeredMs: number[], sent: number, p: number): number {
  if (sent === 0) return Number.NaN;
  if (answeredMs.length < sent && Math.ceil(p * (sent - 1)) >= answeredMs.length)
    return Number.POSITIVE_INFINITY;
  const missing = sent - answeredMs.length;
  // Unanswered ones are the largest values: the rank among all sent maps onto the answered ones.
  const q = answeredMs.length <= 1 ? 0 : Math.min(1, (p * (sent - 1)) / (answeredMs.length - 1));
  return missing === 0
    ? (benchPercentile(answeredMs, 100 * p) ?? Number.NaN)
    : (benchPercentile(answeredMs, 100 * q) ?? Number.NaN);
}

export interface StepFigures {
  rate: number;
  sent: number;
  answered: number;
  answeredShare: number;
  responsesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  offersPerSec: number;
  answersPerSec: number;
  failures: number;
  generatorLagMs: number;
  /** CPU seconds the tracker process(es) used during the step (set by the caller). */
  trackerCpuSec: number;
}

/** Merges the workers' results of one step (`durationMs` of sending). */
export function stepFigures(rate: number, durationMs: number, results: LoadResult[]): StepFigures {
  const latencies = results.flatMap((r) => r.latenciesMs);
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const sec = durationMs / 1000;
  return {
    rate,
    sent,
    answered: latencies.length,
    answeredShare: sent === 0 ? 0 : latencies.length / sent,
    responsesPerSec: latencies.length / sec,
    p50Ms: percentile(latencies, sent, 0.5),
    p99Ms: percentile(latencies, sent, 0.99),
    offersPerSec: results.reduce((n, r) => n + r.offersReceived, 0) / sec,
    answersPerSec: results.reduce((n, r) => n + r.answersReceived, 0) / sec,
    failures: results.reduce((n, r) => n + r.failures, 0),
    generatorLagMs: Math.max(...results.map((r) => r.maxLagMs)),
    trackerCpuSec: Number.NaN,
  };
}

/** The saturation rule: a step fails when p99 > 250 ms or fewer than 90 % are answered. */
export function saturated(step: StepFigures): boolean {
  return step.p99Ms > 250 || step.answeredShare < 0.9;
}

export const ms = (value: number): string =>
  Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : "∞";
export const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
export const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

/**
 * Tracker CPU per answered announce, offers and answers included (ms). CPU time is what the process
 * consumed, not wall time, so it holds up on a machine shared with other work where latencies do not.
 */
export function cpuMsPerAnnounce(step: StepFigures): number {
  return step.answered === 0 ? Number.NaN : (1000 * step.trackerCpuSec) / step.answered;
}
