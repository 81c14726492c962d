import createDebug from "debug";

/**
 * Namespaced debug logging (`nearcast:*`). Off by default; enable in a browser with
 * `localStorage.debug = "nearcast:*"`, in Node with `DEBUG=nearcast:*`.
 */
export type Logger = (formatter: string, ...args: unknown[]) => void;

export function createLogger(namespace: string): Logger {
  return createDebug(`nearcast:${namespace}`);
}
