/**
 * One readiness wait shared by every socket of the process: the sockets of DHCPv4 and DHCPv6 (`weka run` with
 * both maps) and of every served interface are waited on by ONE poll(2) at a time, as Kea's IfaceMgr waits on all
 * of its sockets in one select(2). A transport joins the group with its descriptors; its receive loop awaits the
 * group's pending wait (started by whichever loop asked first; the others share it), then drains its own sockets.
 * One thread-pool round trip per wake-up, whatever the number of interfaces and families.
 *
 * poll(2) and the coalescing sleep (ppoll(2) with a timespec) are the only nonblocking FFI calls (deno-notes §1d):
 * errno after them lives on a worker thread and is never read. An eventfd(2) wakes a pending wait when the
 * membership changes (a new transport joins, one leaves) or the group closes; a leaving member's descriptors are
 * closed only after the wait that covered them has returned, so a descriptor number is never reused under a
 * running poll.
 */
import { C, check, closeQuietly, libc, pinned } from "./libc.ts";

const POLLFD_SIZE = 8; // struct pollfd { int fd; short events; short revents; }

/** A transport's place in a {@link PollGroup}. */
export interface PollMember {
  /**
   * Waits until one of the group's descriptors is readable, the membership changes, or `timeoutMs` passes (-1 =
   * no limit). Shares the pending wait when there is one. Resolves at once after {@link leave}.
   */
  wait(timeoutMs: number): Promise<void>;
  /** Sleeps about `timeoutUs` microseconds off the main thread (or shares the pending wait, which may be shorter). */
  sleep(timeoutUs: number): Promise<void>;
  /** Leaves the group; resolves once no wait covering this member's descriptors is pending (then close them). */
  leave(): Promise<void>;
  /** True after leave(). */
  readonly left: boolean;
}

/** See the module comment. */
export class PollGroup {
  readonly #members = new Map<object, readonly number[]>();
  #set = pinned(POLLFD_SIZE);
  #view = new DataView(this.#set.buffer);
  #n = 0;
  #dirty = true;
  readonly #eventFd: number;
  readonly #one = pinned(8);
  readonly #sink = pinned(8);
  readonly #timespec = pinned(16);
  readonly #timespecView = new DataView(this.#timespec.buffer);
  #timespecUs = -1;
  readonly #wakeSet = pinned(POLLFD_SIZE);
  readonly #wakeView = new DataView(this.#wakeSet.buffer);
  #pending: Promise<void> | undefined;
  /** true once the last member left a private group: the eventfd is released when no wait is pending */
  #closed = false;
  /** close when the last member leaves (a transport's own group); a shared group lives as long as the process */
  readonly #private: boolean;

  /**
   * Opens the eventfd (EFD_NONBLOCK|EFD_CLOEXEC) that wakes a pending wait. `opts.private`: the group belongs to
   * one transport and is released when its last member leaves. Throws a SysError when the eventfd cannot be made.
   */
  constructor(opts: { private?: boolean } = {}) {
    this.#private = opts.private ?? false;
    this.#eventFd = check(libc().eventfd(0, C.EFD_NONBLOCK | C.EFD_CLOEXEC), "eventfd() for the socket wake-up");
    this.#wakeView.setInt32(0, this.#eventFd, true);
    this.#wakeView.setInt16(4, C.POLLIN, true);
    new DataView(this.#one.buffer).setBigUint64(0, 1n, true);
  }

  /** Joins the group with `fds` (a transport's sockets); a pending wait is woken so the next one covers them. */
  join(fds: readonly number[]): PollMember {
    if (this.#closed) throw new Error("the poll group is closed");
    const key = {};
    this.#members.set(key, [...fds]);
    this.#changed();
    let left = false;
    return {
      wait: (ms) => left ? Promise.resolve() : this.#wait(ms),
      sleep: (us) => left ? Promise.resolve() : this.#sleep(us),
      leave: () => {
        if (!left) {
          left = true;
          this.#members.delete(key);
          this.#changed();
          if (this.#private && this.#members.size === 0) this.#closed = true;
        }
        const done = (this.#pending ?? Promise.resolve()).then(() => this.#maybeRelease());
        return done;
      },
      get left() {
        return left;
      },
    };
  }

  /** Descriptors waited on now (the eventfd excluded). */
  get size(): number {
    let n = 0;
    for (const fds of this.#members.values()) n += fds.length;
    return n;
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#pending) libc().write(this.#eventFd, this.#one, 8n);
  }

  #rebuild(): void {
    const fds = [...this.#members.values()].flat();
    this.#n = fds.length;
    this.#set = pinned((fds.length + 1) * POLLFD_SIZE);
    this.#view = new DataView(this.#set.buffer);
    fds.forEach((fd, i) => this.#slot(i, fd));
    this.#slot(fds.length, this.#eventFd);
    this.#dirty = false;
  }

  #slot(i: number, fd: number): void {
    this.#view.setInt32(i * POLLFD_SIZE, fd, true);
    this.#view.setInt16(i * POLLFD_SIZE + 4, C.POLLIN, true);
  }

  #wait(timeoutMs: number): Promise<void> {
    if (this.#pending) return this.#pending;
    if (this.#dirty) this.#rebuild();
    for (let i = 0; i <= this.#n; i++) this.#view.setInt16(i * POLLFD_SIZE + 6, 0, true);
    const p = libc().poll(this.#set, BigInt(this.#n + 1), timeoutMs);
    return this.#track(p.then((r) => {
      // a wake-up of the eventfd (membership change, close): reset it; EINTR and timeouts need nothing
      if (r > 0 && this.#view.getInt16(this.#n * POLLFD_SIZE + 6, true) !== 0) this.#drainEventFd();
    }));
  }

  #sleep(timeoutUs: number): Promise<void> {
    if (this.#pending) return this.#pending;
    const us = Math.max(0, Math.floor(timeoutUs));
    if (us !== this.#timespecUs) {
      this.#timespecUs = us;
      this.#timespecView.setBigInt64(0, BigInt(Math.floor(us / 1e6)), true);
      this.#timespecView.setBigInt64(8, BigInt((us % 1e6) * 1000), true);
    }
    this.#wakeView.setInt16(6, 0, true);
    const p = libc().ppoll(this.#wakeSet, 1n, this.#timespec, null);
    return this.#track(p.then((r) => {
      if (r > 0) this.#drainEventFd();
    }));
  }

  #track(p: Promise<void>): Promise<void> {
    const done = p.finally(() => {
      if (this.#pending === done) this.#pending = undefined;
      this.#maybeRelease();
    });
    this.#pending = done;
    return done;
  }

  #drainEventFd(): void {
    if (!this.#released) libc().read(this.#eventFd, this.#sink, 8n);
  }

  #released = false;
  #maybeRelease(): void {
    if (!this.#closed || this.#pending || this.#released) return;
    this.#released = true;
    closeQuietly(this.#eventFd);
  }
}
