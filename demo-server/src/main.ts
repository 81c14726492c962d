#!/usr/bin/env node
// CLI entry point: `nearcast-server [flags]` (built: demo-server/dist/main.js; see cli.ts for the flags).
// Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT) or --help, 2 for a bad flag, 1 for any other
// start-up failure (missing media folder, port in use…). Errors are one line on stderr, no stack trace.
import { readFileSync } from "node:fs";
import pino from "pino";
import { parseCliArgs } from "./cli/parse-args.js";
import type { CliOptions } from "./cli/parse-args.js";
import { USAGE } from "./cli/usage.js";
import { ServerOptionsError } from "./config.js";
import { runDigestsCommand } from "./cli/digests-command.js";
import { CatalogError } from "./origin/catalog-types.js";
import { DEMO_MEDIA_MISSING, DEMO_MEDIA_MISSING_HLS_ONLY } from "./origin/demo-media.js";
import { startServer } from "./server.js";
import { runTokenCommand, TOKEN_USAGE } from "./cli/token-command.js";
import type { RunningServer } from "./server.js";

/** A stuck shutdown (a service that never closes) must not keep the process alive forever. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

function fail(message: string, code: number): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = code;
}

function printBanner(server: RunningServer, options: CliOptions): void {
  const local = ["0.0.0.0", "::", "127.0.0.1", "::1", "localhost"].includes(options.host);
  const base = local ? `http://localhost:${server.port}` : server.url;
  const rows: [string, string][] = [["player", `${base}/`]];
  for (const name of server.origin.catalog.streams.keys()) {
    rows.push([`${name} live`, `${base}/streams/${name}/live/master.m3u8`]);
    rows.push([`${name} vod`, `${base}/streams/${name}/vod/master.m3u8`]);
  }
  rows.push(["tracker", `${base.replace(/^http/, "ws")}/tracker`]);
  if (server.demoMediaMissing) {
    const text = server.originOn ? DEMO_MEDIA_MISSING_HLS_ONLY : DEMO_MEDIA_MISSING;
    rows.push(["demo media", text.replace(/^demo media /, "")]);
  }
  if (server.originOn) rows.push(["origin stats", `${base}/api/origin/stats`]);
  else rows.push(["demo origin", options.origin ? "off (demo media not installed)" : "off (--no-origin)"]);
  rows.push(["tracker stats", `${base}/api/tracker/stats`]);
  rows.push(["viewer stats", `${base}/api/stats (viewers report to ${base}/api/stats/report)`]);
  rows.push(["dashboard", `${base}/dashboard`]);
  rows.push(["metrics", `${base}/metrics`]);
  rows.push([
    "digest service",
    server.digestMinSwarm === undefined
      ? "off"
      : `${base}/api/digests (POST; swarms of ${server.digestMinSwarm}+ viewers)`,
  ]);
  const { turnUrls, stunUrls } = options.ice;
  rows.push([
    "ICE config",
    `${base}/api/ice (${stunUrls.length} STUN, ${turnUrls.length > 0 ? `TURN ${turnUrls.join(" ")}` : "TURN off"})`,
  ]);
  const access = options.trackerAccess;
  rows.push([
    "access",
    [
      access.joinTokenSecret === undefined
        ? "open tracker (no join tokens)"
        : "join tokens required (a page without a valid ?token= is refused, close code 4401)",
      access.allowedOrigins === undefined ? "any page origin" : `origins ${access.allowedOrigins.join(" ")}`,
      options.acceptAnonymousReports
        ? "reports counted without a session too"
        : "reports need a tracker session",
      options.adminSecret === undefined ? "admin actions off" : "admin actions with the admin secret",
    ].join("; "),
  ]);
  if (options.cdnLatencyMs > 0 || options.cdnBandwidthKbps > 0) {
    const bandwidth = options.cdnBandwidthKbps > 0 ? `${options.cdnBandwidthKbps} kbit/s` : "unlimited";
    rows.push(["CDN emulation", `latency ${options.cdnLatencyMs} ms, bandwidth ${bandwidth} per request`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  process.stdout.write(
    `Nearcast demo server listening on ${options.host}:${server.port}\n${lines.join("\n")}\n`,
  );
}

function handleSignals(server: RunningServer, logger: pino.Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(EXIT_FAILURE); // second signal: the user insists
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => process.exit(EXIT_FAILURE), SHUTDOWN_TIMEOUT_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function tokenCommand(argv: string[]): void {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(TOKEN_USAGE);
    return;
  }
  const result = runTokenCommand(argv, process.env, (file) => readFileSync(file, "utf8"));
  if (result.kind === "error") return fail(result.message, EXIT_USAGE);
  process.stdout.write(`${result.token}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === "token") return tokenCommand(process.argv.slice(3));
  if (process.argv[2] === "digests") {
    process.exitCode = await runDigestsCommand(
      process.argv.slice(3),
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
    return;
  }
  const parsed = parseCliArgs(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === "error") {
    fail(parsed.error.message, EXIT_USAGE);
    return;
  }
  const options = parsed.options;
  const files: [string, string | undefined, (secret: string) => void][] = [
    [
      "--tracker-token-secret-file",
      options.trackerTokenSecretFile,
      (secret) => (options.trackerAccess = { ...options.trackerAccess, joinTokenSecret: secret }),
    ],
    ["--server-secret-file", options.serverSecretFile, (secret) => (options.serverSecret = secret)],
    ["--admin-secret-file", options.adminSecretFile, (secret) => (options.adminSecret = secret)],
  ];
  for (const [flag, file, use] of files) {
    if (file === undefined) continue;
    try {
      use(readFileSync(file, "utf8").trim());
    } catch (error) {
      return fail(`cannot read ${flag}: ${(error as Error).message}`, EXIT_USAGE);
    }
  }
  const logger = pino(
    { level: process.env["LOG_LEVEL"] ?? "info" },
    pino.destination({ dest: 2, sync: true }),
  );
  let server: RunningServer;
  try {
    server = await startServer({ ...options, logger });
  } catch (error) {
    if (error instanceof CatalogError) return fail(error.message, EXIT_FAILURE);
    if (error instanceof ServerOptionsError || error instanceof RangeError)
      return fail(error.message, EXIT_USAGE);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      return fail(
        `cannot listen on ${options.host}:${options.port} (${code}); choose another --port/--host`,
        EXIT_FAILURE,
      );
    }
    return fail(error instanceof Error ? error.message : String(error), EXIT_FAILURE);
  }
  handleSignals(server, logger);
  printBanner(server, options);
}

await main();
