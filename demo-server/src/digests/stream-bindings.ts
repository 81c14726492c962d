// Which media playlists belong to the stream a swarm key names: those a manifest lists when the
// asker's manifest URL is that stream key (the SDK's default), or any playlist on an origin the
// operator allows (pages with their own `streamId`). This is what keeps the service from fetching
// URLs of streams it does not track.
import { defaultStreamKey, type DigestRequestError } from "nearcast";
import type { FetchFailure, TextBody } from "./origin-fetch.js";
import { isMasterPlaylist, masterPlaylistUris, PlaylistIndexError } from "./playlist-index.js";
import { manifestMatchesSwarm, parseHttpUrl, resourceKey } from "./url-binding.js";
import { splitLines } from "../origin/playlist-parser.js";

export type BindingResult = { ok: true } | { ok: false; status: 403 | 502; reason: DigestRequestError };

export interface StreamBindingHooks {
  fetchText(url: URL): Promise<TextBody | FetchFailure>;
  now(): number;
  /** Normalised allowed origins, or undefined for any public origin. */
  allowedOrigins: ReadonlySet<string> | undefined;
  maxStreams: number;
  /** How long a manifest's list is trusted, ms. */
  ttlMs: number;
  /** How long a failed manifest fetch is not repeated, ms. */
  failureTtlMs: number;
}

interface KnownStream {
  playlists: ReadonlySet<string>;
  fetchedMs: number;
}

/** A manifest fetched this recently is not fetched again for a playlist it did not list, ms. */
const MIN_REFETCH_MS = 5000;

export class StreamBindings {
  /** Stream key → its manifest's playlist keys; least recently used first. */
  private readonly streams = new Map<string, KnownStream>();
  private readonly fetching = new Map<string, Promise<KnownStream | FetchFailure | undefined>>();
  /** Stream key → a failed manifest fetch, not repeated until `untilMs`. */
  private readonly failures = new Map<string, { untilMs: number; failure: FetchFailure }>();

  constructor(private readonly hooks: StreamBindingHooks) {}

  get size(): number {
    return this.streams.size;
  }

  /** Whether `playlist` may be followed for the swarm `swarmKey`, asked with `manifestText`. */
  async check(swarmKey: string, manifestText: string | undefined, playlist: URL): Promise<BindingResult> {
    const { allowedOrigins } = this.hooks;
    if (allowedOrigins?.has(playlist.origin.toLowerCase())) return { ok: true };
    if (allowedOrigins !== undefined) return refuse(403, "origin_not_allowed");
    const manifest = manifestText === undefined ? undefined : parseHttpUrl(manifestText);
    if (manifest === undefined || !manifestMatchesSwarm(manifestText!, swarmKey)) {
      return refuse(403, "stream_not_tracked");
    }
    const wanted = resourceKey(playlist);
    if (resourceKey(manifest) === wanted) return { ok: true };
    const streamKey = defaultStreamKey(manifestText!);
    const known = await this.list(streamKey, manifest, wanted);
    if (known === undefined) return refuse(403, "stream_not_tracked");
    if ("ok" in known) {
      return known.reason === "address_not_allowed"
        ? refuse(403, "address_not_allowed")
        : refuse(502, "manifest_unavailable");
    }
    return known.playlists.has(wanted) ? { ok: true } : refuse(403, "stream_not_tracked");
  }

  /**
   * The stream's playlist list: remembered, or fetched when stale (or, at most every 5 s, when it
   * lacks `wanted`: a rendition added since). A failed fetch keeps a stale list in use and is not
   * repeated for `failureTtlMs`, so many asks while the origin is down cost it one request.
   */
  private async list(
    streamKey: string,
    manifest: URL,
    wanted: string,
  ): Promise<KnownStream | FetchFailure | undefined> {
    const known = this.streams.get(streamKey);
    const now = this.hooks.now();
    const stale = known === undefined || now - known.fetchedMs > this.hooks.ttlMs;
    const mayRefetch = known === undefined || now - known.fetchedMs > MIN_REFETCH_MS;
    if (!stale && (known.playlists.has(wanted) || !mayRefetch)) return known;
    const failed = this.failures.get(streamKey);
    if (failed !== undefined && failed.untilMs > now) return known ?? failed.failure;
    const fetched = await this.fetchManifest(streamKey, manifest);
    if (fetched !== undefined && "ok" in fetched) {
      this.failures.delete(streamKey);
      this.failures.set(streamKey, { untilMs: this.hooks.now() + this.hooks.failureTtlMs, failure: fetched });
      if (this.failures.size > this.hooks.maxStreams)
        this.failures.delete(this.failures.keys().next().value!);
      return known ?? fetched;
    }
    return fetched;
  }

  /** Fetches and lists one manifest (shared by concurrent asks); undefined when it is no playlist. */
  private fetchManifest(streamKey: string, manifest: URL): Promise<KnownStream | FetchFailure | undefined> {
    let running = this.fetching.get(streamKey);
    if (running === undefined) {
      running = this.hooks.fetchText(manifest).then((result) => {
        if (!result.ok) return result;
        const playlists = playlistKeys(result);
        if (playlists === undefined) return undefined;
        const known = { playlists, fetchedMs: this.hooks.now() };
        this.remember(streamKey, known);
        return known;
      });
      running = running.finally(() => this.fetching.delete(streamKey));
      this.fetching.set(streamKey, running);
    }
    return running;
  }

  private remember(streamKey: string, known: KnownStream): void {
    this.streams.delete(streamKey);
    this.streams.set(streamKey, known);
    if (this.streams.size > this.hooks.maxStreams) this.streams.delete(this.streams.keys().next().value!);
  }
}

/**
 * The playlist keys a manifest lists (URIs resolved against its URL after redirects); a single media
 * playlist lists itself. Undefined for text that is no playlist.
 */
function playlistKeys(body: TextBody): ReadonlySet<string> | undefined {
  try {
    if (!isMasterPlaylist(splitLines(body.text))) {
      if (!body.text.trimStart().startsWith("#EXTM3U")) return undefined;
      return new Set([resourceKey(body.url)]);
    }
    const keys = new Set<string>();
    for (const uri of masterPlaylistUris(body.text)) {
      const url = parseHttpUrl(uri, body.url);
      if (url !== undefined) keys.add(resourceKey(url));
    }
    return keys;
  } catch (error) {
    if (error instanceof PlaylistIndexError) return undefined;
    throw error;
  }
}

function refuse(status: 403 | 502, reason: DigestRequestError): BindingResult {
  return { ok: false, status, reason };
}
