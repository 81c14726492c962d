// hls.js's request customisation (`xhrSetup`, `fetchSetup`) applied to Nearcast's own segment
// requests, so a page that taught hls.js how to reach its CDN (a bearer token, withCredentials, a
// signed URL) needs to tell Nearcast nothing more.
import type { FragmentLoaderContext, HlsConfig } from "hls.js";
import type { HttpRequestSetup, HttpRequestSpec } from "../core/types.js";

type XhrSetup = NonNullable<HlsConfig["xhrSetup"]>;
type FetchSetup = NonNullable<HlsConfig["fetchSetup"]>;

/**
 * The hook hls.js itself would apply to this fragment: `fetchSetup` when its `loader` is the fetch
 * loader, else `xhrSetup`; undefined when the page set neither. With only one of the two set, that
 * one is used whatever the loader.
 */
export function hlsRequestSetup(
  config: Pick<HlsConfig, "xhrSetup" | "fetchSetup" | "loader">,
  context: FragmentLoaderContext,
): HttpRequestSetup | undefined {
  const { xhrSetup, fetchSetup } = config;
  if (fetchSetup && (!xhrSetup || loaderUsesFetch(config))) {
    return (spec) => viaFetchSetup(fetchSetup, spec, context);
  }
  if (xhrSetup) return (spec) => viaXhrSetup(xhrSetup, spec, context);
  return undefined;
}

/** hls.js exports its loaders as types only: tell them apart by the hook field a fetch loader has. */
function loaderUsesFetch(config: Pick<HlsConfig, "loader">): boolean {
  const LoaderClass = config.loader as unknown as new (c: unknown) => { destroy(): void };
  try {
    const probe = new LoaderClass(config);
    const usesFetch = "fetchSetup" in probe;
    probe.destroy();
    return usesFetch;
  } catch {
    return false;
  }
}

/** Calls `fetchSetup(context, init)` as hls.js's FetchLoader does and reads back the Request it made. */
async function viaFetchSetup(
  fetchSetup: FetchSetup,
  spec: HttpRequestSpec,
  context: FragmentLoaderContext,
): Promise<HttpRequestSpec> {
  const init = {
    method: "GET",
    mode: "cors",
    credentials: spec.credentials,
    headers: new Headers(spec.headers),
  };
  const request: Request = await fetchSetup({ ...context, url: spec.url }, init);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  return { url: request.url, headers, credentials: request.credentials };
}

/**
 * Runs `xhrSetup` on a stand-in XMLHttpRequest that records what it does, following hls.js's
 * XhrLoader: called before `open()`; if it throws (e.g. `setRequestHeader` on an unopened request),
 * `open("GET", url)` and call it again. Kept: the URL it opened, headers it set, `withCredentials`.
 */
async function viaXhrSetup(
  xhrSetup: XhrSetup,
  spec: HttpRequestSpec,
  context: FragmentLoaderContext,
): Promise<HttpRequestSpec> {
  const xhr = new RecordingXhr(spec.credentials === "include");
  const asXhr = xhr as unknown as XMLHttpRequest;
  const hookContext = { ...context, url: spec.url };
  try {
    await xhrSetup(asXhr, spec.url, hookContext);
  } catch {
    if (xhr.readyState === 0) xhr.open("GET", spec.url);
    await xhrSetup(asXhr, spec.url, hookContext);
  }
  return {
    url: xhr.openedUrl ?? spec.url,
    headers: { ...spec.headers, ...xhr.headers },
    credentials: xhr.withCredentials
      ? "include"
      : spec.credentials === "include"
        ? "same-origin"
        : spec.credentials,
  };
}

/** The XMLHttpRequest surface an `xhrSetup` touches; nothing is sent. */
class RecordingXhr {
  readyState = 0;
  openedUrl: string | undefined;
  readonly headers: Record<string, string> = {};
  timeout = 0;
  responseType = "";

  constructor(public withCredentials: boolean) {}

  open(_method: string, url: string | URL): void {
    this.openedUrl = new URL(String(url), globalThis.location?.href).href;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    if (this.readyState !== 1) throw new Error("InvalidStateError: setRequestHeader before open()");
    this.headers[name] = String(value);
  }

  addEventListener(): void {}
  removeEventListener(): void {}
  overrideMimeType(): void {}
}
