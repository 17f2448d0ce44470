/**
 * `weka dhcp6 -c FILE [-p PORT]` (and the DHCPv6 half of `weka run`): wires the DHCPv6 role together the way
 * mod/cli/dhcp4.ts wires DHCPv4 (explicit wiring): config → logging → Deno KV lease6 store → server DUID
 * (persisted in `kea-dhcp6-serverid`) → sockets (ff02::1:2%IFACE and the global addresses, mod/net/udp6.ts) →
 * server loop → control channel, then waits for signals. SIGHUP and config-reload re-read the file (a bad file is
 * refused and the old configuration keeps serving; the lease database and the interfaces cannot change without a
 * restart); SIGTERM/SIGINT stop receiving, send the replies whose commit is in flight, and exit 0.
 */
import { dirname, join } from "node:path";
import { loadConfigFile, type LoadedConfig, parseConfigText } from "../config/load.ts";
import { formatProblem } from "../config/errors.ts";
import type { Dhcp6Config } from "../config/model6.ts";
import { reportConfigFailure } from "./config_test.ts";
import { closeLogging, type Log, setupLogging } from "../log/logger.ts";
import { KvLease6Store } from "../lease/kv_store6.ts";
import { reclaimer6 } from "../lease/reclaim6.ts";
import { IterativeAllocator6 } from "../dhcp6/engine/allocator6.ts";
import { Stats } from "../stats/stats.ts";
import { Dhcp6Server } from "../dhcp6/server6.ts";
import { duidText, loadServerDuid, SERVER_ID_FILE } from "../dhcp6/server_duid.ts";
import { initialLease6Stats } from "../dhcp6/stats6.ts";
import { Control6Channel, type Control6Context } from "../dhcp6/control6.ts";
import { resolveServed6, Udp6Transport } from "../net/udp6.ts";
import { parseIpv6 } from "../wire/ipv6.ts";
import { VERSION } from "./version.ts";
import { statsSummary } from "./dhcp4_stats.ts";
import { channelLog, openLeaseDb, RoleLife, serviceState } from "./role_common.ts";
import { kvFiles } from "../control/safe_write.ts";

export interface Dhcp6Options {
  configPath: string;
  /** a non-default port: serve relayed traffic on [::1]:PORT only, replies to the sender's port (tests) */
  port?: string;
  /** `weka run` with Dhcp4 too: log through this (one LogTape configuration per process); absent = own logging */
  log?: Log;
}

/** A reload may not move the lease database or the sockets (a restart does that); undefined when it can go ahead. */
export function reloadBlocker6(old: Dhcp6Config, next: Dhcp6Config): string | undefined {
  if (old.lease.path !== next.lease.path) {
    return `the lease database cannot change on reload (${old.lease.path} → ${next.lease.path}); restart weka`;
  }
  const names = (c: Dhcp6Config) => JSON.stringify(c.interfaces, (_k, v) => typeof v === "bigint" ? String(v) : v);
  if (names(old) !== names(next)) return "interfaces-config cannot change on reload yet; restart weka";
  return undefined;
}

/** Runs the DHCPv6 server until a signal (or the shutdown command) stops it; returns the exit code. */
export async function runDhcp6(opts: Dhcp6Options): Promise<number> {
  let loaded;
  try {
    loaded = await loadConfigFile(opts.configPath);
  } catch (e) {
    return reportConfigFailure(opts.configPath, e);
  }
  const config = loaded.dhcp6;
  if (!config) {
    console.error(`${opts.configPath}: there is no Dhcp6 section to serve (use 'weka dhcp4' or 'weka run')`);
    return 1;
  }
  const log = opts.log ?? await setupLogging(config.loggers, "kea-dhcp6");
  const done = async (code: number) => {
    if (!opts.log) await closeLogging();
    return code;
  };
  for (const w of loaded.warnings) log.warn("DHCP6_CONFIG_WARNING", formatProblem(w));

  const store = await openLeaseDb("DHCP6", config.lease.path, log, (p, o) => KvLease6Store.open(p, o));
  if (!store) return await done(1);
  log.info("DHCP6_LEASE_DB", `Deno KV lease database ${config.lease.path}: ${store.size()} IPv6 lease(s) loaded`);

  let transport: Udp6Transport;
  let ifaceAddrs: Map<string, Uint8Array[]>;
  let mac: Uint8Array | undefined;
  const onSendError = (m: string) => log.error("DHCP6_PACKET_SEND_FAIL", m);
  try {
    if (opts.port !== undefined) {
      const p = Number(opts.port);
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`--port ${opts.port}: expected a port number`);
      const iface = config.interfaces[0]?.name ?? "";
      transport = await Udp6Transport.openLoopback(p, iface === "*" ? "" : iface, onSendError);
      ifaceAddrs = new Map([[iface, [parseIpv6("::1")!]]]);
    } else {
      const r = resolveServed6(config.interfaces, Deno.networkInterfaces());
      transport = await Udp6Transport.open({ interfaces: r.served, onSendError });
      for (const w of transport.warnings) log.warn("DHCP6_OPEN_SOCKET_FAIL", w);
      ifaceAddrs = r.addrs;
      mac = r.served.map((s) => r.macs.get(s.name)).find((m) => m) ?? [...r.macs.values()][0];
    }
  } catch (e) {
    log.error("DHCP6_OPEN_SOCKET_FAIL", (e as Error).message);
    await store.close();
    return await done(1);
  }

  const duidPath = join(config.dataDirectory ?? dirname(config.lease.path), SERVER_ID_FILE);
  const serverDuid = await loadServerDuid(
    config.serverId,
    duidPath,
    { mac, now: Math.floor(Date.now() / 1000), random: (n) => crypto.getRandomValues(new Uint8Array(n)) },
    (text) => log.warn("DHCP6_SERVERID_WRITE_FAIL", text),
  );
  log.info("DHCP6_SERVERID", `server DUID ${duidText(serverDuid)} (${duidPath})`);

  const stats = new Stats();
  initialLease6Stats(stats, config, store);
  const allocator = new IterativeAllocator6();
  const server = new Dhcp6Server({
    config,
    transport,
    store,
    allocator,
    stats,
    log,
    serverDuid,
    ifaceAddrs,
    onFatal: (reason) => life.fail(`the DHCPv6 receive loop stopped: ${reason}`),
  });
  const dhcpState = serviceState("DHCP6", log, (enabled) => server.setEnabled(enabled));
  let current: Dhcp6Config = config;
  const reclaimer = reclaimer6(store, {
    config: () => current.expired,
    clock: () => Math.floor(Date.now() / 1000),
    onStats: (deltas) => deltas.forEach(([n, d]) => stats.add(n, d)),
    log: (id, text, level) => log[level](id, text),
  });
  server.start();
  reclaimer.start();
  const endpoints = transport.endpoints();

  let channel: Control6Channel | undefined = undefined;
  /** The one apply path of SIGHUP, config-reload and config-set: refuse (throw) or swap the config whole. */
  const apply = (next: LoadedConfig, origin: string): void => {
    if (!next.dhcp6) throw new Error("the new configuration has no Dhcp6 section");
    const why = reloadBlocker6(current, next.dhcp6);
    if (why) throw new Error(why);
    current = next.dhcp6;
    server.setConfig(current);
    initialLease6Stats(stats, current, store);
    life.reloadedAt = Date.now();
    log.info("DHCP6_CONFIG_COMPLETE", `configuration applied from ${origin}: ${current.subnets.length} subnet(s)`);
    life.afterAnswer(
      "reopening the control sockets of the new configuration",
      () => channel?.start(current.controlSockets),
    );
  };
  const reloadFile = async () => apply(await loadConfigFile(opts.configPath), opts.configPath);
  const life = new RoleLife("DHCP6", log, reloadFile);
  life.listen();

  const ctx: Control6Context = {
    stats,
    store,
    dhcpState,
    config: () => current,
    configDoc: () => ({ Dhcp6: current.raw }),
    configFile: opts.configPath,
    checkDoc: (doc) => {
      const l = parseConfigText(JSON.stringify(doc, null, 2), "<command>", (p) => Deno.readTextFileSync(p));
      if (!l.dhcp6) throw new Error("the configuration has no Dhcp6 map");
      return l;
    },
    applyConfig: (next) => Promise.resolve().then(() => apply(next, "a control command")),
    reloadFile,
    reclaim: (remove) => reclaimer.reclaimNow(remove),
    ...life.contextBase(() => channel?.status() ?? { status: "ready" }, () => [
      { path: opts.configPath, what: "the running configuration" },
      ...kvFiles(current.lease.path),
      ...(current.lease.csvName ? [{ path: current.lease.csvName, what: "the memfile lease file" }] : []),
      { path: duidPath, what: "the server DUID file" },
    ]),
  };
  channel = new Control6Channel(ctx, channelLog(log));
  await channel.start(current.controlSockets);
  // started = serving and answering commands (the control socket exists), as Kea logs it last
  log.info(
    "DHCP6_STARTED",
    `weka ${VERSION} DHCPv6 server started (pid ${Deno.pid}): listening on ${
      endpoints.length ? endpoints.join(", ") : "nothing"
    }, ${config.subnets.length} subnet(s)`,
  );
  if (!endpoints.length) {
    log.warn(
      "DHCP6_NO_INTERFACES",
      "no interface is configured to serve: add one to Dhcp6.interfaces-config.interfaces",
    );
  }

  const sig = await life.stopped.promise;
  log.info("DHCP6_SHUTDOWN_REQUEST", `${sig} received: stopping after the last lease commit`);
  life.unlisten();
  dhcpState.clearTimer();
  await channel.close();
  await reclaimer.stop();
  await server.stop();
  await store.close();
  log.info("DHCP6_SHUTDOWN", `weka DHCPv6 server stopped; statistics: ${statsSummary(stats)}`);
  return await done(life.exitCode);
}
