/**
 * The control commands of weka's HA module (Kea's ha_callouts.cc / HAImpl handlers): ha-heartbeat, ha-scopes, ha-continue, ha-reset, ha-maintenance-start, ha-maintenance-cancel,
 * ha-maintenance-notify, ha-sync and ha-sync-complete-notify, plus the `high-availability` section of status-get.
 * This module checks the arguments the way Kea does and words the answers as Kea does; what each command does is
 * delegated to an {@link HaControl}, which the HA service implements. Pure.
 */
import { type Answer, answer, badArgs, CommandError, ok, Result } from "../control/answer.ts";
import { setStatusSection } from "../control/general_cmds.ts";
import type { CommandRegistry } from "../control/registry.ts";

/**
 * What the HA commands ask of the HA service. A method that cannot do what was asked throws: a CommandError keeps
 * its result code (e.g. Kea's 1001 "maintenance not allowed"), any other Error answers result 1 with its message.
 */
export interface HaControl {
  /** every peer name of this relationship (what `server-name` may name) */
  serverNames(): string[];
  /** ha-heartbeat arguments: `{state, date-time, scopes, unsent-update-count}` */
  heartbeat(): Record<string, unknown>;
  /** serves exactly these scopes (peer names); throws for a name that is not a peer */
  scopes(names: string[]): void;
  /** "HA state machine continues." or "HA state machine is not paused." */
  continue(): string;
  /** "HA state machine reset." or "HA state machine already in WAITING state." */
  reset(): string;
  maintenanceStart(): Promise<string>;
  maintenanceCancel(): Promise<string>;
  /** the partner tells this server it goes into (cancel false) or out of (cancel true) maintenance */
  maintenanceNotify(cancel: boolean, partnerState?: string): string;
  /** the partner finished synchronising from this server: lift its dhcp-disable of `originId` */
  syncComplete(originId: number): string;
  /** synchronises from the partner now ("Lease database synchronization complete.") */
  sync(maxPeriod?: number): Promise<string>;
  /** this relationship's entry of status-get `high-availability` (`{ha-mode, ha-servers}`) */
  statusSection(): Record<string, unknown>;
}

/** The HA command names (what libdhcp_ha.so adds to list-commands). */
export const HA_COMMANDS: readonly string[] = [
  "ha-continue",
  "ha-heartbeat",
  "ha-maintenance-cancel",
  "ha-maintenance-notify",
  "ha-maintenance-start",
  "ha-reset",
  "ha-scopes",
  "ha-sync",
  "ha-sync-complete-notify",
];

/**
 * Kea's HAImpl::getHAServiceByServerName: an optional `server-name` string that must name a peer of this
 * relationship (any peer name selects the relationship it belongs to).
 */
function checkServerName(cmd: string, ha: HaControl, args: Record<string, unknown> | undefined, need = false): void {
  const name = args?.["server-name"];
  if (name === undefined) {
    if (need) badArgs(`'server-name' is mandatory for the '${cmd}' command`);
    return;
  }
  if (typeof name !== "string") badArgs(`'server-name' must be a string in the '${cmd}' command`);
  if (!ha.serverNames().includes(name)) badArgs(`${name} matches no configured 'server-name'`);
}

async function run(fn: () => Answer | Promise<Answer>): Promise<Answer> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CommandError) throw e;
    return answer(Result.ERROR, (e as Error).message ?? String(e));
  }
}

/**
 * Registers the HA commands on `reg`, each answering from `ha`, and adds the `high-availability` list to
 * status-get. Call once per server with HA configured; `unregisterHaCommands` undoes it on a reload without HA.
 */
export function registerHaCommands(reg: CommandRegistry, ha: HaControl): void {
  reg.register("ha-heartbeat", (args) =>
    run(() => {
      checkServerName("ha-heartbeat", ha, args);
      return ok("HA peer status returned.", ha.heartbeat());
    }));

  reg.register("ha-scopes", (args) =>
    run(() => {
      if (!args) badArgs("arguments not found in the 'ha-scopes' command");
      const scopes = args.scopes;
      if (scopes === undefined) badArgs("'scopes' is mandatory for the 'ha-scopes' command");
      if (!Array.isArray(scopes)) badArgs("'scopes' must be a list in the 'ha-scopes' command");
      if (scopes.some((s) => typeof s !== "string")) badArgs("scope name must be a string in the 'scopes' argument");
      checkServerName("ha-scopes", ha, args);
      ha.scopes(scopes as string[]);
      return ok("New HA scopes configured.");
    }));

  reg.register("ha-continue", (args) =>
    run(() => {
      checkServerName("ha-continue", ha, args);
      return ok(ha.continue());
    }));

  reg.register("ha-reset", (args) =>
    run(() => {
      checkServerName("ha-reset", ha, args);
      return ok(ha.reset());
    }));

  reg.register("ha-maintenance-start", (args) =>
    run(async () => {
      checkServerName("ha-maintenance-start", ha, args);
      return ok(await ha.maintenanceStart());
    }));

  reg.register("ha-maintenance-cancel", (args) =>
    run(async () => {
      checkServerName("ha-maintenance-cancel", ha, args);
      return ok(await ha.maintenanceCancel());
    }));

  reg.register("ha-maintenance-notify", (args) =>
    run(() => {
      if (!args) badArgs("no arguments specified for the 'ha-maintenance-notify' command");
      const cancel = args.cancel;
      if (cancel === undefined) badArgs("'cancel' is mandatory for the 'ha-maintenance-notify' command");
      if (typeof cancel !== "boolean") badArgs("'cancel' must be a boolean in the 'ha-maintenance-notify' command");
      const state = args.state;
      if (state !== undefined && typeof state !== "string") {
        badArgs("'state' must be a string in the 'ha-maintenance-notify' command");
      }
      checkServerName("ha-maintenance-notify", ha, args);
      return ok(ha.maintenanceNotify(cancel, state as string | undefined));
    }));

  reg.register("ha-sync", (args) =>
    run(async () => {
      if (!args) badArgs("arguments not found in the 'ha-sync' command");
      checkServerName("ha-sync", ha, args, true);
      const mp = args["max-period"];
      if (mp !== undefined && (typeof mp !== "number" || !Number.isInteger(mp) || mp <= 0)) {
        badArgs("'max-period' must be a positive integer in the 'ha-sync' command");
      }
      return ok(await ha.sync(mp as number | undefined));
    }));

  reg.register("ha-sync-complete-notify", (args) =>
    run(() => {
      let originId = 2000; // Kea 2.4 and earlier send only origin "ha-partner"
      const oid = args?.["origin-id"];
      if (oid !== undefined) {
        if (typeof oid !== "number" || !Number.isInteger(oid) || oid < 0) {
          badArgs("'origin-id' must be an integer in the 'ha-sync-complete-notify' command");
        }
        originId = oid;
      } else if (args?.origin !== undefined && args.origin !== "ha-partner") {
        badArgs(`'origin' must be "ha-partner" in the 'ha-sync-complete-notify' command`);
      }
      checkServerName("ha-sync-complete-notify", ha, args);
      return ok(ha.syncComplete(originId));
    }));

  setStatusSection(reg, "high-availability", () => [ha.statusSection()]);
}

/** Removes the HA commands and the status-get section (a reload that drops libdhcp_ha.so). */
export function unregisterHaCommands(reg: CommandRegistry): void {
  for (const c of HA_COMMANDS) reg.unregister(c);
  setStatusSection(reg, "high-availability", undefined);
}
