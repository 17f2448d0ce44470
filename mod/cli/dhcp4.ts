/**
 * `weka dhcp4 -c FILE` / `weka run -c FILE`: wires the DHCPv4 role together (explicit wiring): config →
 * logging → Deno KV lease store → interfaces and sockets → server loop and reclamation, then waits for signals.
 * SIGHUP reloads the file (a bad file is refused and the old configuration keeps serving); SIGTERM/SIGINT stop
 * receiving, wait for the last commit, log the statistics and exit 0. The control channel (mod/control) is opened
 * on the configured control sockets; config-reload, config-set and SIGHUP share one apply path. A memfile config
 * whose Kea CSV exists while the KV store is empty has its leases imported at start-up (a Kea site keeps them).
 */
import { leaseSanity4 } from "./lease_sanity.ts";
import { WEKA_BOUNDS } from "../config/defaults.ts";
import type { Dhcp4Config } from "../config/model.ts";
import type { Log } from "../log/logger.ts";
import { KvLeaseStore } from "../lease/kv_store.ts";
import { OfferTable } from "../lease/offers.ts";
import { PoolAllocator } from "../lease/allocator.ts";
import { Reclaimer } from "../lease/reclaim.ts";
import { Stats } from "../stats/stats.ts";
import { Dhcp4Server } from "../dhcp4/server.ts";
import { Endpoint4o6 } from "../dhcp4/dhcp4o6_4.ts";
import { Link4o6 } from "./dhcp4o6_wiring.ts";
import { listInterfaces, resolveServedInterfaces, type ServedInterface } from "../net/interfaces.ts";
import { FfiTransport } from "../net/transport_ffi.ts";
import { LoopbackTransport } from "../net/transport_loopback.ts";
import type { PollGroup } from "../net/poll_group.ts";
import { formatIpv4 } from "../wire/addr.ts";
import { VERSION } from "./version.ts";
import { initialLeaseStats } from "./dhcp4_stats.ts";
import { ControlChannel } from "../control/channel.ts";
import type { ControlContext } from "../control/context.ts";
import { channelLog, noteAgentNotServed, serviceState, unixSockets } from "./role_common.ts";
import { loadRole, type RoleChannel, type RoleKind, RoleRunner } from "./role_runner.ts";
import { ensureKeaStats } from "../control/stat_cmds.ts";
import { importCsvAtStartup, serverPidFile } from "./leases.ts";
import type { DdnsSender } from "../dhcp4/ddns_sender.ts";
import type { D2Daemon } from "../ddns/d2/daemon.ts";
import type { ServiceDirectory } from "../control/services.ts";
import type { LoadedConfig } from "../config/load.ts";
import { leaseHooksBlocker, openLeaseHooks4, RUN_SCRIPT_HOOK } from "./dhcp4_hooks.ts";
import type { Lease4 } from "../lease/types.ts";
import { haReloadBlocker } from "./ha_reload.ts";
import { inProcessSink } from "./d2_sink.ts";
import { freshLeaseReads, openHosts4, openSqlStore4, recoverSql } from "./sql_leases.ts";
import { describeDb } from "../config/compile_db.ts";
import { SqlLeaseStore } from "../lease/sql_store.ts";
import type { LeaseStore } from "../lease/types.ts";

export interface Dhcp4Options {
  configPath: string;
  /** a non-default port: serve on 127.0.0.1:PORT (tests without root); replies go to PORT+1 */
  port?: string;
  /** `weka run`: every role the file names (Dhcp4, and DhcpDdns in the same process) */
  all: boolean;
  /** `weka run` with Dhcp6 too (mod/cli/run.ts): log through this and leave logging open; absent = own logging */
  log?: Log;
  /** `weka run` with Dhcp6 too: the process's one readiness wait over every socket (mod/net/poll_group.ts) */
  group?: PollGroup;
  /** `weka run` with Dhcp6 too: the D2 mod/cli/run.ts started for both families (NCRs go to it in-process) */
  d2?: D2Daemon;
  /** `weka run`: the process's roles as its Control Agent reaches them (this role registers as `dhcp4`) */
  services?: ServiceDirectory;
  /** `weka run`: resolves when another role of the process ended by itself; this role then stops too */
  stop?: Promise<string>;
}

/** What makes the DHCPv4 role a role (mod/cli/role_runner.ts runs it). */
const DHCP4: RoleKind<Dhcp4Config> = {
  prefix: "DHCP4",
  map: "Dhcp4",
  logger: "kea-dhcp4",
  section: (l) => l.dhcp4,
  reloadBlocker,
};

/** Runs the DHCPv4 server until a signal stops it; returns the exit code. */
export async function runDhcp4(opts: Dhcp4Options): Promise<number> {
  const got = await loadRole(
    DHCP4,
    opts.configPath,
    (l) => l.d2 ? " (use 'weka ddns' for DhcpDdns)" : "",
    // `weka run` of a file with only DhcpDdns: the D2 role alone (mod/cli/run.ts adds Dhcp6 when present)
    (l) =>
      opts.all && l.d2
        ? import("./ddns.ts").then((m) =>
          m.runDdns({ configPath: opts.configPath, log: opts.log, services: opts.services })
        )
        : undefined,
  );
  if (typeof got === "number") return got;
  const { loaded, config } = got;
  const role = await RoleRunner.begin(DHCP4, opts.configPath, loaded, config, opts.log);
  const log = role.log;
  noteAgentNotServed(loaded.agent !== undefined, opts.services !== undefined, log);
  const store = await openStore4(role);
  if (!store) return await role.abort();
  const hosts = await openHosts4(config.hostsDbs, log);
  if (hosts === false) return await role.abort();
  if (hosts) role.onStop(() => hosts.close());
  // Kea checks the leases it loads from a lease file; a shared SQL database is not rewritten at start-up
  if (!(store instanceof SqlLeaseStore)) await leaseSanity4(store, config, log);
  let net: ReturnType<typeof openTransport>;
  try {
    net = openTransport(config, opts.port, log, opts.group);
  } catch (e) {
    log.error("DHCP4_OPEN_SOCKET_FAIL", (e as Error).message);
    return await role.abort();
  }
  const stats = new Stats();
  const resetStats = (c: Dhcp4Config) => {
    const t = c.tuning;
    stats.setSampleLimits(t?.statisticSampleCount ?? 20, t?.statisticSampleAge ?? 0, WEKA_BOUNDS.statisticSamples);
    initialLeaseStats(stats, c, store, Math.floor(Date.now() / 1000));
    ensureKeaStats(stats, c.subnets.map((s) => s.id));
  };
  resetStats(config);
  const offers = new OfferTable();
  const allocator = new PoolAllocator(store, offers);
  allocator.hosts = hosts;
  (store as LeaseStore).subscribe?.((m) => allocator.observe(m));
  const ddnsOn = await startDdns(role, opts.d2 ?? (opts.all ? loaded.d2 : undefined), stats, opts.services);
  if (ddnsOn === false) {
    net.transport.close();
    return await role.abort();
  }
  const ddns = ddnsOn?.sender;
  let hooks;
  try {
    hooks = openLeaseHooks4(config, net.served, opts.port ? Number(opts.port) : 67, log, () => role.current);
  } catch (e) {
    log.error("DHCP4_CONFIG_LOAD_FAIL", `${RUN_SCRIPT_HOOK}: ${(e as Error).message}`);
    net.transport.close();
    return await role.abort();
  }
  role.onStop(() => hooks.close());
  const dhcpState = serviceState("DHCP4", log, (enabled) => server.setEnabled(enabled));
  if (store instanceof SqlLeaseStore || hosts) {
    const sqlStore = store instanceof SqlLeaseStore ? store : undefined;
    const db = config.lease.db ?? config.hostsDbs![0];
    role.onStop(recoverSql("DHCP4", db, { store: sqlStore, hosts }, dhcpState, role.life, log));
  }
  const subnetKnown = (id: number) => role.current.subnets.some((s) => s.id === id);
  const haDeps = config.ha ? { config, ha: config.ha, store, stats, log, dhcpState, subnetKnown } : undefined;
  // mod/ha loads only for a configured HA hook (issue 16 item 5)
  const haWiring = haDeps ? await import("./ha_wiring.ts") : undefined;
  const haService = haDeps ? haWiring!.buildHaService(haDeps) : undefined;
  const ifaceAddrs = new Map(net.served.map((s) => [s.name, s.addrs.map((a) => a.addr)]));
  // DHCPv4-over-DHCPv6 (RFC 7341): queries from the DHCPv6 server over Kea's channel on ::1 (dhcp4o6-port + 1)
  const endpoint4o6 = new Endpoint4o6({ log, ifaceAddrs: () => ifaceAddrs });
  const link4o6 = new Link4o6(endpoint4o6, (b) => server.process4o6(b, Math.floor(Date.now() / 1000)), log, "v4");
  const server = new Dhcp4Server({
    config,
    transport: net.transport,
    store,
    offers,
    allocator,
    stats,
    log,
    ifaceAddrs,
    dhcp4o6: endpoint4o6,
    clientPort: opts.port ? Number(opts.port) + 1 : 68,
    onNcrs: ddns ? (ncrs) => ddns.submit(ncrs) : undefined,
    ha: haService,
    leaseHooks: hooks,
    onFatal: (reason) => role.life.fail(`the DHCPv4 receive loop stopped: ${reason}`),
    ...(hosts ? { hosts: { view: hosts, prefetch: (k) => hosts.prefetch(k) } } : {}),
  });
  const reclaimer = new Reclaimer({
    store,
    config: () => role.current.expired,
    clock: () => Math.floor(Date.now() / 1000),
    onStats: (deltas) => deltas.forEach(([n, d]) => stats.add(n, d)),
    onEvents: (events) => {
      ddns?.reclaimed(events);
      hooks.onReclaimed(events);
    },
    log: (id, text, level) => log[level](id, text),
  });
  await link4o6.apply(config.tuning?.dhcp4o6Port ?? 0);
  role.onStop(() => link4o6.close());
  server.start();
  reclaimer.start();
  role.onStop(() => server.stop());
  role.onStop(() => reclaimer.stop());
  role.onStop(() => dhcpState.clearTimer());
  role.whenApplied((next) => {
    server.setConfig(next);
    ddns?.setConfig(next);
    allocator.reset();
    resetStats(next);
    hooks.reconfigure(next);
    void link4o6.apply(next.tuning?.dhcp4o6Port ?? 0);
  });
  const ctx: ControlContext = {
    stats,
    store,
    dhcpState,
    reclaim: (remove) => reclaimer.reclaimNow(remove),
    packetQueueStats: () => server.queueStats.averages(),
    resendDdns: ddnsOn ? (l) => ddnsOn.resend(role.current, l) : undefined,
    ...role.contextBase(() => [{ path: serverPidFile(config.lease.path), what: "the server's pid file" }]),
  };
  const channel = new ControlChannel(ctx, channelLog(log));
  channel.dispatch = freshLeaseReads(channel.dispatch, store) as typeof channel.dispatch;
  if (opts.services) {
    role.onStop(opts.services.register("dhcp4", {
      dispatch: channel.dispatch,
      unixSockets: () => unixSockets(role.current.controlSockets),
      liveFiles: ctx.liveFiles,
    }));
  }
  // a reload may switch the lease commands on or off besides the sockets (ControlChannel.reconfigure)
  const port: RoleChannel = {
    start: () => channel.reconfigure(role.current),
    status: () => channel.status(),
    close: () => channel.close(),
  };
  const where = net.served.map((s) => `${s.name}/${formatIpv4(s.addr)}`).join(", ") || "no interface";
  await role.open(
    port,
    `weka ${VERSION} DHCPv4 server started (pid ${Deno.pid}): serving ${where} with ${config.socketType} sockets, ` +
      `${config.subnets.length} subnet(s)`,
    net.served.length === 0,
  );
  if (haService && haDeps) await haWiring!.startHa(role, haService, haDeps, channel.registry);
  return await role.serveUntilStopped(stats, "DHCPv4", opts.stop);
}

/**
 * Opens the role's Deno KV lease store, writes the pid file that tells `weka leases import` this process owns the
 * database (Kea keeps a pid file too), and imports a memfile's Kea CSV into an empty store (a Kea site keeps its
 * leases); both are undone at the stop. Undefined when the store cannot be used (the reason is logged).
 */
async function openStore4(role: RoleRunner<Dhcp4Config>): Promise<LeaseStore | undefined> {
  const { log, current: config } = role;
  if (config.lease.db) {
    const sql = await openSqlStore4("DHCP4", config.lease.db, log);
    if (!sql) return undefined;
    role.onStop(() => sql.close());
    log.info(
      "DHCP4_LEASE_DB",
      `${config.lease.type} lease database ${config.lease.path}: ${sql.size()} lease(s) loaded`,
    );
    return sql;
  }
  const store = await role.openStore((p, o) => KvLeaseStore.open(p, o));
  if (!store) return undefined;
  role.onStop(() => store.close());
  log.info("DHCP4_LEASE_DB", leaseDbText(config, store.size()));
  const pidFile = serverPidFile(config.lease.path);
  await Deno.writeTextFile(pidFile, `${Deno.pid}\n`).catch(() => {});
  role.onStop(() => Deno.remove(pidFile).catch(() => {}));
  if (config.lease.type === "memfile" && config.lease.csvName && store.size() === 0) {
    try {
      await importCsvAtStartup(store, config.lease.csvName, (id, text) => log.info(id, text));
    } catch (e) {
      log.error("DHCP4_LEASE_CSV_IMPORT_FAILED", `${config.lease.csvName}: ${(e as Error).message}`);
      return undefined;
    }
  }
  return store;
}

/** The DDNS side of a running role: the NCR sender, and lease4-resend-ddns's NCR for a stored lease. */
interface DdnsOn {
  sender: DdnsSender;
  resend: (config: Dhcp4Config, lease: Lease4) => void;
}

/**
 * The DDNS side: with `d2Config` (`weka run`) a D2 runs in this process and takes the NCRs directly (its UDP
 * listener still serves other senders); the sender owns the bounded NCR queue. Undefined when DDNS is off, false
 * when the in-process D2 could not start (logged). The sender, the NCR builder and D2 load only then (issue 16
 * item 5).
 */
async function startDdns(
  role: RoleRunner<Dhcp4Config>,
  d2Config: LoadedConfig["d2"] | D2Daemon,
  stats: Stats,
  services: ServiceDirectory | undefined,
): Promise<DdnsOn | undefined | false> {
  const log = role.log;
  let d2: D2Daemon | undefined;
  if (d2Config && "service" in d2Config) d2 = d2Config; // started by weka run for both families
  else if (d2Config) {
    const { startInProcessD2 } = await import("./ddns_control.ts");
    d2 = await startInProcessD2(
      {
        log,
        configPath: role.configPath,
        onStop: (f) => role.onStop(f),
        shutdown: (code) => role.life.shutdown(code),
      },
      d2Config,
      services,
    );
    if (!d2) return false;
  }
  if (!role.current.dhcpDdns?.enableUpdates) return undefined; // no sender (startDdnsSender's own rule)
  const [{ startDdnsSender }, { ddnsParamsFor, leaseNcr }] = await Promise.all([
    import("../dhcp4/ddns_sender.ts"),
    import("../dhcp4/engine/ddns_ncr.ts"),
  ]);
  const sender = startDdnsSender(role.current, {
    stats,
    log,
    ...(d2 ? { sink: inProcessSink(d2), sinkName: "the in-process D2 (weka run)" } : {}),
  });
  if (!sender) return undefined;
  role.onStop(() => sender.close());
  // lease4-resend-ddns: the add NCR of a lease as stored, with the DDNS parameters of its subnet
  const resend = (config: Dhcp4Config, lease: Lease4) => {
    const subnet = config.subnets.find((s) => s.id === lease.subnetId);
    const ncr = leaseNcr("add", lease, ddnsParamsFor(config, subnet, lease.address));
    if (ncr) sender.submit([ncr]);
  };
  return { sender, resend };
}

/** The DHCP4_LEASE_DB line: where the leases are kept and how many were loaded. */
function leaseDbText(config: Dhcp4Config, n: number): string {
  return config.lease.type === "memfile"
    ? `memfile lease file ${config.lease.csvName ?? "(default)"} is kept as Deno KV database ${config.lease.path}; ` +
      `${n} lease(s) loaded`
    : `Deno KV lease database ${config.lease.path}: ${n} lease(s) loaded`;
}

/** A reload may not move the lease database or the sockets (a restart does that); undefined when it can go ahead. */
function reloadBlocker(old: Dhcp4Config, next: Dhcp4Config): string | undefined {
  if (old.lease.path !== next.lease.path) {
    return `the lease database cannot change on reload (${old.lease.path} → ${next.lease.path}); restart weka`;
  }
  const hostsDbs = (c: Dhcp4Config) => (c.hostsDbs ?? []).map(describeDb).join(", ");
  if (hostsDbs(old) !== hostsDbs(next)) return "the host databases cannot change on reload; restart weka";
  const names = (c: Dhcp4Config) => JSON.stringify(c.interfaces) + c.socketType;
  if (names(old) !== names(next)) return "interfaces-config cannot change on reload yet; restart weka";
  return haReloadBlocker(old, next) ?? leaseHooksBlocker(next);
}

function openTransport(config: Dhcp4Config, port: string | undefined, log: Log, group?: PollGroup) {
  if (port !== undefined) {
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65534) throw new Error(`--port ${port}: expected a port number`);
    const lo = 0x7f000001;
    const fake: ServedInterface = {
      name: config.interfaces[0]?.name ?? "lo",
      index: 1,
      mac: new Uint8Array(6),
      addr: lo,
      addrs: [{ addr: lo, len: 8 }],
    };
    return { transport: LoopbackTransport.open({ port: p, clientPort: p + 1, served: fake }), served: [fake] };
  }
  const served = resolveServedInterfaces(config.interfaces, listInterfaces(), (m) => log.warn("DHCP4_INTERFACE", m));
  const transport = FfiTransport.open({
    interfaces: served,
    raw: config.socketType === "raw",
    rcvbuf: 8 << 20,
    group,
  });
  return { transport, served };
}
