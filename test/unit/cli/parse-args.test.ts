import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../../demo-server/src/cli/parse-args.js";
import type { CliParseResult } from "../../../demo-server/src/cli/parse-args.js";
import { DEFAULT_STUN_URLS } from "../../../demo-server/src/ice/ice-options.js";

const CWD = "/home/viewer";

function options(argv: string[], env: Record<string, string> = {}) {
  const result = parseCliArgs(argv, env, CWD);
  if (result.kind !== "options") throw new Error(`expected options, got ${JSON.stringify(result)}`);
  return result.options;
}

function errorOf(result: CliParseResult): { flag: string; message: string } {
  if (result.kind !== "error") throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return { flag: result.error.flag, message: result.error.message };
}

describe("parseCliArgs", () => {
  it("has a default for every flag", () => {
    expect(options([])).toEqual({
      port: 8080,
      host: "127.0.0.1",
      mediaDir: undefined,
      hlsDirs: [],
      liveWindowSegments: 20,
      cdnLatencyMs: 0,
      cdnBandwidthKbps: 0,
      trustProxy: false,
      origin: true,
      ice: { stunUrls: [...DEFAULT_STUN_URLS], turnUrls: [], turnSecret: undefined, turnTtlSec: 3600 },
      trackerAccess: { joinTokenSecret: undefined, allowedOrigins: undefined, allowedInfoHashes: undefined },
      redisUrl: undefined,
      publishDigests: true,
      serverSecret: undefined,
      adminSecret: undefined,
      turnOpen: false,
      acceptAnonymousReports: false,
      maxHttpConnectionsPerIp: 256,
      maxResponsesInFlightPerIp: 128,
      writeStallTimeoutMs: 30_000,
      digests: {},
    });
  });

  it("reads every flag, in both --flag value and --flag=value forms", () => {
    expect(
      options(
        [
          "--port=0",
          "--host",
          "127.0.0.1",
          "--media-dir",
          "media",
          "--hls-dir",
          "/srv/hls/show",
          "--hls-dir=clip=../clips/one",
          "--live-window",
          "6",
          "--cdn-latency-ms",
          "120",
          "--cdn-bandwidth-kbps=4000",
          "--trust-proxy",
          "--stun-url=stun:stun.example.com:3478",
          "--turn-url",
          "turn:turn.example.com:3478?transport=udp",
          "--turn-ttl-sec",
          "600",
          "--no-digests",
          "--turn-open",
          "--accept-anonymous-reports",
          "--server-secret-file",
          "server.secret",
          "--admin-secret-file=/etc/nearcast/admin",
          "--max-http-connections-per-ip",
          "64",
          "--max-responses-in-flight-per-ip=32",
          "--write-stall-timeout-ms",
          "15000",
        ],
        { NEARCAST_TURN_SECRET: "s3cret" },
      ),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      mediaDir: "/home/viewer/media",
      hlsDirs: [{ path: "/srv/hls/show" }, { name: "clip", path: "/home/clips/one" }],
      liveWindowSegments: 6,
      cdnLatencyMs: 120,
      cdnBandwidthKbps: 4000,
      trustProxy: true,
      origin: true,
      ice: {
        stunUrls: ["stun:stun.example.com:3478"],
        turnUrls: ["turn:turn.example.com:3478?transport=udp"],
        turnSecret: "s3cret",
        turnTtlSec: 600,
      },
      trackerAccess: { joinTokenSecret: undefined, allowedOrigins: undefined, allowedInfoHashes: undefined },
      redisUrl: undefined,
      publishDigests: false,
      serverSecret: undefined,
      adminSecret: undefined,
      serverSecretFile: "/home/viewer/server.secret",
      adminSecretFile: "/etc/nearcast/admin",
      turnOpen: true,
      acceptAnonymousReports: true,
      maxHttpConnectionsPerIp: 64,
      maxResponsesInFlightPerIp: 32,
      writeStallTimeoutMs: 15_000,
      digests: {},
    });
  });

  it("reads the per-address HTTP limits from the environment and refuses values out of range", () => {
    expect(
      options([], {
        NEARCAST_MAX_HTTP_CONNECTIONS_PER_IP: "512",
        NEARCAST_MAX_RESPONSES_IN_FLIGHT_PER_IP: "16",
        NEARCAST_WRITE_STALL_TIMEOUT_MS: "60000",
      }),
    ).toMatchObject({
      maxHttpConnectionsPerIp: 512,
      maxResponsesInFlightPerIp: 16,
      writeStallTimeoutMs: 60_000,
    });
    expect(errorOf(parseCliArgs(["--max-http-connections-per-ip", "0"], {}, CWD))).toEqual({
      flag: "--max-http-connections-per-ip",
      message: '--max-http-connections-per-ip must be an integer 1-100000, got "0"',
    });
    expect(errorOf(parseCliArgs([], { NEARCAST_WRITE_STALL_TIMEOUT_MS: "500" }, CWD))).toEqual({
      flag: "NEARCAST_WRITE_STALL_TIMEOUT_MS",
      message: 'NEARCAST_WRITE_STALL_TIMEOUT_MS must be an integer 1000-600000, got "500"',
    });
  });

  it("takes the server and admin secrets from the environment, never from a flag value", () => {
    expect(
      options([], {
        NEARCAST_SERVER_SECRET: "0123456789abcdef-server",
        NEARCAST_ADMIN_SECRET: "0123456789abcdef-admin",
        NEARCAST_TURN_OPEN: "1",
        NEARCAST_ACCEPT_ANONYMOUS_REPORTS: "yes",
      }),
    ).toMatchObject({
      serverSecret: "0123456789abcdef-server",
      adminSecret: "0123456789abcdef-admin",
      turnOpen: true,
      acceptAnonymousReports: true,
    });
    expect(options([], { NEARCAST_SERVER_SECRET_FILE: "s.txt" }).serverSecretFile).toBe("/home/viewer/s.txt");
  });

  it("takes the port from PORT unless --port is given", () => {
    expect(options([], { PORT: "9000" }).port).toBe(9000);
    expect(options(["--port", "9001"], { PORT: "9000" }).port).toBe(9001);
    expect(errorOf(parseCliArgs([], { PORT: "http" }, CWD))).toEqual({
      flag: "PORT",
      message: 'PORT must be an integer 0-65535, got "http"',
    });
  });

  it("takes the TURN secret from NEARCAST_TURN_SECRET only, and refuses a secret without a TURN URL", () => {
    expect(
      options(["--turn-url", "turns:t.example:5349?transport=tcp"], { NEARCAST_TURN_SECRET: "k" }).ice,
    ).toMatchObject({ turnUrls: ["turns:t.example:5349?transport=tcp"], turnSecret: "k" });
    expect(options(["--stun-url", "none"]).ice.stunUrls).toEqual([]);
    expect(errorOf(parseCliArgs([], { NEARCAST_TURN_SECRET: "k" }, CWD)).message).toMatch(/no TURN URL/);
  });

  it("reads the ICE flags from comma-separated environment variables", () => {
    expect(
      options([], {
        NEARCAST_STUN_URLS: "stun:a.example:3478, stun:b.example:3478",
        NEARCAST_TURN_URLS: "turn:t.example:3478?transport=udp,turns:t.example:5349?transport=tcp",
        NEARCAST_TURN_TTL_SEC: "900",
        NEARCAST_TURN_SECRET: "k",
      }).ice,
    ).toEqual({
      stunUrls: ["stun:a.example:3478", "stun:b.example:3478"],
      turnUrls: ["turn:t.example:3478?transport=udp", "turns:t.example:5349?transport=tcp"],
      turnSecret: "k",
      turnTtlSec: 900,
    });
  });

  it("takes the Redis URL from --redis or NEARCAST_REDIS_URL, and rejects anything but redis(s)://", () => {
    expect(options([]).redisUrl).toBeUndefined();
    expect(options(["--redis", "redis://10.0.0.5:6379"]).redisUrl).toBe("redis://10.0.0.5:6379");
    expect(options([], { NEARCAST_REDIS_URL: "rediss://cache:6380/2" }).redisUrl).toBe(
      "rediss://cache:6380/2",
    );
    expect(errorOf(parseCliArgs(["--redis", "10.0.0.5:6379"], {}, CWD))).toEqual({
      flag: "--redis",
      message: '--redis must be a URL such as redis://127.0.0.1:6379, got "10.0.0.5:6379"',
    });
  });

  it("answers --help and -h", () => {
    expect(parseCliArgs(["--help"]).kind).toBe("help");
    expect(parseCliArgs(["--port", "1", "-h"]).kind).toBe("help");
  });

  it.each([
    [["--port", "abc"], "--port", '--port must be an integer 0-65535, got "abc"'],
    [["--port", "65536"], "--port", '--port must be an integer 0-65535, got "65536"'],
    [["--port", "-1"], "--port", "--port needs a value: an integer 0-65535"],
    [["--port", "1.5"], "--port", '--port must be an integer 0-65535, got "1.5"'],
    [["--port"], "--port", "--port needs a value: an integer 0-65535"],
    [["--live-window", "0"], "--live-window", '--live-window must be an integer 1-10000, got "0"'],
    [
      ["--cdn-latency-ms", "fast"],
      "--cdn-latency-ms",
      '--cdn-latency-ms must be an integer 0-60000, got "fast"',
    ],
    [
      ["--cdn-bandwidth-kbps", "1e3"],
      "--cdn-bandwidth-kbps",
      '--cdn-bandwidth-kbps must be an integer 0-100000000, got "1e3"',
    ],
    [["--host", ""], "--host", '--host must be an address such as 127.0.0.1, got ""'],
    [["--media-dir="], "--media-dir", '--media-dir must be a folder path, got ""'],
    [["--hls-dir", "bad name=/x"], "--hls-dir", /--hls-dir name must be letters/],
    [["--hls-dir", "..=/x"], "--hls-dir", /--hls-dir name must be letters/],
    [["--verbose"], "--verbose", "unknown flag --verbose (run with --help to list the flags)"],
    [["-x"], "-x", "unknown flag -x (run with --help to list the flags)"],
    [["--help=yes"], "--help", "--help takes no value"],
    [["serve"], "serve", 'unexpected argument "serve"; flags start with --'],
    [["--stun-url", "stun.example.com"], "--stun-url", /STUN URL must look like stun:host:port/],
    [["--turn-url", "turn:t.example:3478"], "--turn-url", /TURN URLs need the shared secret/],
    [["--turn-url", "http://t.example"], "--turn-url", /TURN URL must look like turn:/],
    [["--turn-ttl-sec", "5"], "--turn-ttl-sec", /--turn-ttl-sec must be an integer 60-604800/],
  ] as const)("rejects %j naming %s", (argv, flag, message) => {
    const error = errorOf(parseCliArgs([...argv], {}, CWD));
    expect(error.flag).toBe(flag);
    if (typeof message === "string") expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });
});

describe("parseCliArgs: --no-origin and environment variables", () => {
  it("switches the demo origin off with --no-origin or NEARCAST_ORIGIN=0", () => {
    expect(options(["--no-origin"]).origin).toBe(false);
    expect(options([], { NEARCAST_ORIGIN: "0" }).origin).toBe(false);
    expect(options([], { NEARCAST_ORIGIN: "off" }).origin).toBe(false);
    expect(options([], { NEARCAST_ORIGIN: "true" }).origin).toBe(true);
    expect(options(["--no-origin"], { NEARCAST_ORIGIN: "1" }).origin).toBe(false);
  });

  it("reads every valued flag from its environment variable, and a flag wins over it", () => {
    const env = {
      PORT: "9000",
      NEARCAST_HOST: "127.0.0.1",
      NEARCAST_MEDIA_DIR: "media",
      NEARCAST_LIVE_WINDOW: "6",
      NEARCAST_CDN_LATENCY_MS: "150",
      NEARCAST_CDN_BANDWIDTH_KBPS: "3000",
      NEARCAST_TRUST_PROXY: "yes",
    };
    expect(options([], env)).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      mediaDir: `${CWD}/media`,
      liveWindowSegments: 6,
      cdnLatencyMs: 150,
      cdnBandwidthKbps: 3000,
      trustProxy: true,
      origin: true,
    });
    expect(options(["--port", "0", "--live-window=9", "--host", "::1"], env)).toMatchObject({
      port: 0,
      liveWindowSegments: 9,
      host: "::1",
    });
  });

  it("names the environment variable in the error when its value is bad", () => {
    expect(errorOf(parseCliArgs([], { NEARCAST_LIVE_WINDOW: "many" }, CWD)).flag).toBe(
      "NEARCAST_LIVE_WINDOW",
    );
    expect(errorOf(parseCliArgs([], { NEARCAST_ORIGIN: "maybe" }, CWD))).toEqual({
      flag: "NEARCAST_ORIGIN",
      message: 'NEARCAST_ORIGIN must be 1/true/yes/on or 0/false/no/off, got "maybe"',
    });
    expect(errorOf(parseCliArgs(["--no-origin=1"], {}, CWD)).flag).toBe("--no-origin");
  });
});
