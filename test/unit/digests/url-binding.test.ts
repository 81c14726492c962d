import { describe, expect, it } from "vitest";
import {
  manifestMatchesSwarm,
  parseHttpUrl,
  resourceKey,
  segmentBindingKey,
  segmentFetchUrl,
} from "../../../demo-server/src/digests/url-binding.js";

const url = (text: string) => parseHttpUrl(text)!;

describe("parseHttpUrl", () => {
  it("takes http(s) URLs, resolves relative ones and drops the fragment", () => {
    expect(parseHttpUrl("seg-1.ts?token=a#x", "https://cdn.example/v/index.m3u8")?.href).toBe(
      "https://cdn.example/v/seg-1.ts?token=a",
    );
  });

  it("refuses other schemes, garbage and URLs with credentials (they would be sent as Basic auth)", () => {
    for (const text of [
      "file:///etc/passwd",
      "gopher://x/",
      "ftp://a/b",
      "not a url",
      "http://user:pw@cdn.example/a.ts",
    ]) {
      expect(parseHttpUrl(text)).toBeUndefined();
    }
  });
});

describe("resourceKey", () => {
  it("keeps scheme, host, path and content-selecting query; drops per-viewer parameters", () => {
    expect(resourceKey(url("https://CDN.example:443/live/a.m3u8?v=B&token=x&hdnts=y"))).toBe(
      "https://cdn.example/live/a.m3u8?v=B",
    );
    expect(resourceKey(url("http://cdn.example:8080/live/a.m3u8"))).not.toBe(
      resourceKey(url("http://cdn.example:8081/live/a.m3u8")),
    );
  });
});

describe("segmentBindingKey", () => {
  it("binds path, content query and byte range, not the host or a token", () => {
    const a = segmentBindingKey(url("https://a.example/v/s1.ts?token=1"), [0, 100]);
    expect(segmentBindingKey(url("https://b.example/v/s1.ts?token=2"), [0, 100])).toBe(a);
    expect(segmentBindingKey(url("https://a.example/v/s1.ts"), [100, 200])).not.toBe(a);
    expect(segmentBindingKey(url("https://a.example/v/s1.ts"), undefined)).not.toBe(a);
    expect(segmentBindingKey(url("https://a.example/v/s1.ts?v=B"), [0, 100])).not.toBe(a);
  });
});

describe("manifestMatchesSwarm", () => {
  const manifest = "https://cdn.example/live/master.m3u8";

  it("accepts the SDK's default stream key of the asker's manifest, tokens and all", () => {
    expect(manifestMatchesSwarm(`${manifest}?token=abc`, `${manifest}|v800000-640x360-avc1`)).toBe(true);
  });

  it("refuses another stream, a prefix of it, a page streamId and a bare stream key", () => {
    expect(manifestMatchesSwarm(manifest, "https://cdn.example/live/other.m3u8|v1")).toBe(false);
    expect(manifestMatchesSwarm("https://cdn.example/live/master", `${manifest}|v1`)).toBe(false);
    expect(manifestMatchesSwarm(`${manifest}?v=A`, `${manifest}?v=B|v1`)).toBe(false);
    expect(manifestMatchesSwarm(manifest, "my-stream-id|v1")).toBe(false);
    expect(manifestMatchesSwarm(manifest, `${manifest}|`)).toBe(false);
  });
});

describe("segmentFetchUrl", () => {
  it("fetches from the host the playlist lists, with the asker's path and token", () => {
    const fetched = segmentFetchUrl(
      url("https://cdn.example/v/s1.ts"),
      url("https://evil.example/v/s1.ts?token=t"),
    );
    expect(fetched.href).toBe("https://cdn.example/v/s1.ts?token=t");
  });
});
