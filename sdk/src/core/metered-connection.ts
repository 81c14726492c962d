/**
 * The part of the browser's Network Information API (`navigator.connection`, WICG netinfo) that
 * decides whether this viewer uploads. Chromium-based browsers have it; Firefox and Safari do not,
 * and there a connection counts as unmetered.
 */
export interface NetworkInformationLike {
  /** "cellular", "wifi", "ethernet", … (netinfo `ConnectionType`); often absent on desktop. */
  readonly type?: string;
  /** The user asked for reduced data usage (Data Saver / Lite mode). */
  readonly saveData?: boolean;
  addEventListener?(type: "change", listener: () => void): void;
  removeEventListener?(type: "change", listener: () => void): void;
}

/** A cellular link or Data Saver: the viewer pays for, or asked to spare, every byte. */
export function isMeteredConnection(connection: NetworkInformationLike | undefined): boolean {
  return connection?.saveData === true || connection?.type === "cellular";
}

/**
 * Whether to serve segments to peers: `uploadEnabled`, except on a metered connection unless
 * `uploadOnMeteredConnection` allows it (commercial P2P CDNs do the same).
 */
export function uploadAllowed(
  config: { uploadEnabled: boolean; uploadOnMeteredConnection: boolean },
  connection: NetworkInformationLike | undefined,
): boolean {
  if (!config.uploadEnabled) return false;
  return config.uploadOnMeteredConnection || !isMeteredConnection(connection);
}

/** `navigator.connection` where the platform has one. */
export function browserConnection(): NetworkInformationLike | undefined {
  const nav = (globalThis as { navigator?: { connection?: NetworkInformationLike } }).navigator;
  return nav?.connection;
}

/**
 * Keeps a flag in step with the connection: evaluated now and again on every netinfo `change`
 * (a phone leaving Wi-Fi turns upload off mid-session). `destroy()` is idempotent.
 */
export class MeteredUploadGuard {
  private readonly onChange = () => this.update();
  private destroyed = false;

  constructor(
    private readonly config: { uploadEnabled: boolean; uploadOnMeteredConnection: boolean },
    private readonly connection: NetworkInformationLike | undefined,
    private readonly apply: (allowed: boolean) => void,
  ) {
    connection?.addEventListener?.("change", this.onChange);
    this.update();
  }

  private update(): void {
    if (!this.destroyed) this.apply(uploadAllowed(this.config, this.connection));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.connection?.removeEventListener?.("change", this.onChange);
  }
}
