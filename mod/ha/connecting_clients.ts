/**
 * The clients an HA server sees aimed at its partner while communication is interrupted (Kea's
 * `CommunicationState4::analyzeMessage`, communication_state.cc), as an
 * immutable, bounded value of the pure HA machine. Kea keeps every such client until the next successful heartbeat;
 * a hostile LAN can send an unbounded number of them, and the decision needs only to know whether more than
 * `max-unacked-clients` of them are unacked. So weka keeps at most {@link MAX_CONNECTING_CLIENTS} clients plus
 * `max-unacked-clients` + 1 unacked ones, counts the clients it did not record, and does O(log32 n) work per query
 * (a persistent map, mod/ha/persistent_map.ts) instead of copying the table. Pure.
 */
import { PersistentMap } from "./persistent_map.ts";

/**
 * How many connecting clients are kept whatever their state (weka's bound; Kea has none). A new client past it is
 * still recorded while it is unacked and the unacked count has not passed `max-unacked-clients` (the partner-down
 * decision needs those), so the table never holds more than this + max-unacked-clients + 1 entries.
 */
export const MAX_CONNECTING_CLIENTS = 10_000;

/** Connecting clients: key → unacked, the unacked count, and the clients not recorded because of the bound. */
export interface ConnectingClients {
  readonly map: PersistentMap<boolean>;
  readonly unacked: number;
  /** new clients not recorded since the last reset (the bound was reached): weka's `ha-connecting-clients-full` */
  readonly dropped: number;
}

/** No connecting clients (start-up, and after each successful heartbeat: Kea's `poke()` clears them). */
export function noConnectingClients(): ConnectingClients {
  return { map: PersistentMap.empty(), unacked: 0, dropped: 0 };
}

/**
 * Kea's `analyzeMessage` bookkeeping for one query: the client is recorded (once), and marked unacked when this
 * query says so; a client once unacked stays unacked. A client not yet known is refused when the table holds
 * `limit` clients, unless it is unacked and no more than `maxUnacked` clients are unacked so far; a refusal counts
 * in `dropped`. Returns `c` itself when nothing changed.
 */
export function recordConnectingClient(
  c: ConnectingClients,
  key: string,
  unacked: boolean,
  maxUnacked: number,
  limit = MAX_CONNECTING_CLIENTS,
): ConnectingClients {
  const known = c.map.get(key);
  if (known !== undefined) {
    if (known || !unacked) return c;
    return { ...c, map: c.map.set(key, true), unacked: c.unacked + 1 };
  }
  if (c.map.size >= limit && !(unacked && c.unacked <= maxUnacked)) return { ...c, dropped: c.dropped + 1 };
  return { ...c, map: c.map.set(key, unacked), unacked: c.unacked + (unacked ? 1 : 0) };
}

/**
 * Whether `secs` (DHCPv4 `secs`, seconds since the client began) makes a client unacked: more than `max-ack-delay`
 * ms. Like Kea, a value above 255 whose low byte is 0 is taken as byte-swapped (some Windows clients send it so).
 */
export function secsUnacked(secs: number, maxAckDelayMs: number): boolean {
  let s = secs & 0xffff;
  if (s > 255 && (s & 0xff) === 0) s = s >> 8;
  return s * 1000 > maxAckDelayMs;
}
