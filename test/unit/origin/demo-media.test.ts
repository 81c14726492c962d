// The npm package ships without the demo media (issue 24): `npm pack` of demo-server/ must not list
// media/, and a server without --media-dir plans its origin from what is on disk (planOrigin).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MEDIA_DIR, PACKAGE_ROOT } from "../../../demo-server/src/config.js";
import { planOrigin } from "../../../demo-server/src/origin/demo-media.js";

describe("nearcast-server package contents", () => {
  it("npm pack lists no demo media (the checkout keeps demo-server/media)", () => {
    // --ignore-scripts: no prepack build; the file list comes from `files`, whatever is built.
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: PACKAGE_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [pack] = JSON.parse(out.slice(out.indexOf("["))) as { files: { path: string }[] }[];
    const paths = pack?.files.map((file) => file.path) ?? [];
    expect(paths).toContain("package.json");
    expect(paths.filter((file) => file.startsWith("media/"))).toEqual([]);
    expect(paths.filter((file) => /\.(ts|m4s|mp4)$/.test(file) && !file.endsWith(".d.ts"))).toEqual([]);
  }, 30_000);
});

describe("planOrigin", () => {
  const hls = [{ path: "/srv/hls/show" }];
  const present = () => true;
  const absent = () => false;

  it("uses the demo media when it is there (a checkout)", () => {
    expect(
      planOrigin({ origin: true, mediaDir: undefined, hlsDirs: [] }, DEFAULT_MEDIA_DIR, present),
    ).toEqual({
      origin: true,
      mediaDir: DEFAULT_MEDIA_DIR,
      demoMediaMissing: false,
    });
  });

  it("switches the origin off when the demo media is not installed and nothing else is given", () => {
    expect(planOrigin({ origin: true, mediaDir: undefined, hlsDirs: [] }, "/pkg/media", absent)).toEqual({
      origin: false,
      mediaDir: undefined,
      demoMediaMissing: true,
    });
  });

  it("serves only the --hls-dir streams when the demo media is not installed", () => {
    expect(planOrigin({ origin: true, mediaDir: undefined, hlsDirs: hls }, "/pkg/media", absent)).toEqual({
      origin: true,
      mediaDir: undefined,
      demoMediaMissing: true,
    });
  });

  it("keeps an explicit --media-dir as given, present or not (a missing one fails start-up later)", () => {
    const probed: string[] = [];
    const plan = planOrigin({ origin: true, mediaDir: "/nonexistent", hlsDirs: [] }, "/pkg/media", (dir) => {
      probed.push(dir);
      return false;
    });
    expect(plan).toEqual({ origin: true, mediaDir: "/nonexistent", demoMediaMissing: false });
    expect(probed).toEqual([]);
  });

  it("reads nothing with --no-origin", () => {
    const plan = planOrigin({ origin: false, mediaDir: undefined, hlsDirs: hls }, path.sep, () => {
      throw new Error("probed the disk");
    });
    expect(plan).toEqual({ origin: false, mediaDir: undefined, demoMediaMissing: false });
  });
});
