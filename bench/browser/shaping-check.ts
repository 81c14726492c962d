// Checks that the browser bench's real shaping (test/support/netns/shaped-lan.ts) does what it says:
// three Chromium viewers, each in its own namespace on a tc-shaped link, measure what they receive
// over HTTP from a server in this process and over WebRTC data channels from each other, and what
// they can send; the first-byte delay the demo origin adds is timed too. Prints configured vs
// measured per path. Needs root (namespaces); run it under the heavy-run lock:
//
//   flock /tmp/nearcast-heavy.lock npx tsx bench/browser/shaping-check.ts [--seconds 8]
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import type { Browser, Page } from "puppeteer-core";
import { startServer } from "../../demo-server/src/server.js";
import { closeBrowser, findChromium, launchBrowser } from "../../test/browser/support/chromium.js";
import {
  createShapedLan,
  shapedLanUnavailableReason,
  type LanViewer,
  type LinkRates,
} from "../../test/support/netns/shaped-lan.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "8" } } });
const seconds = Number(values.seconds);
const ORIGIN_DELAY_MS = 100;

const unavailable = shapedLanUnavailableReason();
if (unavailable) {
  console.error(`shaping check: ${unavailable}`);
  process.exit(2);
}

const VIEWERS: { name: string; link: LinkRates }[] = [
  { name: "A (700/700)", link: { downKbps: 700, upKbps: 700 } },
  { name: "B (20000/5000)", link: { downKbps: 20_000, upKbps: 5000 } },
  { name: "C (20000/500)", link: { downKbps: 20_000, upKbps: 500 } },
];

/** A blank page and `/bytes?n=` (n zero bytes) on 127.0.0.1 of this process. */
async function startByteServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/bytes") {
      const n = Math.min(Number(url.searchParams.get("n") ?? 0), 64 * 2 ** 20);
      res.writeHead(200, { "Content-Length": String(n), "Cache-Control": "no-store" });
      res.end(Buffer.alloc(n));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><title>shaping check</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** kbit/s of a fetch of `bytes` from the page (timed from the first byte, so TTFB does not count). */
async function httpRate(page: Page, url: string): Promise<{ kbps: number; ttfbMs: number }> {
  return page.evaluate(async (target) => {
    const start = performance.now();
    const response = await fetch(target, { cache: "no-store" });
    const reader = response.body!.getReader();
    let first = 0;
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (first === 0) first = performance.now();
      else bytes += value.byteLength;
    }
    const end = performance.now();
    return { kbps: (bytes * 8) / (end - first), ttfbMs: first - start };
  }, url);
}

/**
 * Opens a data channel from `sender` to `receiver` (host candidates only), sends as fast as the
 * channel's buffer allows for `seconds`, and returns the receive rate over the last two thirds (the
 * first third is SCTP's slow start and the queues filling).
 */
async function webrtcRate(sender: Page, receiver: Page, seconds: number): Promise<number> {
  const setup = () => {
    const w = window as unknown as { pc?: RTCPeerConnection; gathered(): Promise<string> };
    w.pc?.close();
    w.pc = new RTCPeerConnection({ iceServers: [] });
    w.gathered = () =>
      new Promise<string>((resolve) => {
        const pc = w.pc!;
        const done = () => resolve(JSON.stringify(pc.localDescription));
        if (pc.iceGatheringState === "complete") done();
        else
          pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && done());
      });
  };
  await sender.evaluate(setup);
  await receiver.evaluate(setup);
  const offer = await sender.evaluate(async () => {
    const w = window as unknown as { pc: RTCPeerConnection; dc: RTCDataChannel; gathered(): Promise<string> };
    w.dc = w.pc.createDataChannel("check", { ordered: true });
    w.dc.binaryType = "arraybuffer";
    await w.pc.setLocalDescription(await w.pc.createOffer());
    return w.gathered();
  });
  const answer = await receiver.evaluate(async (text) => {
    const w = window as unknown as {
      pc: RTCPeerConnection;
      arrivals: [number, number][];
      gathered(): Promise<string>;
    };
    w.arrivals = [];
    w.pc.ondatachannel = (event) => {
      event.channel.binaryType = "arraybuffer";
      event.channel.onmessage = (message: MessageEvent<ArrayBuffer>) =>
        w.arrivals.push([performance.now(), message.data.byteLength]);
    };
    await w.pc.setRemoteDescription(JSON.parse(text) as RTCSessionDescriptionInit);
    await w.pc.setLocalDescription(await w.pc.createAnswer());
    return w.gathered();
  }, offer);
  await sender.evaluate(
    async (text, ms) => {
      const w = window as unknown as { pc: RTCPeerConnection; dc: RTCDataChannel };
      await w.pc.setRemoteDescription(JSON.parse(text) as RTCSessionDescriptionInit);
      const dc = w.dc;
      if (dc.readyState !== "open") await new Promise((resolve) => (dc.onopen = resolve));
      const chunk = new ArrayBuffer(16 * 1024);
      dc.bufferedAmountLowThreshold = 256 * 1024;
      const end = performance.now() + ms;
      while (performance.now() < end) {
        while (dc.bufferedAmount < 1024 * 1024) dc.send(chunk);
        await new Promise((resolve) => (dc.onbufferedamountlow = resolve));
      }
    },
    answer,
    seconds * 1000,
  );
  return receiver.evaluate(() => {
    const arrivals = (window as unknown as { arrivals: [number, number][] }).arrivals;
    const first = arrivals[0]?.[0] ?? 0;
    const last = arrivals[arrivals.length - 1]?.[0] ?? 0;
    const from = first + (last - first) / 3;
    const counted = arrivals.filter(([at]) => at > from);
    const bytes = counted.reduce((sum, [, n]) => sum + n, 0);
    return (bytes * 8) / (last - from);
  });
}

const lan = createShapedLan({ chromiumPath: findChromium() });
const bytes = await startByteServer();
const demo = await startServer({ host: "127.0.0.1", port: 0, cdnLatencyMs: ORIGIN_DELAY_MS });
const browsers: Browser[] = [];
try {
  const viewers: LanViewer[] = VIEWERS.map((v) => lan.addViewer(v.name, v.link));
  const pageUrl = await lan.reach(bytes.url);
  const demoUrl = await lan.reach(demo.url);
  const pages: Page[] = [];
  for (const viewer of viewers) {
    const browser = await launchBrowser({ executablePath: viewer.chromiumWrapper, pipe: true });
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(pageUrl);
    // tsx (esbuild, keepNames) wraps named functions in __name(), which the page does not define.
    await page.evaluate("globalThis.__name = (fn) => fn");
    pages.push(page);
  }
  const [a, b, c] = pages as [Page, Page, Page];
  const [va, vb] = viewers as [LanViewer, LanViewer, LanViewer];
  const rows: [string, string, number][] = [];
  const row = (path: string, configured: string, measured: number) => {
    rows.push([path, configured, measured]);
    console.error(`  ${path}: configured ${configured}, measured ${measured.toFixed(0)}`);
  };
  console.error(
    `LAN ${lan.tag}: hub ${lan.hubAddress}, viewers ${viewers.map((v) => `${v.name} ${v.address}`).join(", ")}`,
  );
  row(
    "HTTP → A (downlink)",
    "700 kbit/s",
    (await httpRate(a, `${pageUrl}/bytes?n=${Math.round((700_000 / 8) * seconds)}`)).kbps,
  );
  row(
    "HTTP → B (downlink)",
    "20000 kbit/s",
    (await httpRate(b, `${pageUrl}/bytes?n=${Math.round((20e6 / 8) * seconds)}`)).kbps,
  );
  row("WebRTC B → A (A's downlink)", "700 kbit/s", await webrtcRate(b, a, seconds));
  row("WebRTC A → B (A's uplink)", "700 kbit/s", await webrtcRate(a, b, seconds));
  row("WebRTC C → B (C's uplink)", "500 kbit/s", await webrtcRate(c, b, seconds));
  row("WebRTC B → C (B's uplink)", "5000 kbit/s", await webrtcRate(b, c, seconds));
  va.setLink({ downKbps: 1400, upKbps: 700 });
  row("WebRTC B → A after tc change to 1400", "1400 kbit/s", await webrtcRate(b, a, seconds));
  va.setLink({ downKbps: 700, upKbps: 700 });
  void vb;
  const segment = `${demoUrl}/streams/demo/vod/240p/seg-00000.ts`;
  const ttfb = await httpRate(b, segment);
  row(`origin first byte (B, cdnLatencyMs ${ORIGIN_DELAY_MS})`, `≥ ${ORIGIN_DELAY_MS} ms`, ttfb.ttfbMs);
  console.log(`\n| path | configured | measured |\n| --- | --- | --- |`);
  for (const [path, configured, measured] of rows)
    console.log(
      `| ${path} | ${configured} | ${measured.toFixed(0)} ${path.startsWith("origin") ? "ms" : "kbit/s"} |`,
    );
} finally {
  await Promise.allSettled(browsers.map((browser) => closeBrowser(browser)));
  await demo.close();
  await bytes.close();
  await lan.close();
}
