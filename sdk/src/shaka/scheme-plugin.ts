// Shaka loads everything through scheme plugins registered once per page (`http`, `https`), with
// no per-player hook that can answer a request itself; per-player request filters see each request
// first, with its context (stream, segment), but can only edit it. So: each Nearcast player filter
// tags the segment requests it wants to answer, and one shared plugin answers tagged requests
// through their Nearcast and passes every other request to Shaka's own HTTP plugin.
import type { ShakaNamespaceLike, ShakaRequest, ShakaSchemePlugin } from "./shaka-types.js";

/** Answers one tagged request: Shaka's AbortableOperation, or undefined to leave it to Shaka. */
export type TaggedLoad = (uri: string, request: ShakaRequest, requestType: number) => unknown;

/** Requests a filter claimed, until the plugin takes them (the same object flows filter → plugin). */
const tagged = new WeakMap<ShakaRequest, TaggedLoad>();
/** Shaka namespaces our plugin is registered with (a page may bundle two copies of Shaka). */
const registered = new WeakSet<object>();

/** Claim `request` for `load`; called from a player's request filter on every attempt. */
export function claimRequest(request: ShakaRequest, load: TaggedLoad): void {
  tagged.set(request, load);
}

/** Forget a claim that the plugin will not see (the filter's player was detached). */
export function releaseRequest(request: ShakaRequest): void {
  tagged.delete(request);
}

/**
 * Register the shared plugin for `http` and `https` with `shaka`, once. It takes the APPLICATION
 * priority, as an app's own plugin would: a plugin the page registers after it at that priority
 * replaces it (Shaka keeps one plugin per scheme), and Nearcast then sees no request.
 */
export function ensureSchemePlugin(shaka: ShakaNamespaceLike): void {
  if (registered.has(shaka)) return;
  registered.add(shaka);
  const net = shaka.net;
  const fallback: ShakaSchemePlugin = net.HttpFetchPlugin.isSupported()
    ? (...args) => net.HttpFetchPlugin.parse(...args)
    : (...args) => net.HttpXHRPlugin.parse(...args);
  const plugin: ShakaSchemePlugin = (uri, request, requestType, progressUpdated, headersReceived, config) => {
    const load = tagged.get(request);
    tagged.delete(request);
    const operation = load?.(uri, request, requestType);
    return operation ?? fallback(uri, request, requestType, progressUpdated, headersReceived, config);
  };
  const priority = net.NetworkingEngine.PluginPriority.APPLICATION;
  // No progress support: Shaka would then run its own stall and connection timers and abort a
  // segment Nearcast is deliberately holding for a peer; Nearcast applies the request's timeouts.
  net.NetworkingEngine.registerScheme("http", plugin, priority, false);
  net.NetworkingEngine.registerScheme("https", plugin, priority, false);
}
