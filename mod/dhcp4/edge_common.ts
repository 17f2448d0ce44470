/**
 * What the DHCPv4 and DHCPv6 server edges share, written once. How an edge acknowledges (docs/ARCHITECTURE.md "The
 * lease store": nothing is acknowledged before it is durable): the outcome's lease mutations join the store's next group commit;
 * with HA the partner's acknowledgement of the lease update is awaited as well (Kea parks the reply the same way);
 * only then does `finish` run (statistics, the reply, the NameChangeRequests). A failed commit sends nothing and is
 * counted and logged; a partner that does not acknowledge drops the reply (the HA service logged why); an exception
 * in `finish` goes to the edge's last resort. The promise is tracked in `pending` until it settles, so a stop waits
 * for every reply whose commit is in flight. And the edges' last resort for an exception in the packet path (Kea's
 * `…_PACKET_PROCESS_EXCEPTION`): one escaped line, no stack trace, counted.
 */
import { DBG, type Log } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import { errorText } from "../wire/printable.ts";

/** What the commit path needs of the edge. */
/** How many times a query whose lease another server took first is decided again (shared SQL database). */
export const MAX_CONFLICT_RETRIES = 3;

export interface DurableReply<M> {
  /** "pkt4" or "pkt6": the statistics' prefix */
  pkt: "pkt4" | "pkt6";
  /** "DHCP4" or "DHCP6": the log ids' prefix */
  prefix: "DHCP4" | "DHCP6";
  store: { apply(mutations: readonly M[]): Promise<void> };
  stats: Stats;
  log: Log;
  pending: Set<Promise<void>>;
}

/** The commit of one outcome and what follows it. */
export interface CommitThen<M> {
  mutations: readonly M[];
  /** the client's label for log lines (built only when a line is written) */
  label: () => string;
  /** the HA update: the reply waits for it; undefined = nothing to wait for */
  replicate?: () => Promise<void> | undefined;
  /**
   * Send the HA update while the local commit runs instead of after it (the reply still waits for both), so the
   * ACK waits for the longer of the two rather than their sum. Only for a store this process owns: a shared SQL
   * database may refuse the row (`retry`), and the partner must not hear of a lease that was then decided again.
   */
  replicateAlongside?: boolean;
  /** statistics, reply, NCRs: runs once everything is durable (and acknowledged) */
  finish: () => void;
  /** the edge's last resort for an exception after the commit */
  failed: (e: unknown) => void;
  /** a refused commit the edge handles itself (a shared database's conflict: decide again); true = handled */
  retry?: (e: unknown) => boolean;
}

/**
 * Commits, waits for the partner when there is one (its update sent after the commit, or alongside it with
 * `replicateAlongside`), then finishes; never throws, never rejects unhandled.
 */
export function commitThenFinish<M>(edge: DurableReply<M>, c: CommitThen<M>): void {
  const { stats, log, pkt, prefix } = edge;
  const finish = () => {
    try {
      c.finish();
    } catch (e) {
      c.failed(e);
    }
  };
  let early: Promise<void> | undefined;
  try {
    early = c.replicateAlongside ? c.replicate?.() : undefined;
  } catch (e) {
    early = Promise.reject(e);
  }
  early?.catch(() => {}); // handled below once the commit is done; never an unhandled rejection meanwhile
  const p = edge.store.apply(c.mutations).then(
    () => {
      const acked = c.replicateAlongside ? early : c.replicate?.();
      if (!acked) return finish();
      return acked.then(finish, (e) => {
        // the HA service has logged why (HA_LEASE_UPDATE_*); here only the consequence, as Kea logs it
        stats.add(`${pkt}-receive-drop`);
        if (log.debugEnabled) {
          log.debug(
            `${prefix}_HOOK_LEASES${pkt === "pkt4" ? 4 : 6}_COMMITTED_DROP`,
            `${c.label()}: packet is dropped, the partner did not acknowledge the lease update: ${errorText(e)}`,
            DBG.TRACE_BASIC,
          );
        }
      });
    },
    (e) => {
      if (c.retry?.(e)) return;
      stats.add(`${pkt}-processing-failed`);
      stats.add(`${pkt}-receive-drop`);
      log.error(`${prefix}_LEASE_COMMIT_FAILED`, `${c.label()}: lease commit failed, no reply sent: ${errorText(e)}`);
    },
  );
  edge.pending.add(p);
  const done = () => void edge.pending.delete(p);
  p.then(done, (e) => {
    done();
    c.failed(e);
  });
}

/**
 * The last resort of an edge: an exception while handling a packet (the fuzz tests hold that none occurs) is
 * counted in `pktN-processing-failed` and logged as one escaped line naming the client (`who`), with no stack
 * trace; the packet is dropped, or, after its lease commit (the reply may have gone out), only counted.
 */
export function packetFailed(edge: DurableReply<unknown>, e: unknown, who: string, afterCommit: boolean): void {
  const { stats, log, pkt, prefix } = edge;
  try {
    stats.add(`${pkt}-processing-failed`);
    if (!afterCommit) stats.add(`${pkt}-receive-drop`);
    log.error(
      `${prefix}_PACKET_PROCESS_EXCEPTION`,
      `${who}: exception ${afterCommit ? "after the lease commit" : "processing a packet, dropped"}: ${
        errorText(e, true)
      }`,
    );
  } catch { /* the last resort itself must not throw */ }
}
