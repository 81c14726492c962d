// Issue 24: the operator guide's flags table lacked flags the CLI has. Every flag `nearcast-server`
// parses, and every environment variable standing in for one, must appear in `--help` and in
// docs/production.md — as a table row, so a reader scanning the tables finds it. The token
// command's flags must be in its own help and in the guide's text.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../demo-server/src/config.js";
import { FLAG_ENV } from "../../../demo-server/src/cli/env.js";
import { CLI_FLAGS } from "../../../demo-server/src/cli/parse-args.js";
import { TOKEN_USAGE } from "../../../demo-server/src/cli/token-command.js";
import { USAGE } from "../../../demo-server/src/cli/usage.js";

const GUIDE = readFileSync(path.join(REPO_ROOT, "docs/production.md"), "utf8");
/** The guide's table rows (lines starting with "|"), where flags and variables are listed. */
const TABLE_ROWS = GUIDE.split("\n").filter((line) => line.startsWith("|"));
const FLAGS = Object.keys(CLI_FLAGS).filter((flag) => flag !== "help");

describe("every nearcast-server flag is documented", () => {
  it.each(FLAGS)("--%s is in --help and in a table row of docs/production.md", (flag) => {
    expect(USAGE).toContain(`--${flag}`);
    expect(TABLE_ROWS.some((row) => row.includes(`\`--${flag}`))).toBe(true);
  });

  it.each(Object.entries(FLAG_ENV))(
    "the variable of --%s (%s) is in --help and in the guide's tables",
    (_flag, name) => {
      expect(USAGE).toContain(name);
      expect(TABLE_ROWS.some((row) => row.includes(name))).toBe(true);
    },
  );

  it("the token command's flags are in its help and in the guide", () => {
    for (const flag of ["--stream", "--ttl", "--tracker-token-secret-file"]) {
      expect(TOKEN_USAGE).toContain(flag);
      expect(GUIDE).toContain(flag);
    }
    expect(GUIDE).toContain("nearcast-server token --stream https://");
  });
});
