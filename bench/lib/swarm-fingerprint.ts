// Which SDK the bench measured: the commit plus a hash of the working tree's sdk/src, so a report
// says whether it ran on committed code or on local edits (worker processes load the SDK afresh
// for every run, so an edit between two runs of one invocation would change what is measured).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../demo-server/src/config.js";

export interface SdkFingerprint {
  commit: string;
  /** sdk/src files that differ from the commit (git status), if any. */
  changedFiles: string[];
  /** Short hash of every file under sdk/src. */
  treeHash: string;
}

export function sdkFingerprint(root = REPO_ROOT): SdkFingerprint {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trimEnd();
    } catch {
      return "";
    }
  };
  const changedFiles = git(["status", "--porcelain", "--", "sdk/src"])
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3));
  const hash = createHash("sha1");
  const dir = path.join(root, "sdk", "src");
  for (const file of listFiles(dir)) {
    hash.update(path.relative(dir, file));
    hash.update(readFileSync(file));
  }
  return {
    commit: git(["rev-parse", "--short", "HEAD"]) || "unknown",
    changedFiles,
    treeHash: hash.digest("hex").slice(0, 10),
  };
}

export function describeFingerprint(f: SdkFingerprint): string {
  const local =
    f.changedFiles.length === 0 ? "no local changes" : `local changes in ${f.changedFiles.join(", ")}`;
  return `commit ${f.commit}, ${local} (sdk/src hash ${f.treeHash})`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
