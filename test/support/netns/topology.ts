// A small internet in Linux network namespaces: a "public" segment (bridge) with the servers, NAT
// routers on it, and one viewer behind each router. Everything lives in namespaces this module
// creates (names `nc-<random>-…`) on addresses in 10.213.0.0/16 that exist only inside them; the
// host's own network is never touched. destroy() (also run on process exit) deletes them all.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

/** How a router maps a viewer's UDP flows (RFC 4787 terms). */
export type NatKind =
  /** No NAT: the viewer sits on the public segment with a public address. */
  | "open"
  /** Linux MASQUERADE keeps the source port: endpoint-independent mapping, port-restricted filtering. */
  | "eim"
  /** MASQUERADE --random-fully: a new random port per destination ("symmetric" NAT). */
  | "symmetric";

export interface ViewerSite {
  /** Label in tables, e.g. "eim-1". */
  name: string;
  kind: NatKind;
  /** Namespace the viewer's processes run in (`ip netns exec <ns> …`). */
  ns: string;
  /** The viewer's own (private, or public when open) address. */
  address: string;
  /** Address its traffic appears from on the public segment. */
  publicAddress: string;
}

export interface NatTopology {
  /** Namespace of the public segment: servers (coturn, tracker, origin) run here. */
  publicNs: string;
  /** Address of the servers on the public segment. */
  serverAddress: string;
  viewers: ViewerSite[];
  /** Deletes every namespace (and with them veths, bridge, NAT rules). Idempotent, synchronous. */
  destroy(): void;
}

const SERVER_ADDRESS = "10.213.0.1";
/** On the public segment, assigned to nobody: where unroutable packets are sent to die. */
const VOID_GATEWAY = "10.213.0.254";

/** Why namespaces cannot be made here, or undefined when they can (root, `ip`, `iptables`, `turnserver`). */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root (run the tests as root, as CI does)";
  for (const [tool, pkg] of [
    ["ip", "iproute2"],
    ["iptables", "iptables"],
    ["turnserver", "coturn"],
  ] as const) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is missing: apt-get install -y ${pkg}`;
    }
  }
  const probe = `nc-${randomBytes(3).toString("hex")}-probe`;
  try {
    execFileSync("ip", ["netns", "add", probe], { stdio: "pipe" });
  } catch (error) {
    return `cannot create a network namespace: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  } finally {
    try {
      execFileSync("ip", ["netns", "del", probe], { stdio: "ignore" });
    } catch {
      // it was never created
    }
  }
  return undefined;
}

/**
 * Build the topology: the public segment 10.213.0.0/24 (servers at 10.213.0.1), and per requested
 * site either a viewer on that segment (open) or a router at 10.213.0.(10+i) with its viewer at
 * 10.213.(10+i).2 behind it. Routers have no route between their LANs: a viewer's private address is
 * unreachable from any other viewer, as on the internet.
 */
export function createNatTopology(sites: readonly { name: string; kind: NatKind }[]): NatTopology {
  const tag = `nc-${randomBytes(3).toString("hex")}`;
  const created: string[] = [];
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    process.off("exit", destroy);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    for (const ns of created.reverse()) {
      try {
        execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
  };
  // Interrupted runs clean up too: a signal does not run `exit` handlers on its own.
  const onSignal = (signal: NodeJS.Signals) => {
    destroy();
    process.kill(process.pid, signal);
  };
  process.on("exit", destroy);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const addNs = (suffix: string) => {
    const ns = `${tag}-${suffix}`;
    run("ip", ["netns", "add", ns]);
    created.push(ns);
    inNs(ns, "ip", ["link", "set", "lo", "up"]);
    return ns;
  };

  try {
    const publicNs = addNs("pub");
    inNs(publicNs, "ip", ["link", "add", "br0", "type", "bridge"]);
    inNs(publicNs, "ip", ["addr", "add", `${SERVER_ADDRESS}/24`, "dev", "br0"]);
    inNs(publicNs, "ip", ["link", "set", "br0", "up"]);
    dropUnroutable(publicNs, "br0");

    const viewers = sites.map((site, index): ViewerSite => {
      const i = index + 1;
      const viewerNs = addNs(`v${i}`);
      if (site.kind === "open") {
        const address = `10.213.0.${100 + i}`;
        plug(publicNs, `p${i}`, viewerNs, "eth0", address, 24);
        dropUnroutable(viewerNs, "eth0");
        return { ...site, ns: viewerNs, address, publicAddress: address };
      }
      const routerNs = addNs(`r${i}`);
      const wanAddress = `10.213.0.${10 + i}`;
      const lan = `10.213.${10 + i}`;
      plug(publicNs, `p${i}`, routerNs, "wan", wanAddress, 24);
      link(routerNs, "lan", viewerNs, "eth0");
      inNs(routerNs, "ip", ["addr", "add", `${lan}.1/24`, "dev", "lan"]);
      inNs(routerNs, "ip", ["link", "set", "lan", "up"]);
      inNs(viewerNs, "ip", ["addr", "add", `${lan}.2/24`, "dev", "eth0"]);
      inNs(viewerNs, "ip", ["link", "set", "eth0", "up"]);
      inNs(viewerNs, "ip", ["route", "add", "default", "via", `${lan}.1`]);
      inNs(routerNs, "sysctl", ["-qw", "net.ipv4.ip_forward=1"]);
      dropUnroutable(routerNs, "wan");
      const masquerade = ["-t", "nat", "-A", "POSTROUTING", "-o", "wan", "-j", "MASQUERADE"];
      inNs(routerNs, "iptables", site.kind === "symmetric" ? [...masquerade, "--random-fully"] : masquerade);
      // A home router's firewall drops unsolicited packets from the WAN. Without this, a peer's
      // early ICE check creates a conntrack entry on the router that later clashes with the
      // viewer's own outgoing flow, and MASQUERADE then picks another port: hole punching breaks
      // in a way no real router does.
      inNs(routerNs, "iptables", [
        "-A",
        "INPUT",
        "-i",
        "wan",
        "-m",
        "conntrack",
        "--ctstate",
        "ESTABLISHED,RELATED",
        "-j",
        "ACCEPT",
      ]);
      inNs(routerNs, "iptables", ["-A", "INPUT", "-i", "wan", "-j", "DROP"]);
      return { ...site, ns: viewerNs, address: `${lan}.2`, publicAddress: wanAddress };
    });
    return { publicNs, serverAddress: SERVER_ADDRESS, viewers, destroy };
  } catch (error) {
    destroy();
    throw error;
  }

  /** A veth from namespace `ns` (named `name`, addressed) into the public bridge (port `port`). */
  function plug(publicNs: string, port: string, ns: string, name: string, address: string, prefix: number) {
    link(publicNs, port, ns, name);
    inNs(publicNs, "ip", ["link", "set", port, "master", "br0"]);
    inNs(publicNs, "ip", ["link", "set", port, "up"]);
    inNs(ns, "ip", ["addr", "add", `${address}/${prefix}`, "dev", name]);
    inNs(ns, "ip", ["link", "set", name, "up"]);
  }
}

/**
 * Packets to addresses nobody routes (another viewer's private host candidate) vanish silently, as
 * on the internet, instead of failing the send with ENETUNREACH: coturn closes a TURN session whose
 * relay socket gets that error, which no real deployment would see. The default route points at a
 * gateway that does not exist, with a made-up MAC address: the bridge floods those frames and every
 * port drops them as not addressed to it. (No `dummy` interface: container kernels may lack it.)
 */
function dropUnroutable(ns: string, device: string): void {
  inNs(ns, "ip", [
    "neigh",
    "add",
    VOID_GATEWAY,
    "lladdr",
    "02:00:00:00:00:fe",
    "dev",
    device,
    "nud",
    "permanent",
  ]);
  inNs(ns, "ip", ["route", "add", "default", "via", VOID_GATEWAY, "dev", device]);
}

/** A veth pair created directly inside two namespaces (no name ever exists in the host's namespace). */
function link(nsA: string, nameA: string, nsB: string, nameB: string): void {
  run("ip", ["link", "add", nameA, "netns", nsA, "type", "veth", "peer", "name", nameB, "netns", nsB]);
}

function inNs(ns: string, command: string, args: string[]): void {
  run("ip", ["netns", "exec", ns, command, ...args]);
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: "pipe" });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`${command} ${args.join(" ")} failed: ${stderr || String(error)}`, { cause: error });
  }
}
