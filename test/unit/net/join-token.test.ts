import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { grantCovers, mintJoinToken, verifyJoinToken } from "../../../demo-server/src/net/join-token.js";
import { AccessPolicy, normalizeOrigin } from "../../../demo-server/src/net/access-policy.js";
import { parseCliArgs } from "../../../demo-server/src/cli/parse-args.js";
import { runTokenCommand } from "../../../demo-server/src/cli/token-command.js";

const SECRET = "unit-test-secret-0123456789";
const T0 = 1_800_000_000_000;
const sha1 = (s: string) => createHash("sha1").update(s).digest().toString("latin1");

describe("join tokens", () => {
  it("round-trips a stream and info-hash scope until it expires", () => {
    const hash = "ab".repeat(20);
    const token = mintJoinToken({
      secret: SECRET,
      streams: ["s"],
      infoHashes: [hash.toUpperCase()],
      ttlSec: 60,
      nowMs: T0,
    });
    const check = verifyJoinToken(token, SECRET, T0 + 59_000);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.grant.streams).toEqual(["s"]);
    expect(check.grant.infoHashes.has(Buffer.from(hash, "hex").toString("latin1"))).toBe(true);
    expect(verifyJoinToken(token, SECRET, T0 + 60_000)).toEqual({ ok: false, reason: "token_expired" });
  });

  it("refuses tampered, foreign and malformed tokens without throwing", () => {
    const token = mintJoinToken({ secret: SECRET, streams: ["s"], ttlSec: 60, nowMs: T0 });
    const [prefix, , signature] = token.split(".");
    const widened = Buffer.from(JSON.stringify({ exp: 9e9, s: ["s", "t"], h: [] })).toString("base64url");
    for (const bad of [
      `${prefix}.${widened}.${signature}`,
      token + "x",
      "nc1..",
      "x".repeat(5000),
      "a.b.c",
      "nc1.e30.zz",
    ]) {
      expect(verifyJoinToken(bad, SECRET, T0).ok).toBe(false);
    }
    expect(verifyJoinToken(token, "another-secret-0123456789", T0)).toEqual({
      ok: false,
      reason: "token_invalid",
    });
    expect(verifyJoinToken(undefined, SECRET, T0)).toEqual({ ok: false, reason: "token_missing" });
  });

  it("rejects impossible tokens at minting", () => {
    expect(() => mintJoinToken({ secret: "short", streams: ["s"], ttlSec: 60 })).toThrow(RangeError);
    expect(() => mintJoinToken({ secret: SECRET, ttlSec: 60 })).toThrow(/stream or info-hash/);
    expect(() => mintJoinToken({ secret: SECRET, infoHashes: ["xyz"], ttlSec: 60 })).toThrow(/40 hex/);
    expect(() => mintJoinToken({ secret: SECRET, streams: ["s"], ttlSec: 0 })).toThrow(/ttlSec/);
    expect(() => mintJoinToken({ secret: SECRET, streams: ["s"], ttlSec: 1e9 })).toThrow(/ttlSec/);
  });

  it("a stream grant covers exactly the info-hashes made from that stream's swarm keys", () => {
    const grant = { streams: ["https://a/m.m3u8"], infoHashes: new Set<string>(), expiresAtMs: T0 };
    const key = "https://a/m.m3u8|v1";
    expect(grantCovers(grant, sha1(key), key)).toBe(true);
    expect(grantCovers(grant, sha1(key), undefined)).toBe(false);
    expect(grantCovers(grant, sha1("https://a/m.m3u8|v2"), key)).toBe(false);
    expect(grantCovers(grant, sha1("https://a/m.m3u8x|v1"), "https://a/m.m3u8x|v1")).toBe(false);
    expect(grantCovers(undefined, sha1(key), undefined)).toBe(true);
  });

  it("lets a stream grant cover the query-selected videos behind its path, and a query grant only its own", () => {
    const grant = (stream: string) => ({ streams: [stream], infoHashes: new Set<string>(), expiresAtMs: 0 });
    const a = "https://a/watch/index.m3u8?v=A|v1";
    expect(grantCovers(grant("https://a/watch/index.m3u8"), sha1(a), a)).toBe(true);
    expect(grantCovers(grant("https://a/watch/index.m3u8?v=A"), sha1(a), a)).toBe(true);
    const b = "https://a/watch/index.m3u8?v=B|v1";
    expect(grantCovers(grant("https://a/watch/index.m3u8?v=A"), sha1(b), b)).toBe(false);
    // A longer path is another stream, query or not.
    const other = "https://a/watch/index.m3u8x?v=A|v1";
    expect(grantCovers(grant("https://a/watch/index.m3u8"), sha1(other), other)).toBe(false);
  });
});

describe("access policy", () => {
  it("matches origins exactly, case-insensitively, without paths", () => {
    const policy = new AccessPolicy({
      joinTokenSecret: undefined,
      allowedOrigins: ["https://Site.example"],
      allowedInfoHashes: undefined,
    });
    expect(policy.checkUpgrade("https://site.example", undefined).ok).toBe(true);
    for (const origin of ["https://site.example:8443", "http://site.example", "null", undefined]) {
      expect(policy.checkUpgrade(origin, undefined)).toMatchObject({
        ok: false,
        reason: "origin_not_allowed",
        status: 403,
      });
    }
    expect(normalizeOrigin("https://site.example/path")).toBeUndefined();
  });
});

describe("server flags and the token command", () => {
  it("reads access options from flags and environment variables", () => {
    const parsed = parseCliArgs(
      [
        "--tracker-allowed-origins",
        "https://a.example, https://b.example",
        "--tracker-token-secret-file",
        "s.txt",
      ],
      { NEARCAST_TRACKER_ALLOWED_INFO_HASHES: "ab".repeat(20), NEARCAST_TRUST_PROXY: "1" },
      "/srv",
    );
    expect(parsed).toMatchObject({
      kind: "options",
      options: {
        trustProxy: true,
        trackerTokenSecretFile: "/srv/s.txt",
        trackerAccess: {
          allowedOrigins: ["https://a.example", "https://b.example"],
          allowedInfoHashes: ["ab".repeat(20)],
        },
      },
    });
    const bad = parseCliArgs(["--tracker-allowed-origins", "site.example"], {});
    expect(bad).toMatchObject({ kind: "error", error: { flag: "--tracker-allowed-origins" } });
  });

  it("mints a token the tracker accepts, with the secret from a file or the environment", () => {
    const result = runTokenCommand(
      ["--stream", "s", "--ttl", "120"],
      { NEARCAST_TRACKER_TOKEN_SECRET: SECRET },
      () => "",
      T0,
    );
    expect(result.kind).toBe("token");
    if (result.kind === "token") expect(verifyJoinToken(result.token, SECRET, T0 + 119_000).ok).toBe(true);
    const fromFile = runTokenCommand(
      ["--info-hash", "cd".repeat(20), "--tracker-token-secret-file", "f"],
      {},
      () => `${SECRET}\n`,
      T0,
    );
    expect(fromFile.kind).toBe("token");
    expect(runTokenCommand(["--stream", "s"], {}, () => "")).toMatchObject({
      kind: "error",
      message: /no secret/,
    });
    expect(
      runTokenCommand(["--stream", "s", "--ttl", "-1"], { NEARCAST_TRACKER_TOKEN_SECRET: SECRET }, () => ""),
    ).toMatchObject({ kind: "error" });
  });

  it("reads the secret from the server's own settings: NEARCAST_TRACKER_TOKEN_SECRET_FILE first (issue 24)", () => {
    const files: Record<string, string> = { "/etc/nearcast/token-secret": `${SECRET}\n`, "/empty": "\n" };
    const read = (file: string): string => {
      const text = files[file];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${file}'`);
      return text;
    };
    // The server reads the file variable over the secret variable; so does `token`.
    const env = {
      NEARCAST_TRACKER_TOKEN_SECRET_FILE: "/etc/nearcast/token-secret",
      NEARCAST_TRACKER_TOKEN_SECRET: "x".repeat(20),
    };
    const result = runTokenCommand(["--stream", "https://cdn.example.com/live/master.m3u8"], env, read, T0);
    expect(result.kind).toBe("token");
    if (result.kind === "token") expect(verifyJoinToken(result.token, SECRET, T0 + 1000).ok).toBe(true);
    // The flag wins over the variable, as on the server.
    expect(
      runTokenCommand(["--stream", "s", "--tracker-token-secret-file", "/missing"], env, read, T0),
    ).toMatchObject({ kind: "error", message: /cannot read the secret file \/missing/ });
    expect(
      runTokenCommand(["--stream", "s"], { NEARCAST_TRACKER_TOKEN_SECRET_FILE: "/empty" }, read, T0),
    ).toMatchObject({ kind: "error", message: /is empty/ });
    // With nothing set, the error names every place the secret may come from.
    expect(runTokenCommand(["--stream", "s"], {}, read, T0)).toMatchObject({
      kind: "error",
      message:
        /--tracker-token-secret-file.*NEARCAST_TRACKER_TOKEN_SECRET_FILE.*NEARCAST_TRACKER_TOKEN_SECRET/,
    });
  });
});
