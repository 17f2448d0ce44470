/**
 * The HA machine tests' clock: `step` takes its time explicitly; these tables give it inside the event, as the
 * moment the event happened. An event without a time happens when the machine's last event did, and a heartbeat
 * answer without an epoch answers a heartbeat sent now (the machine's current epoch). Tests only.
 */
import type { HaConfig } from "../../mod/ha/types.ts";
import { type HaEvent, type HaMachine, step, type Stepped } from "../../mod/ha/state_machine.ts";

/** An event with the time it happened (ms) and, for heartbeat answers, an optional epoch. */
export type TimedEvent = HaEvent extends infer E
  ? E extends HaEvent ? Omit<E, "epoch"> & { now?: number; epoch?: number } : never
  : never;

const times = new WeakMap<HaMachine, number>();

/** `step` at the event's time (or the machine's last), remembering the time of the machine it returns. */
export function stepAt(m: HaMachine, ev: TimedEvent, cfg: HaConfig): Stepped {
  const now = ev.now ?? times.get(m) ?? m.startedMs;
  const { now: _, ...rest } = ev;
  const e = (rest.kind === "heartbeat-ok" || rest.kind === "heartbeat-failed") && rest.epoch === undefined
    ? { ...rest, epoch: m.heartbeatEpoch }
    : rest;
  const r = step(m, e as HaEvent, now, cfg);
  times.set(r.machine, now);
  return r;
}
