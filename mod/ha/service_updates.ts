/**
 * The lease-update half of the HA service (Kea's `HAService::asyncSendLeaseUpdates`, ha_service.cc, and the
 * `leases4_committed` callout; kea-features §1d "Lease update flow"): turns the durable lease mutations of one
 * query into `lease4-update` / `lease4-del` commands, sends them to the active partner and waits for its
 * acknowledgement (the reply is parked until then), fires them at backups without waiting (unless
 * `wait-backup-ack` in passive-backup), queues them in communication-recovery (the backlog, at most
 * `delayed-updates-limit` commands) and counts the updates not sent at all (`unsent-update-count`).
 * What the partner's answer means for the state machine is reported through `onOutcome`.
 */
import { type LeaseMutation, LeaseState } from "../lease/types.ts";
import { formatIpv4 } from "../wire/addr.ts";
import { leaseDeleteArgs, leaseUpdateArgs } from "./lease_updates.ts";
import { PeerError } from "./peer_client.ts";
import type { PeerAnswer } from "./peer_client.ts";
import type { HaConfig } from "./types.ts";

/** One command of a lease update. */
export interface UpdateCommand {
  command: "lease4-update" | "lease4-del";
  args: Record<string, unknown>;
}

/** What a sender needs: something that sends a command to one peer (a PeerClient). */
export interface CommandSender {
  send(command: string, args?: Record<string, unknown>): Promise<PeerAnswer>;
}

/** The partner's verdict on one query's updates, for the state machine. */
export type UpdateOutcome =
  | { kind: "ok"; clientKey: string }
  | { kind: "rejected"; clientKey: string; text: string }
  | { kind: "failed"; error: string };

/**
 * The commands for a query's mutations, in order (Kea's CommandCreator): a `put` becomes `lease4-update` with the
 * lease JSON (`expire`, `force-create`, `origin: "ha-partner"`); a `del` becomes `lease4-del` by `ip-address`
 * (the engine's delete carries only the address; Kea's lease4-del looks a lease up by it). A lease weka keeps
 * as released (state 3) goes to the partner as `lease4-del`: Kea 2.2 deletes a released lease itself and refuses
 * state 3 in lease4-update ("Invalid state value: 3"), so a delete keeps a Kea partner in step.
 */
export function updateCommands(mutations: readonly LeaseMutation[]): UpdateCommand[] {
  return mutations.map((m) =>
    m.op === "put"
      ? m.lease.state === LeaseState.RELEASED
        ? { command: "lease4-del", args: leaseDeleteArgs(m.lease) }
        : { command: "lease4-update", args: leaseUpdateArgs(m.lease) }
      : { command: "lease4-del", args: { "ip-address": formatIpv4(m.address), origin: "ha-partner" } }
  );
}

/**
 * The partner answered an update with an error. `conflict` is Kea's result 4 (the update conflicts with the
 * partner's lease: counted towards `max-rejected-lease-updates`); any other result is a plain failure of that
 * update (the reply is dropped, as Kea drops it, but the relationship is not put at risk).
 */
export class UpdateRejected extends Error {
  constructor(message: string, readonly conflict: boolean) {
    super(message);
    this.name = "UpdateRejected";
  }
}

/**
 * Sends `cmds` to `peer` one after the other. Result 0 is success; result 3 ("not found") to a `lease4-del` also
 * counts as done (the lease is gone either way). Throws PeerError when the peer could not be reached and
 * UpdateRejected when it answered with another result.
 */
export async function sendUpdates(peer: CommandSender, cmds: readonly UpdateCommand[]): Promise<void> {
  for (const c of cmds) {
    const a = await peer.send(c.command, c.args);
    if (a.result === 0 || (a.result === 3 && c.command === "lease4-del")) continue;
    throw new UpdateRejected(
      `${c.command} for ${c.args["ip-address"]} refused (result ${a.result}): ${a.text ?? "no text"}`,
      a.result === 4,
    );
  }
}

/** The lease-update queue and sender of one HA relationship. */
export class LeaseUpdater {
  /** communication-recovery backlog (commands, in order) */
  private backlog: UpdateCommand[] = [];
  /** Kea's unsent-update-count: updates this server did not send to its active partner */
  unsentUpdateCount = 0;

  constructor(
    private readonly cfg: HaConfig,
    private readonly partner: CommandSender | undefined,
    private readonly backups: readonly CommandSender[],
    private readonly onOutcome: (o: UpdateOutcome) => void,
    private readonly log: (level: "warn" | "debug", id: string, text: string) => void,
  ) {}

  /** Number of commands waiting in the backlog. */
  backlogSize(): number {
    return this.backlog.length;
  }

  /** Forgets the backlog (a full synchronisation follows). */
  clearBacklog(): void {
    this.backlog = [];
  }

  /**
   * Kea's leases4_committed for one query. `policy` is what the machine allows now for the active partner.
   * Returns the promise the reply waits for (the partner's acknowledgement, and backups' with wait-backup-ack), or
   * undefined when nothing is to be waited for. `overflow` is called when the backlog exceeds the limit.
   */
  replicate(
    cmds: readonly UpdateCommand[],
    clientKey: string,
    policy: "send" | "queue" | "none",
    overflow: () => void,
  ): Promise<void> | undefined {
    if (!this.cfg.sendLeaseUpdates || cmds.length === 0) return undefined;
    const waits: Promise<void>[] = [];
    for (const b of this.backups) {
      const p = sendUpdates(b, cmds).catch((e) => {
        this.log("warn", "HA_LEASE_UPDATE_FAILED", `lease update to a backup server failed: ${(e as Error).message}`);
        if (this.cfg.waitBackupAck && this.cfg.mode === "passive-backup") throw e;
      });
      if (this.cfg.waitBackupAck && this.cfg.mode === "passive-backup") waits.push(p);
    }
    if (this.partner) {
      if (policy === "queue") {
        this.backlog.push(...cmds);
        if (this.backlog.length > this.cfg.delayedUpdatesLimit) {
          this.backlog = [];
          overflow();
        }
      } else if (policy === "send") {
        waits.push(this.toPartner(this.partner, cmds, clientKey));
      } else this.unsentUpdateCount += 1;
    }
    if (waits.length === 0) return undefined;
    return Promise.all(waits).then(() => {});
  }

  private async toPartner(partner: CommandSender, cmds: readonly UpdateCommand[], clientKey: string): Promise<void> {
    try {
      await sendUpdates(partner, cmds);
    } catch (e) {
      const msg = (e as Error).message;
      if (e instanceof UpdateRejected && e.conflict) {
        this.log("warn", "HA_LEASE_UPDATE_CONFLICT", `the partner rejected a lease update: ${msg}`);
        this.onOutcome({ kind: "rejected", clientKey, text: msg });
      } else if (e instanceof UpdateRejected) {
        // reachable, but the update failed: Kea logs HA_LEASE_UPDATE_FAILED and drops the parked reply
        this.log("warn", "HA_LEASE_UPDATE_FAILED", `the partner could not apply a lease update: ${msg}`);
      } else {
        this.log("warn", "HA_LEASE_UPDATE_COMMUNICATIONS_FAILED", msg);
        this.onOutcome({ kind: "failed", error: msg });
      }
      throw e;
    }
    this.onOutcome({ kind: "ok", clientKey });
  }

  /**
   * Kea's `sendLeaseUpdatesFromBacklog`: sends the queued commands in order; resolves true when every one was
   * acknowledged (the backlog is then empty), false at the first failure (what is left stays queued).
   */
  async sendBacklog(): Promise<boolean> {
    if (!this.partner) return true;
    while (this.backlog.length) {
      try {
        await sendUpdates(this.partner, [this.backlog[0]]);
      } catch (e) {
        const why = e instanceof PeerError || e instanceof UpdateRejected ? e.message : String(e);
        this.log("warn", "HA_LEASE_UPDATES_BACKLOG_FAILED", `sending the lease update backlog failed: ${why}`);
        return false;
      }
      this.backlog.shift();
    }
    return true;
  }
}
