/**
 * `weka dhcp6 -c FILE [-p PORT]` (and the DHCPv6 half of `weka run`): wires the DHCPv6 role together the way
 * mod/cli/dhcp4.ts wires DHCPv4 (explicit wiring): config → logging → lease6 store (Deno KV, or Kea's SQL lease
 * database) and Kea's host databases → server DUID (persisted in `kea-dhcp6-serverid`) → FFI sockets (one per
 * interface, joined to ff02::1:2, mod/net/udp6.ts) → server loop → control channel → HA relationship (libdhcp_ha.so,
 * mod/ha with HA_FAMILY6), then waits for signals. SIGHUP and config-reload re-read the file (a bad file is refused
 * and the old configuration keeps serving; the lease database, the interfaces and the HA relationship cannot change
 * without a restart); SIGTERM/SIGINT stop receiving, send the replies whose commit is in flight, and exit 0.
 */
import { leaseSanity6 } from "./lease_sanity.ts";
import { WEKA_BOUNDS } from "../config/defaults.ts";
import { dirname, join } from "../control/posix_path.ts";
import type { Dhcp6Config } from "../config/model6.ts";
import type { Log } from "../log/logger.ts";
import { KvLease6Store } from "../lease/kv_store6.ts";
import { parseKeaCsv6 } from "../lease/kea_csv6.ts";
import { importCsvAtStartup, serverPidFile } from "./leases.ts";
import { reclaimer6 } from "../lease/reclaim6.ts";
import { leaseHooksBlocker, RUN_SCRIPT_HOOK } from "./dhcp4_hooks.ts";
import { openLeaseHooks6 } from "./dhcp6_hooks.ts";
import { PoolAllocator6 } from "../dhcp6/engine/pool_allocator6.ts";
import { Stats } from "../stats/stats.ts";
import { Dhcp6Server } from "../dhcp6/server6.ts";
import { duidText, loadServerDuid, SERVER_ID_FILE } from "../dhcp6/server_duid.ts";
import { initialLease6Stats } from "../dhcp6/stats6.ts";
import { Control6Channel, type Control6Context } from "../dhcp6/control6.ts";
import { Ffi6Transport, resolveServed6 } from "../net/udp6.ts";
import { ifNameToIndex } from "../net/libc.ts";
import type { PollGroup } from "../net/poll_group.ts";
import type { D2Daemon } from "../ddns/d2/daemon.ts";
import type { DdnsSender6 } from "../dhcp6/ddns6.ts";
import { Forwarder4o6 } from "../dhcp6/dhcp4o6_6.ts";
import { Link4o6 } from "./dhcp4o6_wiring.ts";
import { inProcessSink } from "./d2_sink.ts";
import { haReloadBlocker } from "./ha_reload.ts";
import { parseIpv6 } from "../wire/ipv6.ts";
import { VERSION } from "./version.ts";
import { channelLog, noteAgentNotServed, serviceState, unixSockets } from "./role_common.ts";
import type { ServiceDirectory } from "../control/services.ts";
import { loadRole, type RoleKind, RoleRunner } from "./role_runner.ts";
import { freshLeaseReads, openHosts6, openSqlStore6, recoverSql } from "./sql_leases.ts";
import { describeDb } from "../config/compile_db.ts";
import { LEASE_DATABASE6_DEFAULTS } from "../config/defaults.ts";
import { SqlLease6Store } from "../lease/sql_store6.ts";
import type { Lease6, Lease6Store } from "../lease/types6.ts";

export interface Dhcp6Options {
  configPath: string;
  /** a non-default port: serve relayed traffic on [::1]:PORT only, replies to the sender's port (tests) */
  port?: string;
  /** `weka run` with Dhcp4 too: log through this (one LogTape configuration per process); absent = own logging */
  log?: Log;
  /** `weka run` with Dhcp4 too: the process's one readiness wait over every socket (mod/net/poll_group.ts) */
  group?: PollGroup;
  /** `weka run` with DhcpDdns: the in-process D2 (NCRs go to it directly) */
  d2?: D2Daemon;
  /** `weka run`: the process's roles as its Control Agent reaches them (this role registers as `dhcp6`) */
  services?: ServiceDirectory;
  /** `weka run`: resolves when another role of the process ended by itself; this role then stops too */
  stop?: Promise<string>;
}

/** A reload may not move the lease database or the sockets (a restart does that); undefined when it can go ahead. */
export function reloadBlocker6(old: Dhcp6Config, next: Dhcp6Config): string | undefined {
  if (old.lease.path !== next.lease.path) {
    return `the lease database cannot change on reload (${old.lease.path} → ${next.lease.path}); restart weka`;
  }
  const hostsDbs = (c: Dhcp6Config) => (c.hostsDbs ?? []).map(describeDb).join(", ");
  if (hostsDbs(old) !== hostsDbs(next)) return "the host databases cannot change on reload; restart weka";
  const names = (c: Dhcp6Config) => JSON.stringify(c.interfaces, (_k, v) => typeof v === "bigint" ? String(v) : v);
  if (names(old) !== names(next)) return "interfaces-config cannot change on reload yet; restart weka";
  return haReloadBlocker(old, next) ?? leaseHooksBlocker(next);
}

/** What makes the DHCPv6 role a role (mod/cli/role_runner.ts runs it). */
const DHCP6: RoleKind<Dhcp6Config> = {
  prefix: "DHCP6",
  map: "Dhcp6",
  logger: "kea-dhcp6",
  section: (l) => l.dhcp6,
  reloadBlocker: reloadBlocker6,
};

/** Runs the DHCPv6 server until a signal (or the shutdown command) stops it; returns the exit code. */
export async function runDhcp6(opts: Dhcp6Options): Promise<number> {
  const got = await loadRole(DHCP6, opts.configPath, () => " (use 'weka dhcp4' or 'weka run')");
  if (typeof got === "number") return got;
  const { loaded, config } = got;
  const role = await RoleRunner.begin(DHCP6, opts.configPath, loaded, config, opts.log);
  const log = role.log;
  noteAgentNotServed(loaded.agent !== undefined, opts.services !== undefined, log);
  const store = await openStore6(role);
  if (!store) return await role.abort();
  const hosts = await openHosts6(config.hostsDbs, log);
  if (hosts === false) return await role.abort();
  if (hosts) role.onStop(() => hosts.close());
  // Kea checks the leases it loads from a lease file; a shared SQL database is not rewritten at start-up
  if (!(store instanceof SqlLease6Store)) await leaseSanity6(store, config, log);
  const allocator = new PoolAllocator6();
  (store as Lease6Store).subscribe?.((m) => allocator.observe(m));
  let net: ReturnType<typeof openTransport6>;
  try {
    net = openTransport6(config, opts.port, log, opts.group);
  } catch (e) {
    log.error("DHCP6_OPEN_SOCKET_FAIL", (e as Error).message);
    return await role.abort();
  }
  // a SQL lease database has no directory: the server DUID goes where weka's own lease files go by default
  const dataDir = config.dataDirectory ??
    dirname(config.lease.db ? LEASE_DATABASE6_DEFAULTS.kvName : config.lease.path);
  const duidPath = join(dataDir, SERVER_ID_FILE);
  const serverDuid = await loadServerDuid(
    config.serverId,
    duidPath,
    { mac: net.mac, now: Math.floor(Date.now() / 1000), random: (n) => crypto.getRandomValues(new Uint8Array(n)) },
    (text) => log.warn("DHCP6_SERVERID_WRITE_FAIL", text),
  );
  log.info("DHCP6_SERVERID", `server DUID ${duidText(serverDuid)} (${duidPath})`);

  const stats = new Stats();
  const sampleLimits = (c: typeof config) =>
    stats.setSampleLimits(
      c.tuning?.statisticSampleCount ?? 20,
      c.tuning?.statisticSampleAge ?? 0,
      WEKA_BOUNDS.statisticSamples,
    );
  sampleLimits(config);
  initialLease6Stats(stats, config, store);
  // the NCR sender and builder load only when DDNS is on (issue 16 item 5)
  const ddnsMods = config.dhcpDdns?.enableUpdates
    ? await Promise.all([import("../dhcp6/ddns6.ts"), import("../dhcp6/engine/ddns_ncr6.ts")])
    : undefined;
  const ddns = ddnsMods?.[0].startDdnsSender6(config, {
    stats,
    log,
    ...(opts.d2 ? { sink: inProcessSink(opts.d2), sinkName: "the in-process D2 (weka run)" } : {}),
  });
  role.onStop(() => ddns?.close());
  let hooks;
  try {
    hooks = openLeaseHooks6(config, log);
  } catch (e) {
    log.error("DHCP6_CONFIG_LOAD_FAIL", `${RUN_SCRIPT_HOOK}: ${(e as Error).message}`);
    net.transport.close();
    return await role.abort();
  }
  role.onStop(() => hooks.close());
  const dhcpState = serviceState("DHCP6", log, (enabled) => server.setEnabled(enabled));
  // libdhcp_ha.so in Dhcp6: kea-dhcp6's relationship (lease6-bulk-apply, lease6-get-page, the DUID's hash)
  const subnetKnown = (id: number) => role.current.subnets.some((s) => s.id === id);
  // mod/ha loads only for a configured HA hook (issue 16 item 5)
  const [haWiring, haFamily] = config.ha
    ? await Promise.all([import("./ha_wiring.ts"), import("../ha/family6.ts")])
    : [undefined, undefined];
  const haDeps = config.ha && haFamily
    ? { config, ha: config.ha, store, stats, log, dhcpState, subnetKnown, family: haFamily.HA_FAMILY6 }
    : undefined;
  const haService = haDeps ? haWiring!.buildHaService(haDeps) : undefined;
  // DHCPv4-over-DHCPv6 (RFC 7341): DHCPV4-QUERY to the DHCPv4 server over Kea's channel on ::1
  const forwarder4o6 = new Forwarder4o6({ transport: net.transport, stats, log });
  const link4o6 = new Link4o6(forwarder4o6, (b) => forwarder4o6.receive(b), log);
  await link4o6.apply(config.dhcp4o6Port);
  role.onStop(() => link4o6.close());
  if (store instanceof SqlLease6Store || hosts) {
    const sqlStore = store instanceof SqlLease6Store ? store : undefined;
    const db = config.lease.db ?? config.hostsDbs![0];
    role.onStop(recoverSql("DHCP6", db, { store: sqlStore, hosts }, dhcpState, role.life, log));
  }
  const server = new Dhcp6Server({
    config,
    transport: net.transport,
    store,
    allocator,
    stats,
    log,
    serverDuid,
    ifaceAddrs: net.ifaceAddrs,
    onFatal: (reason) => role.life.fail(`the DHCPv6 receive loop stopped: ${reason}`),
    onNcrs: ddns ? (ncrs) => ddns.submit(ncrs) : undefined,
    ha: haService,
    dhcp4o6: forwarder4o6,
    leaseHooks: hooks,
    ...(hosts ? { hosts: { view: hosts, prefetch: (k) => hosts.prefetch(k) } } : {}),
  });
  const reclaimer = reclaimer6(store, {
    config: () => role.current.expired,
    clock: () => Math.floor(Date.now() / 1000),
    onStats: (deltas) => deltas.forEach(([n, d]) => stats.add(n, d)),
    onEvents: (events) => {
      ddns?.reclaimed(events);
      hooks.onReclaimed(events);
    },
    log: (id, text, level) => log[level](id, text),
  });
  server.start();
  reclaimer.start();
  role.onStop(() => server.stop());
  role.onStop(() => reclaimer.stop());
  role.onStop(() => dhcpState.clearTimer());
  role.whenApplied((next) => {
    server.setConfig(next);
    ddns?.setConfig(next);
    hooks.reconfigure(next);
    void link4o6.apply(next.dhcp4o6Port);
    allocator.reset();
    sampleLimits(next);
    initialLease6Stats(stats, next, store);
  });
  const ctx: Control6Context = {
    stats,
    store,
    dhcpState,
    reclaim: (remove) => reclaimer.reclaimNow(remove),
    packetQueueStats: () => server.queueStats.averages(),
    resendDdns6: ddns && ddnsMods ? (l) => resendNcr6(ddnsMods[1], ddns, role.current, l) : undefined,
    ...role.contextBase(() => [{ path: duidPath, what: "the server DUID file" }]),
  };
  const endpoints = net.transport.endpoints();
  const channel = new Control6Channel(ctx, channelLog(log));
  channel.dispatch = freshLeaseReads(channel.dispatch, store as Lease6Store) as typeof channel.dispatch;
  if (opts.services) {
    role.onStop(opts.services.register("dhcp6", {
      dispatch: channel.dispatch,
      unixSockets: () => unixSockets(role.current.controlSockets),
      liveFiles: ctx.liveFiles,
    }));
  }
  await role.open(
    channel,
    `weka ${VERSION} DHCPv6 server started (pid ${Deno.pid}): listening on ${endpoints.join(", ") || "nothing"}, ` +
      `${config.subnets.length} subnet(s)`,
    endpoints.length === 0,
  );
  if (haService && haDeps) await haWiring!.startHa(role, haService, haDeps, channel.registry);
  return await role.serveUntilStopped(stats, "DHCPv6", opts.stop);
}

/**
 * Opens the role's SQL lease database (Kea's lease6 table), or its Deno KV lease6 store, writes the pid file that
 * tells `weka leases import -6` this process owns the database, and imports a memfile's Kea kea-leases6.csv into an
 * empty store (a Kea site keeps its leases, as for DHCPv4). Undefined when the store cannot be used (the reason is
 * logged).
 */
async function openStore6(role: RoleRunner<Dhcp6Config>): Promise<Lease6Store | undefined> {
  const { log, current: config } = role;
  if (config.lease.db) {
    const sql = await openSqlStore6("DHCP6", config.lease.db, log);
    if (!sql) return undefined;
    role.onStop(() => sql.close());
    log.info(
      "DHCP6_LEASE_DB",
      `${config.lease.type} lease database ${config.lease.path}: ${sql.size()} IPv6 lease(s) loaded`,
    );
    return sql;
  }
  const store = await role.openStore((p, o) => KvLease6Store.open(p, o));
  if (!store) return undefined;
  role.onStop(() => store.close());
  log.info(
    "DHCP6_LEASE_DB",
    config.lease.type === "memfile"
      ? `memfile lease file ${config.lease.csvName ?? "(default)"} is kept as Deno KV database ${config.lease.path}; ` +
        `${store.size()} IPv6 lease(s) loaded`
      : `Deno KV lease database ${config.lease.path}: ${store.size()} IPv6 lease(s) loaded`,
  );
  const pidFile = serverPidFile(config.lease.path);
  await Deno.writeTextFile(pidFile, `${Deno.pid}\n`).catch(() => {});
  role.onStop(() => Deno.remove(pidFile).catch(() => {}));
  if (config.lease.type === "memfile" && config.lease.csvName && store.size() === 0) {
    try {
      await importCsvAtStartup(store, config.lease.csvName, (id, text) => log.info(id, text), parseKeaCsv6);
    } catch (e) {
      log.error("DHCP6_LEASE_CSV_IMPORT_FAILED", `${config.lease.csvName}: ${(e as Error).message}`);
      return undefined;
    }
  }
  return store;
}

/**
 * The DHCPv6 sockets: with `port` (tests without root) relayed traffic on [::1]:PORT only; else one FFI socket per
 * served interface on [::]:547, joined to ff02::1:2 there (mod/net/udp6.ts). Also the addresses per interface and
 * a MAC for a generated server DUID.
 */
function openTransport6(config: Dhcp6Config, port: string | undefined, log: Log, group?: PollGroup) {
  const onSendError = (m: string) => log.error("DHCP6_PACKET_SEND_FAIL", m);
  if (port !== undefined) {
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`--port ${port}: expected a port number`);
    const iface = config.interfaces[0]?.name ?? "";
    const transport = Ffi6Transport.openLoopback(p, iface === "*" ? "" : iface, onSendError, group);
    return { transport, ifaceAddrs: new Map([[iface, [parseIpv6("::1")!]]]), mac: undefined };
  }
  const r = resolveServed6(config.interfaces, Deno.networkInterfaces(), ifNameToIndex);
  for (const w of r.warnings) log.warn("DHCP6_OPEN_SOCKET_FAIL", w);
  const transport = Ffi6Transport.open({ interfaces: r.served, onSendError, group });
  const mac = r.served.map((s) => r.macs.get(s.name)).find((m) => m) ?? [...r.macs.values()][0];
  return { transport, ifaceAddrs: r.addrs, mac };
}

/** lease6-resend-ddns: the add NCR of a lease as stored, with the DDNS parameters of its pool or subnet. */
function resendNcr6(
  ncrs: typeof import("../dhcp6/engine/ddns_ncr6.ts"),
  ddns: DdnsSender6,
  config: Dhcp6Config,
  lease: Lease6,
): void {
  const ncr = ncrs.lease6Ncr("add", lease, ncrs.leaseDdnsParams6(config, lease));
  if (ncr) ddns.submit([ncr]);
}
