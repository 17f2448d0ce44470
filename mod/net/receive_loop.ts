/**
 * The receive loop of a server edge, made so that it never dies silently (docs/ARCHITECTURE.md rule 8; issue 9 "no silent
 * death"): each round receives and handles one batch; a round that throws (the transport's recvmsg/poll failing,
 * or anything else in the round) is logged with its message id and retried after a back-off that doubles from
 * 100 ms to 5 s, as Kea's IfaceMgr logs a receive error and goes on. Only a transport that fails round after round
 * for about half a minute ends the loop, and then loudly: the fatal line is logged and `onFatal` is called, which
 * the CLI wires to an exit with status 1. A packet's own failure never reaches this loop: the server handles it
 * inside the round (one log line, `pkt4-processing-failed`), so one bad packet costs one packet.
 */
import type { Log } from "../log/logger.ts";
import { errorText } from "../wire/printable.ts";

/** How the loop backs off: first and longest wait, and how many failures in a row end it. */
export interface BackOff {
  firstMs: number;
  maxMs: number;
  /** consecutive failed rounds after which the loop gives up (onFatal) */
  giveUpAfter: number;
}

/** Kea-like defaults: 100 ms doubling to 5 s; ten failures in a row (≈ 30 s of a dead transport) end the loop. */
export const RECEIVE_BACKOFF: BackOff = { firstMs: 100, maxMs: 5000, giveUpAfter: 10 };

/** What {@link runReceiveLoop} needs. */
export interface ReceiveLoopOptions {
  /** one round: receive a batch and handle it; resolves when done (a closed transport resolves at once) */
  round(): Promise<void>;
  /** false once the server is stopping: the loop ends quietly, and a failure then is no failure */
  running(): boolean;
  log: Log;
  /** message ids: a failed round (retried) and the end of the loop (fatal) */
  ids: { failed: string; fatal: string };
  /** called once when the loop gives up; the CLI logs nothing more and exits 1 */
  onFatal(reason: string): void;
  backOff?: BackOff;
  /** waits `ms` (tests pass a fake clock) */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs rounds until `running()` is false. Never rejects: a failed round is logged (`ids.failed`, the error's
 * message escaped) and retried after the back-off; `giveUpAfter` failures in a row log `ids.fatal` and call
 * `onFatal` with the reason, and the loop ends. A round that succeeds resets the count.
 */
export async function runReceiveLoop(o: ReceiveLoopOptions): Promise<void> {
  const b = o.backOff ?? RECEIVE_BACKOFF;
  const sleep = o.sleep ?? realSleep;
  let failures = 0;
  while (o.running()) {
    try {
      await o.round();
      failures = 0;
    } catch (e) {
      if (!o.running()) break;
      failures++;
      const why = errorText(e);
      if (failures >= b.giveUpAfter) {
        const reason = `the receive loop failed ${failures} times in a row and stops: ${why}`;
        o.log.error(o.ids.fatal, `${reason}; the server exits with status 1`);
        o.onFatal(reason);
        return;
      }
      const wait = Math.min(b.maxMs, b.firstMs * 2 ** (failures - 1));
      o.log.error(o.ids.failed, `receive failed (${failures} in a row), retrying in ${wait} ms: ${why}`);
      await sleep(wait);
    }
  }
}
