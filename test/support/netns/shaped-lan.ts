// Viewers on shaped links: a hub namespace with a bridge, one namespace per viewer plugged into it by
// a veth, and `tc` on both ends of every veth — the hub's end shapes what the viewer receives
// (downlink), the viewer's end what it sends (uplink). Traffic between two viewers crosses the
// sender's uplink and the receiver's downlink, like two homes on the internet; HTTP from the host's
// servers (reached through a PortBridge in the hub) crosses the viewer's downlink. Everything is in
// namespaces of this run (`nc-<random>-hub`, `…-v1`, …) on 10.214.0.0/24, which exists only there.
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { NamespaceSet, namespacesUnavailableReason } from "./namespaces.js";
import { tcArgs } from "./link-shaping.js";
import { PortBridge } from "./port-bridge.js";

/** A viewer's link, kbit/s each way; 0 = unshaped. */
export interface LinkRates {
  downKbps: number;
  upKbps: number;
}

export interface LanViewer {
  readonly name: string;
  /** Namespace its processes run in. */
  readonly ns: string;
  /** Its address on the LAN. */
  readonly address: string;
  /** The link as last set. */
  readonly link: LinkRates;
  /** Changes the link's rates mid-run (`tc qdisc replace`, no reconnect). */
  setLink(link: LinkRates): void;
  /** An executable that runs Chromium (`chromium`) with its arguments inside this viewer's namespace. */
  readonly chromiumWrapper: string;
}

export interface ShapedLan {
  /** The hub's address: where the host's servers are reached from the viewers. */
  readonly hubAddress: string;
  readonly tag: string;
  /** Adds a viewer namespace with its shaped link. */
  addViewer(name: string, link: LinkRates): LanViewer;
  /** `url` on 127.0.0.1 of this process as the viewers reach it (see PortBridge.reach). */
  reach(url: string): Promise<string>;
  /** Stops the bridge, deletes every namespace and temporary file. Idempotent. */
  close(): Promise<void>;
}

const SUBNET = "10.214.0";
const HUB_ADDRESS = `${SUBNET}.1`;
/** Viewer k (from 1) is at .(k + 1): .2 … .254. */
const MAX_VIEWERS = 253;

/** Why a shaped LAN cannot be made here (root, `ip`, `tc`), or undefined when it can. */
export function shapedLanUnavailableReason(): string | undefined {
  return namespacesUnavailableReason([["tc", "iproute2"]]);
}

export interface ShapedLanOptions {
  /** Executable the viewers' Chromium wrappers run. */
  chromiumPath: string;
  /** See NamespaceSet: false when the owner deletes the LAN on signals itself. @default true */
  handleSignals?: boolean;
}

export function createShapedLan(options: ShapedLanOptions): ShapedLan {
  const namespaces = new NamespaceSet({ handleSignals: options.handleSignals ?? true });
  const dir = mkdtempSync(path.join(tmpdir(), `${namespaces.tag}-`));
  let bridge: PortBridge | undefined;
  let closed = false;
  let count = 0;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await bridge?.close();
    } finally {
      namespaces.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const hub = namespaces.add("hub");
    namespaces.bridge(hub, "br0", `${HUB_ADDRESS}/24`);
    bridge = new PortBridge(hub, HUB_ADDRESS);
    const activeBridge = bridge;
    return {
      hubAddress: HUB_ADDRESS,
      tag: namespaces.tag,
      reach: (url) => activeBridge.reach(url),
      close,
      addViewer(name, link) {
        if (closed) throw new Error("the shaped LAN is closed");
        if (count >= MAX_VIEWERS) throw new Error(`at most ${MAX_VIEWERS} viewers per LAN`);
        const k = ++count;
        const ns = namespaces.add(`v${k}`);
        const port = `p${k}`;
        const address = `${SUBNET}.${k + 1}`;
        namespaces.plug(hub, "br0", port, ns, "eth0", `${address}/24`);
        // Chromium gathers WebRTC host candidates on the interface of its default route only (it
        // probes it by "connecting" a UDP socket to a public address): without one, no candidate,
        // no peer. The hub forwards nothing (ip_forward is off in a new namespace), so nothing leaves.
        namespaces.exec(ns, "ip", ["route", "add", "default", "via", HUB_ADDRESS]);
        const shaped = { down: false, up: false };
        let current: LinkRates = { downKbps: 0, upKbps: 0 };
        const setLink = (next: LinkRates) => {
          const down = tcArgs(port, { kbps: next.downKbps }, shaped.down);
          if (down) namespaces.exec(hub, "tc", down);
          const up = tcArgs("eth0", { kbps: next.upKbps }, shaped.up);
          if (up) namespaces.exec(ns, "tc", up);
          shaped.down = next.downKbps > 0;
          shaped.up = next.upKbps > 0;
          current = { ...next };
        };
        setLink(link);
        const chromiumWrapper = path.join(dir, `chromium-v${k}`);
        writeFileSync(
          chromiumWrapper,
          `#!/bin/sh\nexec ip netns exec ${ns} ${JSON.stringify(options.chromiumPath)} "$@"\n`,
          { mode: 0o755 },
        );
        return {
          name,
          ns,
          address,
          get link() {
            return current;
          },
          setLink,
          chromiumWrapper,
        };
      },
    };
  } catch (error) {
    void close();
    throw error;
  }
}
