// The parts of Shaka Player (5.x) the adapter touches, as structural types: the SDK never imports
// shaka-player (a peer dependency the page brings), and its declarations need none of Shaka's. Names
// follow shaka.extern / shaka.net; only what Nearcast reads or calls is listed.

/** shaka.extern.Request. */
export interface ShakaRequest {
  uris: string[];
  method: string;
  headers: Record<string, string>;
  allowCrossSiteCredentials: boolean;
  retryParameters: {
    /** Whole request, ms; 0 = none. */
    timeout: number;
    /** Until the response headers, ms; 0 = none. */
    connectionTimeout: number;
  };
  /**
   * Set when Shaka would append chunks as they arrive (low-latency MP4); a plugin that never calls
   * it gets the whole response appended instead.
   */
  streamDataCallback: ((data: ArrayBuffer | ArrayBufferView) => Promise<unknown>) | null;
}

/** shaka.extern.Response. */
export interface ShakaResponse {
  uri: string;
  originalUri: string;
  data: ArrayBuffer | ArrayBufferView;
  headers: Record<string, string>;
  originalRequest: ShakaRequest;
  status?: number;
  /** What Shaka's ABR samples (with `data.byteLength`), ms. */
  timeMs?: number;
  fromCache?: boolean;
}

/** shaka.extern.Stream: a rendition (video, audio or text). */
export interface ShakaStream {
  id: number;
  type: string;
  /** The manifest's own name for it (DASH Representation@id; HLS: a media tag's NAME or null). */
  originalId: string | null;
  bandwidth?: number;
  width?: number;
  height?: number;
  codecs: string;
  mimeType: string;
  language: string;
  label: string | null;
}

/** shaka.media.SegmentReference (media segments); init segments come without one. */
export interface ShakaSegmentReference {
  getStartTime(): number;
  getEndTime(): number;
}

/** shaka.extern.RequestContext. */
export interface ShakaRequestContext {
  type?: number;
  stream?: ShakaStream;
  segment?: ShakaSegmentReference | null;
  isPreload?: boolean;
}

/** shaka.extern.SchemePlugin. */
export type ShakaSchemePlugin = (
  uri: string,
  request: ShakaRequest,
  requestType: number,
  progressUpdated: (timeMs: number, bytes: number, remaining: number) => void,
  headersReceived: (headers: Record<string, string>) => void,
  config: object,
) => unknown;

/** shaka.extern.RequestFilter. */
export type ShakaRequestFilter = (
  requestType: number,
  request: ShakaRequest,
  context?: ShakaRequestContext,
) => void | Promise<unknown>;

/** shaka.Player (what the adapter reads of one). */
export interface ShakaPlayerLike {
  getNetworkingEngine(): {
    registerRequestFilter(filter: ShakaRequestFilter): void;
    unregisterRequestFilter(filter: ShakaRequestFilter): void;
  } | null;
  getAssetUri(): string | null;
  getMediaElement(): HTMLMediaElement | null;
  isLive(): boolean;
  getStats(): { estimatedBandwidth: number };
}

/** shaka.util.Error as a class with its enums. */
export interface ShakaErrorClass {
  new (severity: number, category: number, code: number, ...data: unknown[]): Error;
  Severity: { RECOVERABLE: number; CRITICAL: number };
  Category: { NETWORK: number; PLAYER: number };
  Code: { BAD_HTTP_STATUS: number; HTTP_ERROR: number; TIMEOUT: number; OPERATION_ABORTED: number };
}

/** The `shaka` namespace a page imports (`import shaka from "shaka-player"`), as far as Nearcast uses it. */
export interface ShakaNamespaceLike {
  net: {
    NetworkingEngine: {
      registerScheme(
        scheme: string,
        plugin: ShakaSchemePlugin,
        priority?: number,
        progressSupport?: boolean,
      ): void;
      RequestType: { SEGMENT: number };
      AdvancedRequestType: { INIT_SEGMENT: number; MEDIA_SEGMENT: number };
      PluginPriority: { APPLICATION: number };
    };
    // Method syntax: Shaka's own parse() takes its full Request type, ours the fields we read.
    HttpFetchPlugin: { parse(...args: Parameters<ShakaSchemePlugin>): unknown; isSupported(): boolean };
    HttpXHRPlugin: { parse(...args: Parameters<ShakaSchemePlugin>): unknown };
  };
  util: {
    AbortableOperation: new (promise: Promise<unknown>, onAbort: () => Promise<unknown>) => unknown;
    Error: ShakaErrorClass;
  };
}
