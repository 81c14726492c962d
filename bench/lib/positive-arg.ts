// The one check the small bench scripts make on their numeric flags.

/**
 * `text` (the value of `--flag`) as a positive finite number; otherwise prints
 * `error: --flag must be a positive number, got "…"` and exits with code 2 (a usage error).
 */
export function positiveArg(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`error: --${flag} must be a positive number, got "${text}"`);
    process.exit(2);
  }
  return n;
}
