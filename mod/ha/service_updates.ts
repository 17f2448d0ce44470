/**
 * The lease-update half of the HA service (Kea's `HAService::asyncSendLeaseUpdates`, ha_service.cc, and the
 * `leases4_committed` / `leases6_committed` callouts): the durable lease mutations of one query, as the family
 * words them (`lease4-update` / `lease4-del`, or one `lease6-bulk-apply`, mod/ha/family*.ts), go to the active
 * partner and the reply waits for its acknowledgement (parked until then); they are fired at backups without waiting (unless
 * `wait-backup-ack` in passive-backup), queues them in communication-recovery (the backlog, at most
 * `delayed-updates-limit` commands) and counts the updates not sent at all (`unsent-update-count`).
 * What the partner's answer means for the state machine is reported through `onOutcome`.
 *
 * Bounded (docs/ARCHITECTURE.md rule 8): at most `maxInFlight` queries wait for the partner at once (Kea's
 * `parked-packet-limit`); a query past it is refused at once (DHCP4_HOOK_LEASES4_PARKING_LOT_FULL, statistic
 * `ha-parking-lot-full`) and its reply dropped, as Kea drops it. Each backup has as many sends in flight at most;
 * past that its update is skipped (`ha-backup-queue-full`). The backlog holds at most `delayed-updates-limit`
 * commands; once it overflowed nothing more is queued until it is cleared (`ha-backlog-full` counts what was not).
 */
import { type LeaseMutation, LeaseState } from "../lease/types.ts";
import { formatIpv4 } from "../wire/addr.ts";
import { leaseDeleteArgs, leaseUpdateArgs } from "./lease_updates.ts";
import { PeerError } from "./peer_client.ts";
import type { PeerAnswer } from "./peer_client.ts";
import type { HaConfig } from "../config/model_ha.ts";

/** One command of a lease update (lease4-update / lease4-del, or DHCPv6's lease6-bulk-apply). */
export interface UpdateCommand {
  command: string;
  args: Record<string, unknown>;
  /** results that also mean "done" (lease4-del: 3, the lease is gone either way; lease6-bulk-apply: 3) */
  alsoOk?: readonly number[];
  /** the per-lease failures a successful answer lists (lease6-bulk-apply's failed-leases, failed-deleted-leases) */
  failures?: (answer: PeerAnswer) => LeaseFailure[];
}

/** One lease the partner could not apply although it answered the command (Kea's logFailedLeaseUpdates). */
export interface LeaseFailure {
  /** Kea's result 4: the update conflicts with the partner's lease (counted towards max-rejected-lease-updates) */
  conflict: boolean;
  text: string;
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
        ? { command: "lease4-del", args: leaseDeleteArgs(m.lease), alsoOk: [3] }
        : { command: "lease4-update", args: leaseUpdateArgs(m.lease) }
      : { command: "lease4-del", args: { "ip-address": formatIpv4(m.address), origin: "ha-partner" }, alsoOk: [3] }
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
 * Sends `cmds` to `peer` one after the other. Result 0 is success, and so are a command's `alsoOk` results (3,
 * "not found", to a `lease4-del`: the lease is gone either way). A successful answer's per-lease failures
 * (lease6-bulk-apply) go to `onFailures`, and one that conflicts (Kea's result 4) refuses the whole update.
 * Throws PeerError when the peer could not be reached and UpdateRejected when it answered with another result.
 */
export async function sendUpdates(
  peer: CommandSender,
  cmds: readonly UpdateCommand[],
  onFailures?: (failures: LeaseFailure[]) => void,
): Promise<void> {
  for (const c of cmds) {
    const a = await peer.send(c.command, c.args);
    const what = typeof c.args["ip-address"] === "string" ? `${c.command} for ${c.args["ip-address"]}` : c.command;
    if (a.result === 0 || c.alsoOk?.includes(a.result)) {
      const failed = c.failures?.(a) ?? [];
      if (failed.length) onFailures?.(failed);
      const conflict = failed.find((f) => f.conflict);
      if (conflict) throw new UpdateRejected(`${what}: ${conflict.text}`, true);
      continue;
    }
    throw new UpdateRejected(`${what} refused (result ${a.result}): ${a.text ?? "no text"}`, a.result === 4);
  }
}

/**
 * Default of {@link UpdaterHooks.maxInFlight}: queries waiting for the partner's acknowledgement at once, Kea's
 * `parked-packet-limit` default. The server wires the configured `parked-packet-limit` in (compile_server.ts; 0,
 * Kea's "no limit", becomes weka's bound of 65 536).
 */
export const MAX_UPDATES_IN_FLIGHT = 256;

/** Statistics the updater counts (weka's own names; Kea counts a parking-lot drop only in pkt4-receive-drop). */
export const HA_UPDATE_STATS = ["ha-parking-lot-full", "ha-backup-queue-full", "ha-backlog-full"] as const;

/** What the updater reports to, and its bound. */
export interface UpdaterHooks {
  /** the partner's verdict on one query's updates, for the state machine */
  onOutcome: (o: UpdateOutcome) => void;
  log: (level: "warn" | "debug", id: string, text: string) => void;
  /** a statistic bump (one of HA_UPDATE_STATS) */
  stat?: (name: string) => void;
  /** queries waiting for the partner at once, and sends in flight to each backup (default MAX_UPDATES_IN_FLIGHT) */
  maxInFlight?: number;
  /** the log id of a full parking lot (DHCP6_HOOK_LEASES6_PARKING_LOT_FULL for DHCPv6; DHCPv4's by default) */
  parkingLotId?: string;
}

/** The lease-update queue and sender of one HA relationship. */
export class LeaseUpdater {
  /** communication-recovery backlog: commands `backlog[backlogHead…]`, in order */
  private backlog: UpdateCommand[] = [];
  private backlogHead = 0;
  /** the backlog passed delayed-updates-limit: nothing is queued until clearBacklog (a resync follows) */
  private overflowed = false;
  /** Kea's unsent-update-count: updates this server did not send to its active partner */
  unsentUpdateCount = 0;
  /** queries waiting for the partner's acknowledgement */
  private parked = 0;
  /** sends in flight to each backup */
  private readonly backupInFlight: number[];
  /** a full spell was logged (once each, until the count drops back) */
  private fullLogged = false;
  private readonly maxInFlight: number;
  private readonly onOutcome: UpdaterHooks["onOutcome"];
  private readonly log: UpdaterHooks["log"];

  constructor(
    private readonly cfg: HaConfig,
    private readonly partner: CommandSender | undefined,
    private readonly backups: readonly CommandSender[],
    private readonly hooks: UpdaterHooks,
  ) {
    this.onOutcome = hooks.onOutcome;
    this.log = hooks.log;
    this.maxInFlight = Math.max(1, hooks.maxInFlight ?? MAX_UPDATES_IN_FLIGHT);
    this.backupInFlight = backups.map(() => 0);
  }

  /** Kea's HA_LEASE_UPDATE_*_FAILED_ON_PEER: each lease the partner could not apply, one warning line. */
  private readonly failuresLogged = (failures: LeaseFailure[]): void => {
    for (const f of failures) this.log("warn", "HA_LEASE_UPDATE_FAILED_ON_PEER", `the partner did not apply ${f.text}`);
  };

  /** Number of commands waiting in the backlog. */
  backlogSize(): number {
    return this.backlog.length - this.backlogHead;
  }

  /** Queries whose reply waits for the partner's acknowledgement now. */
  get inFlight(): number {
    return this.parked;
  }

  /** Forgets the backlog (a full synchronisation follows) and queues again. */
  clearBacklog(): void {
    this.backlog = [];
    this.backlogHead = 0;
    this.overflowed = false;
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
    const waitBackups = this.cfg.waitBackupAck && this.cfg.mode === "passive-backup";
    if (policy === "send" && this.partner && this.parked >= this.maxInFlight) return this.parkingLotFull();
    const waits: Promise<void>[] = [];
    this.backups.forEach((b, i) => {
      if (this.backupInFlight[i] >= this.maxInFlight) {
        this.hooks.stat?.("ha-backup-queue-full");
        const e = new Error(`${this.maxInFlight} lease updates are already in flight to this backup server`);
        if (waitBackups) waits.push(Promise.reject(e));
        return;
      }
      this.backupInFlight[i]++;
      const p = sendUpdates(b, cmds, this.failuresLogged).catch((e) => {
        this.log("warn", "HA_LEASE_UPDATE_FAILED", `lease update to a backup server failed: ${(e as Error).message}`);
        if (waitBackups) throw e;
      }).finally(() => this.backupInFlight[i]--);
      if (waitBackups) waits.push(p);
    });
    if (this.partner) {
      if (policy === "queue") this.enqueue(cmds, overflow);
      else if (policy === "send") waits.push(this.toPartner(this.partner, cmds, clientKey));
      else this.unsentUpdateCount += 1;
    }
    if (waits.length === 0) return undefined;
    return Promise.all(waits).then(() => {});
  }

  /** Kea's parking lot is full: the query is refused at once, logged once per full spell and counted. */
  private parkingLotFull(): Promise<void> {
    this.hooks.stat?.("ha-parking-lot-full");
    const text = `${this.maxInFlight} queries already wait for the partner's acknowledgement: query dropped`;
    if (!this.fullLogged) {
      this.fullLogged = true;
      const id = this.hooks.parkingLotId ?? "DHCP4_HOOK_LEASES4_PARKING_LOT_FULL";
      this.log("warn", id, `${text} (counted in ha-parking-lot-full)`);
    }
    return Promise.reject(new Error(text));
  }

  /** Queues a query's commands in the backlog; past delayed-updates-limit the backlog overflows (see the class). */
  private enqueue(cmds: readonly UpdateCommand[], overflow: () => void): void {
    if (this.overflowed) {
      this.hooks.stat?.("ha-backlog-full");
      return;
    }
    for (const c of cmds) this.backlog.push(c);
    if (this.backlogSize() > this.cfg.delayedUpdatesLimit) {
      this.hooks.stat?.("ha-backlog-full");
      this.log(
        "warn",
        "HA_LEASE_UPDATES_BACKLOG_OVERFLOW",
        `more than ${this.cfg.delayedUpdatesLimit} lease updates queued for the partner (delayed-updates-limit): ` +
          "the backlog is dropped; a full synchronisation follows when the partner is back",
      );
      this.backlog = [];
      this.backlogHead = 0;
      this.overflowed = true;
      overflow();
    }
  }

  private async toPartner(partner: CommandSender, cmds: readonly UpdateCommand[], clientKey: string): Promise<void> {
    this.parked++;
    try {
      await sendUpdates(partner, cmds, this.failuresLogged);
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
    } finally {
      if (--this.parked < this.maxInFlight / 2) this.fullLogged = false;
    }
    this.onOutcome({ kind: "ok", clientKey });
  }

  /**
   * Kea's `sendLeaseUpdatesFromBacklog`: sends the queued commands in order; resolves true when every one was
   * acknowledged (the backlog is then empty), false at the first failure (what is left stays queued).
   */
  async sendBacklog(): Promise<boolean> {
    if (!this.partner) return true;
    while (this.backlogSize() > 0) {
      try {
        await sendUpdates(this.partner, [this.backlog[this.backlogHead]]);
      } catch (e) {
        const why = e instanceof PeerError || e instanceof UpdateRejected ? e.message : String(e);
        this.log("warn", "HA_LEASE_UPDATES_BACKLOG_FAILED", `sending the lease update backlog failed: ${why}`);
        return false;
      }
      this.backlogHead++;
    }
    this.backlog = [];
    this.backlogHead = 0;
    return true;
  }
}
