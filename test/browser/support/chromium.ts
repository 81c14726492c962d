// Launches the system Chromium for browser tests and benchmarks. No browser is downloaded (the
// machines have no internet): the executable comes from PUPPETEER_EXECUTABLE_PATH or Debian's package.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

/** Where Debian's `chromium` package installs the browser. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Flags that make headless Chromium play MSE video and open WebRTC data channels between pages on
 * loopback (see /work/shared/ENVIRONMENT.md). `--headless` itself comes from `headless: true`.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--autoplay-policy=no-user-gesture-required",
  // Peers on one machine only reach each other through loopback candidates…
  "--allow-loopback-in-peer-connection",
  // …and only if those candidates carry real addresses rather than mDNS names nobody resolves.
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // Several viewers share one browser; none is in the foreground, none may be throttled.
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
  "--mute-audio",
  // The demo origin speaks HTTP/1.1 over TCP only: no QUIC attempts to wait for or retry.
  "--disable-quic",
];

/** A hung CDP call fails after this long instead of blocking a test until its own timeout. */
const PROTOCOL_TIMEOUT_MS = 60_000;
/** How long {@link closeBrowser} waits for a polite close before killing the process. */
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export interface LaunchBrowserOptions {
  /** Flags added to {@link CHROMIUM_FLAGS} (`--disable-features=…` lists are merged by Puppeteer). */
  extraArgs?: readonly string[];
  /** Browser window / default viewport size. @default 1280×800 */
  viewport?: { width: number; height: number };
  /**
   * What to run instead of {@link findChromium}'s browser: a wrapper that starts it elsewhere, e.g.
   * `ip netns exec <ns> chromium "$@"` for a browser inside a network namespace.
   */
  executablePath?: string;
  /**
   * Drive it over `--remote-debugging-pipe` instead of a DevTools port: a port opened inside a
   * network namespace is not reachable from this process. @default false
   */
  pipe?: boolean;
}

/** The profile folder of each launched browser, removed by {@link closeBrowser}. */
const userDataDirs = new WeakMap<Browser, string>();

/**
 * The Chromium executable: `PUPPETEER_EXECUTABLE_PATH` if set, else {@link DEFAULT_CHROMIUM_PATH}.
 * Throws an Error naming the install command when neither exists.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PUPPETEER_EXECUTABLE_PATH?.trim();
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(
      `PUPPETEER_EXECUTABLE_PATH is set to ${fromEnv}, which does not exist. ` +
        "Install Chromium with `apt-get install -y chromium` or point PUPPETEER_EXECUTABLE_PATH at a browser",
    );
  }
  if (existsSync(DEFAULT_CHROMIUM_PATH)) return DEFAULT_CHROMIUM_PATH;
  throw new Error(
    "No Chromium found: install it with `apt-get install -y chromium` or set PUPPETEER_EXECUTABLE_PATH",
  );
}

/** Launches headless Chromium with a fresh temporary profile. Close it with {@link closeBrowser}. */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? findChromium();
  const viewport = options.viewport ?? { width: 1280, height: 800 };
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), "nearcast-chromium-"));
  try {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [
        ...CHROMIUM_FLAGS,
        ...(options.extraArgs ?? []),
        `--user-data-dir=${userDataDir}`,
        `--window-size=${viewport.width},${viewport.height}`,
      ],
      defaultViewport: viewport,
      protocolTimeout: PROTOCOL_TIMEOUT_MS,
      pipe: options.pipe ?? false,
      // The test runner owns the process lifetime; Puppeteer's signal handlers would race ours.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    userDataDirs.set(browser, userDataDir);
    return browser;
  } catch (error) {
    await removeDir(userDataDir);
    throw error;
  }
}

/**
 * Closes the browser and removes its profile. Never hangs: after `timeoutMs` the process is killed.
 * Accepts `undefined` (a launch that failed) and an already-closed browser.
 */
export async function closeBrowser(
  browser: Browser | undefined,
  timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS,
): Promise<void> {
  if (!browser) return;
  const child = browser.process();
  const closed = await withTimeout(browser.close(), timeoutMs);
  if (!closed && child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await withTimeout(exited, 5_000);
  }
  const userDataDir = userDataDirs.get(browser);
  userDataDirs.delete(browser);
  if (userDataDir) await removeDir(userDataDir);
}

/** True if `promise` settled (either way) within `timeoutMs`. */
async function withTimeout(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function removeDir(dir: string): Promise<void> {
  // Chromium's helper processes may still be releasing files for a moment after exit.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);
}
