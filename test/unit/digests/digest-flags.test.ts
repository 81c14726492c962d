import { describe, expect, it } from "vitest";
import { parseCliArgs, type CliParseResult } from "../../../demo-server/src/cli/parse-args.js";

const CWD = "/home/op";

function digestsOf(result: CliParseResult) {
  if (result.kind !== "options") throw new Error(`expected options, got ${JSON.stringify(result)}`);
  return result.options.digests;
}

describe("digest service flags", () => {
  it("read flags and their environment variables into the digest options", () => {
    expect(
      digestsOf(
        parseCliArgs(
          [
            "--digests-min-swarm=50",
            "--digests-allow-private",
            "10.0.0.0/8, 127.0.0.1:8081,[::1]:9000",
            "--digests-origin-headers-file",
            "conf/headers.json",
          ],
          { NEARCAST_DIGESTS_ALLOWED_ORIGINS: "https://CDN.example,http://b.example:8080" },
          CWD,
        ),
      ),
    ).toEqual({
      minSwarmSize: 50,
      allowPrivate: ["10.0.0.0/8", "127.0.0.1:8081", "[::1]:9000"],
      allowedOrigins: ["https://cdn.example", "http://b.example:8080"],
      originHeadersFile: "/home/op/conf/headers.json",
    });
    expect(digestsOf(parseCliArgs([], { NEARCAST_DIGESTS_MIN_SWARM: "0" }, CWD))).toEqual({
      minSwarmSize: 0,
    });
  });

  it("name the flag that is wrong", () => {
    const cases: [string[], string][] = [
      [["--digests-min-swarm", "-1"], "--digests-min-swarm"],
      [["--digests-allow-private", "localhost"], "--digests-allow-private"],
      [["--digests-allowed-origins", "https://cdn.example/path"], "--digests-allowed-origins"],
    ];
    for (const [argv, flag] of cases) {
      const result = parseCliArgs(argv, {}, CWD);
      expect(result.kind === "error" && result.error.flag, argv.join(" ")).toBe(flag);
    }
  });
});
