/**
 * `weka dhcp4 -c FILE` / `weka run -c FILE`: wires the DHCPv4 role together (explicit wiring): config →
 * logging → Deno KV lease store → interfaces and sockets → server loop and reclamation, then waits for signals.
 * SIGHUP reloads the file (a bad file is refused and the old configuration keeps serving); SIGTERM/SIGINT stop
 * receiving, wait for the last commit, log the statistics and exit 0. The control channel (mod/control) is opened
 * on the configured control sockets; config-reload, config-set and SIGHUP share one apply path. A memfile config
 * whose Kea CSV exists while the KV store is empty has its leases imported at start-up (a Kea site keeps them).
 */
import { loadConfigFile, type LoadedConfig, parseConfigText } from "../config/load.ts";
import { formatProblem } from "../config/errors.ts";
import type { Dhcp4Config } from "../config/model.ts";
import { reportConfigFailure } from "./config_test.ts";
import { closeLogging, type Log, setupLogging } from "../log/logger.ts";
import { KvLeaseStore } from "../lease/kv_store.ts";
import { OfferTable } from "../lease/offers.ts";
import { IterativeAllocator } from "../lease/allocator.ts";
import { Reclaimer } from "../lease/reclaim.ts";
import { Stats } from "../stats/stats.ts";
import { Dhcp4Server, type ServerTransport } from "../dhcp4/server.ts";
import { listInterfaces, resolveServedInterfaces, type ServedInterface } from "../net/interfaces.ts";
import { FfiTransport } from "../net/transport_ffi.ts";
import { LoopbackTransport } from "../net/transport_loopback.ts";
import { formatIpv4 } from "../wire/addr.ts";
import { VERSION } from "./version.ts";
import { initialLeaseStats, statsSummary } from "./dhcp4_stats.ts";
import { ControlChannel } from "../control/channel.ts";
import { kvFiles } from "../control/safe_write.ts";
import type { ControlContext } from "../control/context.ts";
import { channelLog, openLeaseDb, RoleLife, serviceState } from "./role_common.ts";
import { ensureKeaStats } from "../control/stat_cmds.ts";
import { importCsvAtStartup, serverPidFile } from "./leases.ts";
import { type DdnsSender, startDdnsSender } from "../dhcp4/ddns_sender.ts";
import { type D2Daemon, startD2 } from "../ddns/d2/daemon.ts";
import { buildHaService, haReloadBlocker, type HaRuntime, openHa } from "./dhcp4_ha.ts";

export interface Dhcp4Options {
  configPath: string;
  /** a non-default port: serve on 127.0.0.1:PORT (tests without root); replies go to PORT+1 */
  port?: string;
  /** `weka run`: every role the file names (Dhcp4, and DhcpDdns in the same process) */
  all: boolean;
  /** `weka run` with Dhcp6 too (mod/cli/run.ts): log through this and leave logging open; absent = own logging */
  log?: Log;
}

/** Runs the DHCPv4 server until a signal stops it; returns the exit code. */
export async function runDhcp4(opts: Dhcp4Options): Promise<number> {
  let loaded;
  try {
    loaded = await loadConfigFile(opts.configPath);
  } catch (e) {
    return reportConfigFailure(opts.configPath, e);
  }
  // `weka run`: mod/cli/run.ts starts the DHCPv6 role next to this one when the file has a Dhcp6 map
  const config = loaded.dhcp4;
  if (!config && opts.all && loaded.d2) {
    const { runDdns } = await import("./ddns.ts");
    return await runDdns({ configPath: opts.configPath });
  }
  if (!config) {
    console.error(
      `${opts.configPath}: there is no Dhcp4 section to serve${loaded.d2 ? " (use 'weka ddns' for DhcpDdns)" : ""}`,
    );
    return 1;
  }
  // weka run: the DhcpDdns map was loaded and checked with the rest of the file
  const d2Config = opts.all ? loaded.d2 : undefined;
  // weka run: the in-process D2 logs through the Dhcp4 loggers (one LogTape configuration per process)
  const log = opts.log ?? await setupLogging(config.loggers, "kea-dhcp4");
  const closeLogs = () => opts.log ? Promise.resolve() : closeLogging();
  for (const w of loaded.warnings) log.warn("DHCP4_CONFIG_WARNING", formatProblem(w));

  const store = await openLeaseDb("DHCP4", config.lease.path, log, (p, o) => KvLeaseStore.open(p, o));
  if (!store) {
    await closeLogs();
    return 1;
  }
  log.info(
    "DHCP4_LEASE_DB",
    config.lease.type === "memfile"
      ? `memfile lease file ${
        config.lease.csvName ?? "(default)"
      } is kept as Deno KV database ${config.lease.path}; ${store.size()} lease(s) loaded`
      : `Deno KV lease database ${config.lease.path}: ${store.size()} lease(s) loaded`,
  );

  // the pid file tells `weka leases import` that this process owns the database (Kea keeps a pid file too)
  await Deno.writeTextFile(serverPidFile(config.lease.path), `${Deno.pid}\n`).catch(() => {});
  if (config.lease.type === "memfile" && config.lease.csvName && store.size() === 0) {
    try {
      await importCsvAtStartup(store, config.lease.csvName, (id, text) => log.info(id, text));
    } catch (e) {
      log.error("DHCP4_LEASE_CSV_IMPORT_FAILED", `${config.lease.csvName}: ${(e as Error).message}`);
      await store.close();
      await closeLogs();
      return 1;
    }
  }

  let transport: ServerTransport;
  let served: ServedInterface[];
  try {
    ({ transport, served } = openTransport(config, opts.port, log));
  } catch (e) {
    log.error("DHCP4_OPEN_SOCKET_FAIL", (e as Error).message);
    await store.close();
    await closeLogs();
    return 1;
  }

  const stats = new Stats();
  initialLeaseStats(stats, config, store, Math.floor(Date.now() / 1000));
  ensureKeaStats(stats, config.subnets.map((s) => s.id));
  const offers = new OfferTable();
  const allocator = new IterativeAllocator(store, offers);
  // weka run: D2 runs in this process and takes the NCRs directly (its UDP listener still serves other senders)
  let d2: D2Daemon | undefined;
  if (d2Config) {
    try {
      d2 = await startD2(d2Config, log);
    } catch (e) {
      log.error("DHCP_DDNS_FAILED", (e as Error).message);
      await store.close();
      transport.close();
      await closeLogs();
      return 1;
    }
  }
  const ddns: DdnsSender | undefined = startDdnsSender(config, {
    stats,
    log,
    ...(d2 ? { sink: inProcessSink(d2), sinkName: "the in-process D2 (weka run)" } : {}),
  });
  const dhcpState = serviceState("DHCP4", log, (enabled) => server.setEnabled(enabled));
  let current: Dhcp4Config = config;
  const haDeps = config.ha
    ? {
      config,
      ha: config.ha,
      store,
      stats,
      log,
      dhcpState,
      subnetKnown: (id: number) => current.subnets.some((s) => s.id === id),
    }
    : undefined;
  const haService = haDeps ? buildHaService(haDeps) : undefined;
  const server = new Dhcp4Server({
    config,
    transport,
    store,
    offers,
    allocator,
    stats,
    log,
    ifaceAddrs: new Map(served.map((s) => [s.name, s.addrs.map((a) => a.addr)])),
    clientPort: opts.port ? Number(opts.port) + 1 : 68,
    onNcrs: ddns ? (ncrs) => ddns.submit(ncrs) : undefined,
    ha: haService,
    onFatal: (reason) => life.fail(`the DHCPv4 receive loop stopped: ${reason}`),
  });
  const reclaimer = new Reclaimer({
    store,
    config: () => current.expired,
    clock: () => Math.floor(Date.now() / 1000),
    onStats: (deltas) => deltas.forEach(([n, d]) => stats.add(n, d)),
    onEvents: ddns ? (events) => ddns.reclaimed(events) : undefined,
    log: (id, text, level) => log[level](id, text),
  });
  server.start();
  reclaimer.start();

  let channel: ControlChannel | undefined = undefined;
  /** The one apply path of SIGHUP, config-reload and config-set: refuse (throw) or swap the config whole. */
  const apply = (next: LoadedConfig, origin: string): void => {
    if (!next.dhcp4) throw new Error("the new configuration has no Dhcp4 section");
    const why = reloadBlocker(current, next.dhcp4);
    if (why) throw new Error(why);
    current = next.dhcp4;
    server.setConfig(current);
    ddns?.setConfig(current);
    allocator.reset();
    initialLeaseStats(stats, current, store, Math.floor(Date.now() / 1000));
    ensureKeaStats(stats, current.subnets.map((s) => s.id));
    life.reloadedAt = Date.now();
    log.info("DHCP4_CONFIG_COMPLETE", `configuration applied from ${origin}: ${current.subnets.length} subnet(s)`);
    // reopen changed sockets after the current answer has gone out
    life.afterAnswer("reopening the control sockets of the new configuration", () => channel?.reconfigure(current));
  };
  const reloadFile = async () => apply(await loadConfigFile(opts.configPath), opts.configPath);
  const life = new RoleLife("DHCP4", log, reloadFile);
  life.listen();

  const ctx: ControlContext = {
    stats,
    store,
    dhcpState,
    config: () => current,
    configDoc: () => ({ Dhcp4: current.raw }),
    configFile: opts.configPath,
    checkDoc: (doc) => {
      const loadedDoc = parseConfigText(JSON.stringify(doc, null, 2), "<command>", (p) => Deno.readTextFileSync(p));
      if (!loadedDoc.dhcp4) throw new Error("the configuration has no Dhcp4 map");
      return loadedDoc;
    },
    applyConfig: (next) => Promise.resolve().then(() => apply(next, "a control command")),
    reloadFile,
    reclaim: (remove) => reclaimer.reclaimNow(remove),
    ...life.contextBase(() => channel?.status() ?? { status: "ready" }, () => [
      { path: opts.configPath, what: "the running configuration" },
      ...kvFiles(current.lease.path),
      ...(current.lease.csvName ? [{ path: current.lease.csvName, what: "the memfile lease file" }] : []),
      { path: serverPidFile(current.lease.path), what: "the server's pid file" },
    ]),
  };
  channel = new ControlChannel(ctx, channelLog(log));
  await channel.start(current.controlSockets);
  // started = serving and answering commands (the control socket exists), as Kea logs it last
  log.info(
    "DHCP4_STARTED",
    `weka ${VERSION} DHCPv4 server started (pid ${Deno.pid}): serving ${
      served.length ? served.map((s) => `${s.name}/${formatIpv4(s.addr)}`).join(", ") : "no interface"
    } with ${config.socketType} sockets, ${config.subnets.length} subnet(s)`,
  );
  if (!served.length) {
    log.warn(
      "DHCP4_NO_INTERFACES",
      "no interface is configured to serve: add one to Dhcp4.interfaces-config.interfaces",
    );
  }
  let ha: HaRuntime | undefined;
  if (haService && haDeps) {
    try {
      ha = await openHa(haService, haDeps, channel.registry);
      haService.start();
    } catch (e) {
      log.error("HA_SERVICE_START_FAILED", (e as Error).message);
      life.exitCode = 1;
      life.stopped.resolve("HA start-up failure");
    }
  }

  const sig = await life.stopped.promise;
  log.info("DHCP4_SHUTDOWN_REQUEST", `${sig} received: stopping after the last lease commit`);
  life.unlisten();
  dhcpState.clearTimer();
  await ha?.stop();
  await channel.close();
  await server.stop();
  await reclaimer.stop();
  await ddns?.close();
  await d2?.stop("normal");
  await store.close();
  await Deno.remove(serverPidFile(config.lease.path)).catch(() => {});
  log.info("DHCP4_SHUTDOWN", `weka DHCPv4 server stopped; statistics: ${statsSummary(stats)}`);
  await closeLogs();
  return life.exitCode;
}

/** NCRs handed straight to a D2 running in this process (`weka run`); a refusal (D2's queue full) is an error. */
function inProcessSink(d2: D2Daemon) {
  return (ncr: Parameters<D2Daemon["service"]["submit"]>[0]) => {
    if (!d2.service.submit(ncr)) throw new Error("the in-process D2 refused the request (its queue is full)");
  };
}

/** A reload may not move the lease database or the sockets (a restart does that); undefined when it can go ahead. */
function reloadBlocker(old: Dhcp4Config, next: Dhcp4Config): string | undefined {
  if (old.lease.path !== next.lease.path) {
    return `the lease database cannot change on reload (${old.lease.path} → ${next.lease.path}); restart weka`;
  }
  const names = (c: Dhcp4Config) => JSON.stringify(c.interfaces) + c.socketType;
  if (names(old) !== names(next)) return "interfaces-config cannot change on reload yet; restart weka";
  return haReloadBlocker(old, next);
}

function openTransport(config: Dhcp4Config, port: string | undefined, log: Log) {
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
  const transport = FfiTransport.open({ interfaces: served, raw: config.socketType === "raw", rcvbuf: 8 << 20 });
  return { transport, served };
}
