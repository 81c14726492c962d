// Bounded time for a client that stops reading: a connection whose response bytes wait in the
// server's buffers while none of them reach the kernel for `writeStallTimeoutMs` is cut. Without it a
// response larger than the socket buffers stays half-sent for as long as the client keeps the
// connection open (Node's `requestTimeout` stops counting once the request is in, and its
// `keepAliveTimeout` starts only after the response has finished), holding up to 64 KiB of ours
// (send-media.ts's read chunk) and the kernel's send buffer per connection.
import type { Socket } from "node:net";

export interface WriteStallOptions {
  /** No progress for this long, with bytes waiting, cuts the connection. Milliseconds. */
  writeStallTimeoutMs: number;
  /** How often connections are checked, ms; a stall is cut at most this late. @default 1_000 */
  checkIntervalMs?: number;
  /** Monotonic clock, ms. @default performance.now */
  now?: () => number;
}

interface Progress {
  /** Bytes the kernel had taken at the last check (`bytesWritten − writableLength`). */
  flushed: number;
  /** When `flushed` last grew, or nothing was waiting. */
  at: number;
}

/**
 * Watches the sockets `sockets()` yields (the open HTTP connections) every `checkIntervalMs`. A
 * socket counts as making progress when nothing waits in its user-space buffer (`writableLength`
 * 0: idle, a response being prepared, or everything handed to the kernel) or when the bytes handed
 * to the kernel grew since the last check; `bytesWritten` counts bytes queued in Node too, so
 * `bytesWritten − writableLength` is what libuv finished writing. Progress shows in bursts: a write
 * completes only once the kernel took all of it (64 KiB slices for media), and the kernel wakes a
 * writer only when half its send buffer is free, so the timeout must exceed half a send buffer at
 * the slowest rate served honestly (see ServerOptions.writeStallTimeoutMs).
 */
export class WriteStallWatch {
  private readonly progress = new WeakMap<Socket, Progress>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly options: WriteStallOptions,
    private readonly sockets: () => Iterable<Socket>,
    private readonly onStall: (socket: Socket) => void,
  ) {
    if (!(options.writeStallTimeoutMs > 0)) throw new RangeError("writeStallTimeoutMs must be > 0");
    this.now = options.now ?? (() => performance.now());
    this.timer = setInterval(() => this.check(), options.checkIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** One pass over the sockets; called by the timer (public for tests with a fake clock). */
  check(): void {
    const now = this.now();
    const stalled: Socket[] = [];
    for (const socket of this.sockets()) {
      const flushed = socket.bytesWritten - socket.writableLength;
      const last = this.progress.get(socket);
      if (last === undefined || socket.writableLength === 0 || flushed > last.flushed) {
        this.progress.set(socket, { flushed, at: now });
      } else if (now - last.at >= this.options.writeStallTimeoutMs) {
        stalled.push(socket);
      }
    }
    // Cut after the pass: cutting removes sockets from the collection being iterated.
    for (const socket of stalled) this.onStall(socket);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
