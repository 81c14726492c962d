// A small internet in Linux network namespaces: a "public" segment (bridge) with the servers, NAT
// routers on it, and one viewer behind each router. Everything lives in namespaces this module
// creates (names `nc-<random>-…`) on addresses in 10.213.0.0/16 that exist only inside them; the
// host's own network is never touched. destroy() (also run on process exit) deletes them all.
import { NamespaceSet, namespacesUnavailableReason } from "./namespaces.js";

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

/** Why the NAT topology cannot be made here, or undefined when it can (root, `ip`, `iptables`, `turnserver`). */
export function netnsUnavailableReason(): string | undefined {
  return namespacesUnavailableReason([
    ["iptables", "iptables"],
    ["turnserver", "coturn"],
  ]);
}

/**
 * Build the topology: the public segment 10.213.0.0/24 (servers at 10.213.0.1), and per requested
 * site either a viewer on that segment (open) or a router at 10.213.0.(10+i) with its viewer at
 * 10.213.(10+i).2 behind it. Routers have no route between their LANs: a viewer's private address is
 * unreachable from any other viewer, as on the internet.
 */
export function createNatTopology(sites: readonly { name: string; kind: NatKind }[]): NatTopology {
  const namespaces = new NamespaceSet();
  const destroy = () => namespaces.destroy();
  const addNs = (suffix: string) => namespaces.add(suffix);
  const inNs = (ns: string, command: string, args: string[]) => namespaces.exec(ns, command, args);
  const link = (nsA: string, nameA: string, nsB: string, nameB: string) =>
    namespaces.veth(nsA, nameA, nsB, nameB);

  try {
    const publicNs = addNs("pub");
    namespaces.bridge(publicNs, "br0", `${SERVER_ADDRESS}/24`);
    dropUnroutable(namespaces, publicNs, "br0");

    const viewers = sites.map((site, index): ViewerSite => {
      const i = index + 1;
      const viewerNs = addNs(`v${i}`);
      if (site.kind === "open") {
        const address = `10.213.0.${100 + i}`;
        namespaces.plug(publicNs, "br0", `p${i}`, viewerNs, "eth0", `${address}/24`);
        dropUnroutable(namespaces, viewerNs, "eth0");
        return { ...site, ns: viewerNs, address, publicAddress: address };
      }
      const routerNs = addNs(`r${i}`);
      const wanAddress = `10.213.0.${10 + i}`;
      const lan = `10.213.${10 + i}`;
      namespaces.plug(publicNs, "br0", `p${i}`, routerNs, "wan", `${wanAddress}/24`);
      link(routerNs, "lan", viewerNs, "eth0");
      inNs(routerNs, "ip", ["addr", "add", `${lan}.1/24`, "dev", "lan"]);
      inNs(routerNs, "ip", ["link", "set", "lan", "up"]);
      inNs(viewerNs, "ip", ["addr", "add", `${lan}.2/24`, "dev", "eth0"]);
      inNs(viewerNs, "ip", ["link", "set", "eth0", "up"]);
      inNs(viewerNs, "ip", ["route", "add", "default", "via", `${lan}.1`]);
      inNs(routerNs, "sysctl", ["-qw", "net.ipv4.ip_forward=1"]);
      dropUnroutable(namespaces, routerNs, "wan");
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
}

/**
 * Packets to addresses nobody routes (another viewer's private host candidate) vanish silently, as
 * on the internet, instead of failing the send with ENETUNREACH: coturn closes a TURN session whose
 * relay socket gets that error, which no real deployment would see. The default route points at a
 * gateway that does not exist, with a made-up MAC address: the bridge floods those frames and every
 * port drops them as not addressed to it. (No `dummy` interface: container kernels may lack it.)
 */
function dropUnroutable(namespaces: NamespaceSet, ns: string, device: string): void {
  namespaces.exec(ns, "ip", [
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
  namespaces.exec(ns, "ip", ["route", "add", "default", "via", VOID_GATEWAY, "dev", device]);
}
