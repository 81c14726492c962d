import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../../demo-server/src/cli.js";
import type { CliParseResult } from "../../../demo-server/src/cli.js";
import { DEFAULT_MEDIA_DIR } from "../../../demo-server/src/config.js";

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
      host: "0.0.0.0",
      mediaDir: DEFAULT_MEDIA_DIR,
      hlsDirs: [],
      liveWindowSegments: 20,
      cdnLatencyMs: 0,
      cdnBandwidthKbps: 0,
      trustProxy: false,
    });
  });

  it("reads every flag, in both --flag value and --flag=value forms", () => {
    expect(
      options([
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
      ]),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      mediaDir: "/home/viewer/media",
      hlsDirs: [{ path: "/srv/hls/show" }, { name: "clip", path: "/home/clips/one" }],
      liveWindowSegments: 6,
      cdnLatencyMs: 120,
      cdnBandwidthKbps: 4000,
      trustProxy: true,
    });
  });

  it("takes the port from PORT unless --port is given", () => {
    expect(options([], { PORT: "9000" }).port).toBe(9000);
    expect(options(["--port", "9001"], { PORT: "9000" }).port).toBe(9001);
    expect(errorOf(parseCliArgs([], { PORT: "http" }, CWD))).toEqual({
      flag: "PORT",
      message: 'PORT must be an integer 0-65535, got "http"',
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
  ] as const)("rejects %j naming %s", (argv, flag, message) => {
    const error = errorOf(parseCliArgs([...argv], {}, CWD));
    expect(error.flag).toBe(flag);
    if (typeof message === "string") expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });
});
