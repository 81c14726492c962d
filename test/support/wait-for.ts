// The one way tests wait: for a condition, with a deadline. Used by unit, integration and browser
// tests and by the benches that share their support code.

export interface WaitForOptions<T> {
  /** Pause between two checks. @default 20 ms */
  intervalMs?: number;
  /**
   * Describes the last value the check returned (it is `undefined` or `false`), for the timeout
   * message, e.g. the last playback sample of a page.
   */
  describeLast?: (last: T | undefined | false) => string;
}

/**
 * Calls `check` (sync or async) until it returns something other than `undefined`/`false` and
 * resolves with that value. Rejects with "timed out after `timeoutMs` ms waiting for `what`" (plus
 * {@link WaitForOptions.describeLast}) when the deadline passes, and at once when `check` throws:
 * a check that finds the situation hopeless (a fatal player error, a crashed page) throws.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  options: WaitForOptions<T> = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const intervalMs = options.intervalMs ?? 20;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) {
      const last = options.describeLast ? `; ${options.describeLast(value)}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    }
    await sleep(Math.min(intervalMs, left));
  }
}

/**
 * Resolves after `ms`. Not a way to wait for something to happen (use {@link waitFor}): for pacing
 * (a viewer joining 2 s after another, a sampling interval) and for the observation window of a
 * check that something does *not* happen, where the comment says why the window is long enough.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
