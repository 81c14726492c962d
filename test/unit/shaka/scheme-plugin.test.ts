import { describe, expect, it } from "vitest";
import { claimRequest, ensureSchemePlugin, releaseRequest } from "../../../sdk/src/shaka/scheme-plugin.js";
import type {
  ShakaNamespaceLike,
  ShakaRequest,
  ShakaSchemePlugin,
} from "../../../sdk/src/shaka/shaka-types.js";

/** A `shaka` namespace that records scheme registrations; its HTTP plugin answers "shaka's own". */
function fakeShaka() {
  const schemes = new Map<string, { plugin: ShakaSchemePlugin; priority?: number; progress?: boolean }>();
  const fallbackCalls: string[] = [];
  const shaka = {
    net: {
      NetworkingEngine: {
        registerScheme: (scheme: string, plugin: ShakaSchemePlugin, priority?: number, progress?: boolean) =>
          schemes.set(scheme, { plugin, priority, progress }),
        RequestType: { SEGMENT: 1 },
        AdvancedRequestType: { INIT_SEGMENT: 0, MEDIA_SEGMENT: 1 },
        PluginPriority: { APPLICATION: 3 },
      },
      HttpFetchPlugin: {
        isSupported: () => true,
        parse: (uri: string) => {
          fallbackCalls.push(uri);
          return "shaka's own";
        },
      },
      HttpXHRPlugin: { parse: () => "xhr" },
    },
    util: {},
  } as unknown as ShakaNamespaceLike;
  return { shaka, schemes, fallbackCalls };
}

const request = (): ShakaRequest => ({
  uris: ["https://cdn/a.m4s"],
  method: "GET",
  headers: {},
  allowCrossSiteCredentials: false,
  retryParameters: { timeout: 0, connectionTimeout: 0 },
  streamDataCallback: null,
});
const call = (plugin: ShakaSchemePlugin, uri: string, req: ShakaRequest) =>
  plugin(
    uri,
    req,
    1,
    () => {},
    () => {},
    {},
  );

describe("the shared Shaka scheme plugin", () => {
  it("registers once per namespace, for http and https, without Shaka's progress timers", () => {
    const { shaka, schemes } = fakeShaka();
    ensureSchemePlugin(shaka);
    const first = schemes.get("https")!.plugin;
    ensureSchemePlugin(shaka);
    expect([...schemes.keys()].sort()).toEqual(["http", "https"]);
    expect(schemes.get("https")!.plugin).toBe(first);
    expect(schemes.get("http")).toMatchObject({ priority: 3, progress: false });
  });

  it("answers a claimed request through its claim, everything else through Shaka's own plugin", () => {
    const { shaka, schemes, fallbackCalls } = fakeShaka();
    ensureSchemePlugin(shaka);
    const plugin = schemes.get("https")!.plugin;
    const claimed = request();
    claimRequest(claimed, (uri) => `nearcast ${uri}`);
    expect(call(plugin, "https://cdn/a.m4s", claimed)).toBe("nearcast https://cdn/a.m4s");
    // A claim is used once: Shaka's retry runs the filter (and claims) again.
    expect(call(plugin, "https://cdn/a.m4s", claimed)).toBe("shaka's own");
    expect(call(plugin, "https://cdn/b.m4s", request())).toBe("shaka's own");
    const declined = request();
    claimRequest(declined, () => undefined);
    expect(call(plugin, "https://cdn/c.m4s", declined)).toBe("shaka's own");
    const released = request();
    claimRequest(released, () => "nearcast");
    releaseRequest(released);
    expect(call(plugin, "https://cdn/d.m4s", released)).toBe("shaka's own");
    expect(fallbackCalls).toEqual([
      "https://cdn/a.m4s",
      "https://cdn/b.m4s",
      "https://cdn/c.m4s",
      "https://cdn/d.m4s",
    ]);
  });
});
