/** Shared bits of the reclamation tests (DHCPv4 and DHCPv6): Kea's defaults and fake time. Tests only. */
import type { ExpiredLeasesProcessing } from "../../mod/config/model.ts";
import type { Timers } from "../../mod/clock/timers.ts";

/** Kea's defaults (kea-features.md "expired-leases-processing defaults") */
export const KEA_DEFAULTS: ExpiredLeasesProcessing = {
  reclaimTimerWaitTime: 10,
  flushReclaimedTimerWaitTime: 25,
  holdReclaimedTime: 3600,
  maxReclaimLeases: 100,
  maxReclaimTime: 250,
  unwarnedReclaimCycles: 5,
};

/** Fake timers over a fake clock (seconds); `advance` fires due timers in order. */
export class FakeTime implements Timers {
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  constructor(public now = 1_000_000) {}
  setTimeout(fn: () => void, ms: number): number {
    this.timers.set(++this.seq, { at: this.now + ms / 1000, fn });
    return this.seq;
  }
  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** awaited after each timer fires, so the work it started can finish */
  settle: () => Promise<void> = () => Promise.resolve();
  async advance(seconds: number): Promise<void> {
    const end = this.now + seconds;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await this.settle();
      await new Promise((r) => setTimeout(r, 0)); // let the timer re-arm
    }
    this.now = end;
  }
}
