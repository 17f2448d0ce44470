/**
 * The control channel of a DHCPv6 server (Kea's kea-dhcp6 command set, ctrl-channel.rst "Commands Supported by
 * Both the DHCPv4 and DHCPv6 Servers"): the general commands and the statistics commands of mod/control, with
 * config-test / config-set taking a `{"Dhcp6": {…}}` document, and the lease6-* commands of Kea's lease_cmds hook
 * (mod/control/lease6_cmds.ts) when libdhcp_lease_cmds.so is configured or the lease database is weka's kv; without
 * them a read-only `lease6-get-all` stays so operators and tests can see the lease table; `stat-lease6-get` with
 * libdhcp_stat_cmds.so. Served on every
 * configured control socket; a reload that changes the sockets reopens them.
 */
import type { Dhcp6Config } from "../config/model6.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Lease6, Lease6Store } from "../lease/types6.ts";
import { LEASE_CMDS_HOOK } from "../control/channel.ts";
import { registerLease6Commands } from "../control/lease6_cmds.ts";
import { lease6List } from "../control/lease6_get_cmds.ts";
import type { ControlContext } from "../control/context.ts";
import { registerGeneralCommands } from "../control/general_cmds.ts";
import { registerStatCommands } from "../control/stat_cmds.ts";
import { CommandRegistry } from "../control/registry.ts";
import { registerStatLease6, STAT_CMDS_HOOK } from "../control/stat_lease_cmds.ts";
import { type ChannelLog, RegistryChannel } from "../control/channel.ts";

/** What the DHCPv6 commands need: the general context without the DHCPv4 store and config, plus the v6 ones. */
export type Control6Context = Omit<ControlContext, "store" | "config" | "checkDoc"> & {
  store: Lease6Store;
  config(): Dhcp6Config;
  checkDoc(doc: Record<string, unknown>): LoadedConfig;
  /** lease6-resend-ddns: queues an add NCR for a stored lease; absent while DDNS updates are off */
  resendDdns6?(lease: Lease6): void;
};

/** Whether a DHCPv6 configuration switches the lease6 commands on (the hook library, or the kv lease backend). */
export function lease6CommandsEnabled(config: Dhcp6Config): boolean {
  return config.hooks.some((h) => h.endsWith(LEASE_CMDS_HOOK)) || config.lease.type === "kv";
}

/**
 * Builds the DHCPv6 command registry: general + statistics commands (mod/control; the configuration commands take
 * Dhcp6 documents on a "dhcp6" registry), and the lease6-* commands when `lease6CommandsEnabled` (otherwise only a read-only
 * `lease6-get-all`, Kea's lease_cmds answer `{"leases": [...]}`, result 3 "0 IPv6 lease(s) found." when empty).
 */
export function buildRegistry6(ctx: Control6Context): CommandRegistry {
  const reg = new CommandRegistry("dhcp6");
  // the general commands read neither the DHCPv4 store nor the DHCPv4 config (only lease commands do)
  registerGeneralCommands(reg, ctx as unknown as ControlContext);
  registerStatCommands(reg, ctx.stats);
  if (lease6CommandsEnabled(ctx.config())) registerLease6Commands(reg, ctx);
  else reg.register("lease6-get-all", () => lease6List([...ctx.store.all()]));
  if (ctx.config().hooks.some((h) => h.endsWith(STAT_CMDS_HOOK))) {
    registerStatLease6(reg, {
      stats: ctx.stats,
      subnetIds: () => ctx.config().subnets.map((s) => s.id).sort((a, b) => a - b),
      leases: () => ctx.store.all(),
      now: () => ctx.now(),
    });
  }
  return reg;
}

/** The registry plus the listeners of a DHCPv6 server (the shared channel of mod/control, v6 registry). */
export class Control6Channel extends RegistryChannel {
  constructor(ctx: Control6Context, log: ChannelLog) {
    const subnets = () => ctx.config().subnets.map((s) => ({ id: s.id, prefix: s.prefix }));
    super(buildRegistry6(ctx), ctx.stats, subnets, log, undefined, "dhcp6");
  }
}
