/**
 * The HA service of one relationship (Kea's `HAService` + the `HAImpl` callouts, ha_service.cc / ha_impl.cc;
 * Kea's ARM). The DHCPv4 server calls it through {@link HaHooks}: `admit` before the engine (Kea's
 * buffer4_receive: scope filter and HA class) and `replicate` after the commit (Kea's leases4_committed: lease updates
 * to the partner, the reply parked until it acknowledges). The HA commands reach it through {@link HaControl}. The
 * machine, timers, peers and actions live in mod/ha/service_core.ts; clock and timers are injected, so tests run it
 * on fake time.
 */
import { CommandError, Result } from "../control/answer.ts";
import type { HaHooks } from "./hooks.ts";
import type { Packet4 } from "../packet4/packet.ts";
import type { Lease4, LeaseMutation } from "../lease/types.ts";
import { DBG } from "../log/logger.ts";
import type { HaControl } from "./commands.ts";
import { HaCore } from "./service_core.ts";
import {
  communicationInterrupted,
  type HaAction,
  type HaCommandName,
  type HaEvent,
  heartbeatArguments,
  queuesLeaseUpdates,
  sendsLeaseUpdates,
  statusGetSection,
} from "./state_machine.ts";

export type { HaServiceDeps } from "./service_core.ts";
export { clientKeyOf } from "./family.ts";

/** The running HA relationship of a DHCPv4 server (a DHCPv6 one with HA_FAMILY6 and its types). */
export class HaService<Q = Packet4, L = Lease4, M = LeaseMutation> extends HaCore<Q, L, M>
  implements HaHooks<Q, M, L>, HaControl {
  // ---- HaHooks -------------------------------------------------------------------------------------------------

  /**
   * Kea's buffer4_receive / buffer6_receive callout: a query outside the served scopes is dropped
   * (`pkt4-not-for-us` / `pkt6-not-for-us` and `…-receive-drop`, HA_BUFFER4/6_RECEIVE_NOT_FOR_US at debug) and, while communication with the partner is
   * interrupted, analysed for the partner-down decision (unacked clients; O(log32 n) and bounded, a client the
   * bound refuses is counted in `ha-connecting-clients-full`); a served query gets its `HA_<scope>`.
   */
  admit(query: Q, nowMs: number): string | undefined {
    if (this.filter.inScope(query)) return this.filter.haClassOf(query) ?? "";
    const { stats, log } = this.deps;
    const f = this.family;
    if (communicationInterrupted(this.m, this.cfg, nowMs)) {
      const dropped = this.m.clients.dropped;
      const unacked = f.unacked(query, this.cfg.maxAckDelayMs);
      this.apply({ kind: "query", clientKey: f.clientKey(query), secs: 0, unacked }, nowMs);
      if (this.m.clients.dropped > dropped) stats.add("ha-connecting-clients-full");
    }
    stats.add(`${f.pkt}-not-for-us`);
    stats.add(`${f.pkt}-receive-drop`);
    if (log.debugEnabled) {
      log.debug(
        f.notForUsId,
        `${this.name}: ${f.label(query)}: dropping query to be processed by another server`,
        DBG.TRACE_BASIC,
      );
    }
    return undefined;
  }

  /**
   * Kea's leases4_committed / leases6_committed callout: the durable mutations go to the partner as the family
   * words them (lease4-update / lease4-del; one lease6-bulk-apply, whose deleted leases `previous` gives as they
   * were before the commit) and the reply waits for its acknowledgement (load-balancing, hot-standby,
   * partner-in-maintenance); they are queued in communication-recovery; otherwise they are counted as unsent.
   * A DHCPv4 DISCOVER never replicates.
   */
  replicate(
    mutations: readonly M[],
    query: Q,
    previous: (m: M) => L | undefined = () => undefined,
  ): Promise<void> | undefined {
    const f = this.family;
    if (!f.replicates(query)) return undefined;
    const policy = sendsLeaseUpdates(this.m, this.cfg)
      ? "send"
      : queuesLeaseUpdates(this.m, this.cfg)
      ? "queue"
      : "none";
    return this.updates.replicate(
      f.updates(mutations, previous),
      f.clientKey(query),
      policy,
      () => this.apply({ kind: "backlog-overflow" }),
    );
  }

  // ---- HaControl -----------------------------------------------------------------------------------------------

  serverNames(): string[] {
    return this.cfg.peers.map((p) => p.name);
  }

  /** ha-heartbeat arguments (Kea's `processHeartbeat`; during a maintenance cancel see `heartbeatArguments`). */
  heartbeat(): Record<string, unknown> {
    return heartbeatArguments(this.m, this.cfg, this.clock(), this.updates.unsentUpdateCount);
  }

  scopes(names: string[]): void {
    this.filter.serveScopes(names); // throws on a name that is not a peer's, before anything changes
    this.apply({ kind: "scopes", scopes: names });
  }

  continue(): string {
    return this.command("ha-continue");
  }

  reset(): string {
    return this.command("ha-reset");
  }

  maintenanceStart(): Promise<string> {
    return this.maintenance("ha-maintenance-start", false);
  }

  maintenanceCancel(): Promise<string> {
    return this.maintenance("ha-maintenance-cancel", true);
  }

  maintenanceNotify(cancel: boolean): string {
    return replyOf(this.apply({ kind: "maintenance-notify", cancel }));
  }

  syncComplete(originId: number): string {
    this.deps.dhcpState.enable({ kind: "remote", id: originId });
    return "Server successfully notified about the synchronization completion.";
  }

  async sync(maxPeriod?: number): Promise<string> {
    await this.runSync(maxPeriod ?? Math.ceil(this.cfg.syncTimeoutMs / 1000));
    return "Lease database synchronization complete.";
  }

  statusSection(): Record<string, unknown> {
    return statusGetSection(this.m, this.cfg, this.clock());
  }

  private command(name: HaCommandName, partnerReachable?: boolean, partnerError?: string): string {
    const ev: HaEvent = { kind: "command", name, partnerReachable, partnerError };
    return replyOf(this.apply(ev));
  }

  /** Kea's two-step maintenance commands: validate, notify the partner, then decide with its answer. */
  private async maintenance(name: HaCommandName, cancel: boolean): Promise<string> {
    const first = this.apply({ kind: "command", name });
    if (!first.some((a) => a.kind === "send-maintenance-notify")) return replyOf(first);
    let reachable = true;
    let error: string | undefined;
    try {
      if (!this.partner) throw new Error("no active partner");
      const a = await this.partner.send("ha-maintenance-notify", { cancel });
      if (a.result !== 0) error = a.text ?? `result ${a.result}`;
    } catch {
      reachable = false;
    }
    return this.command(name, reachable, error);
  }
}

/** The machine's reply to a command: its text, or a CommandError carrying Kea's result code. */
function replyOf(actions: readonly HaAction[]): string {
  const r = actions.find((a) => a.kind === "reply");
  if (!r || r.kind !== "reply") return "";
  if (r.result !== Result.SUCCESS) throw new CommandError(r.result, r.text);
  return r.text;
}
