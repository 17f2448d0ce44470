/**
 * One readiness wait over several descriptors: poll(2) run as the only nonblocking FFI call, plus an eventfd(2)
 * that `wake()` writes so a pending wait returns at once (used by `close()`). Waiting on every served socket in one
 * poll costs one thread-pool round trip per wake-up, whatever the number of interfaces.
 */
import { C, check, closeQuietly, libc, pinned } from "./libc.ts";

const POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

/** A reusable poll set: fds given at construction, slot `n` (the last) is the wake-up eventfd. */
export class Poller {
  readonly #set: Uint8Array<ArrayBuffer>;
  readonly #view: DataView;
  readonly #n: number;
  readonly #eventFd: number;
  readonly #one = pinned(8);
  readonly #timespec = pinned(16);
  readonly #timespecView = new DataView(this.#timespec.buffer);
  #timespecUs = -1;
  /** a pollfd array holding only the eventfd, for sleep() */
  readonly #wakeSet = pinned(POLLFD_SIZE);
  readonly #wakeView = new DataView(this.#wakeSet.buffer);
  #pending: Promise<number> | undefined;
  #closed = false;

  /**
   * Builds the pollfd array for `fds` (POLLIN each) and opens the eventfd(2) (EFD_NONBLOCK|EFD_CLOEXEC) that
   * wakes it. Throws a SysError when the eventfd cannot be created.
   */
  constructor(fds: readonly number[]) {
    this.#n = fds.length;
    this.#set = pinned((fds.length + 1) * POLLFD_SIZE);
    this.#view = new DataView(this.#set.buffer);
    this.#eventFd = check(libc().eventfd(0, C.EFD_NONBLOCK | C.EFD_CLOEXEC), "eventfd() for the socket wake-up");
    fds.forEach((fd, i) => this.#slot(i, fd));
    this.#slot(fds.length, this.#eventFd);
    this.#wakeView.setInt32(0, this.#eventFd, true);
    this.#wakeView.setInt16(4, C.POLLIN, true);
    new DataView(this.#one.buffer).setBigUint64(0, 1n, true);
  }

  #slot(i: number, fd: number): void {
    this.#view.setInt32(i * POLLFD_SIZE, fd, true);
    this.#view.setInt16(i * POLLFD_SIZE + 4, C.POLLIN, true);
  }

  /** True once `wake()` has been called for closing. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Waits (poll(2), off the main thread) until a descriptor is readable, `wake()` is called, or `timeoutMs` passes
   * (-1 = no limit). Returns the number of ready socket slots (the eventfd is not counted). Only one wait may be
   * pending at a time.
   */
  async wait(timeoutMs: number): Promise<number> {
    if (this.#pending) throw new Error("Poller.wait() called while another wait is pending");
    if (this.#closed) return 0;
    for (let i = 0; i <= this.#n; i++) this.#view.setInt16(i * POLLFD_SIZE + 6, 0, true);
    this.#pending = libc().poll(this.#set, BigInt(this.#n + 1), timeoutMs);
    let r: number;
    try {
      r = await this.#pending;
    } finally {
      this.#pending = undefined;
    }
    if (this.#closed) {
      this.#release();
      return 0;
    }
    if (r <= 0) return 0; // timeout, or EINTR (errno is on the worker thread; a retry is always safe)
    let ready = 0;
    for (let i = 0; i < this.#n; i++) if (this.revents(i) !== 0) ready++;
    return ready;
  }

  /**
   * Sleeps `timeoutUs` microseconds off the main thread (ppoll(2) on the wake-up eventfd only), returning early
   * when `close()` is called. The receive loop uses it to let datagrams accumulate while traffic flows (interrupt
   * coalescing): a wake-up then serves a batch instead of one or two datagrams, so the cost of a wake-up (a
   * thread-pool round trip) is paid per batch. Only one wait or sleep may be pending at a time.
   */
  async sleep(timeoutUs: number): Promise<void> {
    if (this.#pending) throw new Error("Poller.sleep() called while a wait is pending");
    if (this.#closed) return;
    const us = Math.max(0, Math.floor(timeoutUs));
    if (us !== this.#timespecUs) {
      this.#timespecUs = us;
      this.#timespecView.setBigInt64(0, BigInt(Math.floor(us / 1e6)), true);
      this.#timespecView.setBigInt64(8, BigInt((us % 1e6) * 1000), true);
    }
    this.#wakeView.setInt16(6, 0, true);
    this.#pending = libc().ppoll(this.#wakeSet, 1n, this.#timespec, null);
    try {
      await this.#pending;
    } finally {
      this.#pending = undefined;
    }
    if (this.#closed) this.#release();
  }

  /** The revents of socket slot `i` after the last wait (POLLIN, POLLERR…). */
  revents(i: number): number {
    return this.#view.getInt16(i * POLLFD_SIZE + 6, true);
  }

  /**
   * Wakes a pending wait and marks the poller closed; the eventfd is released once no wait is pending, so its
   * number is never reused under a running poll(2).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    libc().write(this.#eventFd, this.#one, 8n);
    if (!this.#pending) this.#release();
  }

  #released = false;
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    closeQuietly(this.#eventFd);
  }
}
