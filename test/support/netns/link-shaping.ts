// The `tc` commands that give one direction of a veth a rate: a token bucket (tbf) as the device's
// root qdisc, so everything leaving the device — TCP and UDP, HTTP and WebRTC alike — waits for its
// tokens. This kernel has tbf, htb and pfifo but no netem, fq, fq_codel, cake, sfq or etf (checked
// with `tc qdisc add` in a scratch namespace): rates and queues can be shaped, delay cannot.
// Pure: the commands are built here and run by the caller (shaped-lan.ts).

/** One direction of a link. */
export interface LinkRate {
  /** Rate in kbit/s (1000 bits); 0 = unshaped (the device's default qdisc). */
  kbps: number;
}

/** Smallest bucket: two full Ethernet frames, so a packet never waits for a bucket it cannot fit. */
const MIN_BURST_BYTES = 4 * 1024;
/** Bucket size as time at the rate: small, so the rate holds over tens of milliseconds. */
const BURST_MS = 10;
/**
 * Queue in front of the bucket, as time at the rate, and its floor in bytes: a home router's buffer
 * (a standing queue when the link is full, as real uplinks have), not so short that TCP and SCTP
 * see drops at every burst of a low-rate link (16 KiB ≈ 11 full frames).
 */
const QUEUE_MS = 150;
const MIN_QUEUE_BYTES = 16 * 1024;

/** The tbf parameters for a rate: bytes/s, bucket and queue limit in bytes. */
export function tbfParameters(kbps: number): { bytesPerSec: number; burstBytes: number; limitBytes: number } {
  if (!(kbps > 0) || !Number.isFinite(kbps)) throw new RangeError(`rate must be > 0 kbit/s, got ${kbps}`);
  const bytesPerSec = (kbps * 1000) / 8;
  const burstBytes = Math.max(MIN_BURST_BYTES, Math.round((bytesPerSec * BURST_MS) / 1000));
  const limitBytes = Math.max(MIN_QUEUE_BYTES, Math.round((bytesPerSec * QUEUE_MS) / 1000)) + burstBytes;
  return { bytesPerSec, burstBytes, limitBytes };
}

/**
 * `tc` arguments that set `device`'s egress to `rate` (replace: works whether a qdisc is there or
 * not, so it also changes a rate mid-run); for 0 kbit/s, the arguments that remove the shaping.
 * `hadShaping` says whether a tbf is in place (deleting a root qdisc that is not there fails).
 */
export function tcArgs(device: string, rate: LinkRate, hadShaping: boolean): string[] | undefined {
  if (rate.kbps === 0) return hadShaping ? ["qdisc", "del", "dev", device, "root"] : undefined;
  const { burstBytes, limitBytes } = tbfParameters(rate.kbps);
  return [
    ...["qdisc", "replace", "dev", device, "root", "tbf"],
    ...["rate", `${Math.round(rate.kbps * 1000)}bit`],
    ...["burst", `${burstBytes}`, "limit", `${limitBytes}`],
  ];
}
