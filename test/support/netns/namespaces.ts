// Network namespaces a test or bench creates for itself, under one run tag (`nc-<random>-…`, so
// several runs coexist), with veths made directly inside them: no interface or address ever exists
// in the host's namespace. destroy() deletes them all (their veths and qdiscs go with them); it also
// runs on process exit and, unless the owner handles signals itself, on SIGINT / SIGTERM.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export interface NamespaceSetOptions {
  /**
   * Delete the namespaces on SIGINT / SIGTERM, then re-raise the signal. Off for an owner that
   * handles signals itself (the browser bench closes its browsers first, then calls destroy()).
   * @default true
   */
  handleSignals?: boolean;
}

/** The namespaces of one run. */
export class NamespaceSet {
  /** `nc-<6 hex>`: the prefix of every namespace of this run. */
  readonly tag = `nc-${randomBytes(3).toString("hex")}`;
  private readonly created: string[] = [];
  private destroyed = false;
  private readonly onExit = (): void => this.destroy();
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.destroy();
    process.kill(process.pid, signal);
  };
  private readonly handleSignals: boolean;

  constructor(options: NamespaceSetOptions = {}) {
    this.handleSignals = options.handleSignals ?? true;
    process.on("exit", this.onExit);
    // A signal does not run `exit` handlers on its own.
    if (this.handleSignals) {
      process.once("SIGINT", this.onSignal);
      process.once("SIGTERM", this.onSignal);
    }
  }

  /** Creates namespace `<tag>-<suffix>` with its loopback up; returns its name. */
  add(suffix: string): string {
    if (this.destroyed) throw new Error(`namespace set ${this.tag} is destroyed`);
    const ns = `${this.tag}-${suffix}`;
    run("ip", ["netns", "add", ns]);
    this.created.push(ns);
    this.exec(ns, "ip", ["link", "set", "lo", "up"]);
    return ns;
  }

  /** Runs `command args` inside `ns`; throws with its stderr on failure. */
  exec(ns: string, command: string, args: readonly string[]): void {
    run("ip", ["netns", "exec", ns, command, ...args]);
  }

  /** A veth pair created directly inside two namespaces (no name ever exists in the host's namespace). */
  veth(nsA: string, nameA: string, nsB: string, nameB: string): void {
    run("ip", ["link", "add", nameA, "netns", nsA, "type", "veth", "peer", "name", nameB, "netns", nsB]);
  }

  /** A bridge `name` in `ns` holding `cidr` (e.g. "10.213.0.1/24"), up. */
  bridge(ns: string, name: string, cidr: string): void {
    this.exec(ns, "ip", ["link", "add", name, "type", "bridge"]);
    this.exec(ns, "ip", ["addr", "add", cidr, "dev", name]);
    this.exec(ns, "ip", ["link", "set", name, "up"]);
  }

  /**
   * A veth from namespace `ns` (its end named `device`, holding `cidr`) into bridge `bridge` of
   * namespace `bridgeNs` (its end named `port`), both ends up.
   */
  plug(bridgeNs: string, bridge: string, port: string, ns: string, device: string, cidr: string): void {
    this.veth(bridgeNs, port, ns, device);
    this.exec(bridgeNs, "ip", ["link", "set", port, "master", bridge]);
    this.exec(bridgeNs, "ip", ["link", "set", port, "up"]);
    this.exec(ns, "ip", ["addr", "add", cidr, "dev", device]);
    this.exec(ns, "ip", ["link", "set", device, "up"]);
  }

  /** Namespaces created so far, in order. */
  get names(): readonly string[] {
    return this.created;
  }

  /** Deletes every namespace of the run. Idempotent, synchronous (safe in an `exit` handler). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off("exit", this.onExit);
    if (this.handleSignals) {
      process.off("SIGINT", this.onSignal);
      process.off("SIGTERM", this.onSignal);
    }
    for (const ns of [...this.created].reverse()) {
      try {
        execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Why namespaces cannot be made here, or undefined when they can: Linux, root, `ip` and each of
 * `tools` ([command, Debian package]) present, and a probe namespace created and deleted.
 */
export function namespacesUnavailableReason(
  tools: readonly (readonly [string, string])[] = [],
): string | undefined {
  if (process.platform !== "linux") return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "network namespaces need root (run the tests as root, as CI does)";
  for (const [tool, pkg] of [["ip", "iproute2"] as const, ...tools]) {
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

/** Runs a command; throws an Error carrying its stderr. */
export function run(command: string, args: readonly string[]): void {
  try {
    execFileSync(command, args, { stdio: "pipe" });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`${command} ${args.join(" ")} failed: ${stderr || String(error)}`, { cause: error });
  }
}
