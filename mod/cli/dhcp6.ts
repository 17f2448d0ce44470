/**
 * `weka dhcp6 -c FILE [-p PORT]` (and the DHCPv6 half of `weka run`): wires the DHCPv6 role together the way
 * mod/cli/dhcp4.ts wires DHCPv4 (explicit wiring): config → logging → Deno KV lease6 store → server DUID
 * (persisted in `kea-dhcp6-serverid`) → sockets (ff02::1:2%IFACE and the global addresses, mod/net/udp6.ts) →
 * server loop → control channel, then waits for signals. SIGHUP and config-reload re-read the file (a bad file is
 * refused and the old configuration keeps serving; the lease database and the interfaces cannot change without a
 * restart); SIGTERM/SIGINT stop receiving, send the replies whose commit is in flight, and exit 0.
 */
import { dirname, join } from "node:path";
import type { Dhcp6Config } from "../config/model6.ts";
import type { Log } from "../log/logger.ts";
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
import { channelLog, noteAgentNotServed, serviceState, unixSockets } from "./role_common.ts";
import type { ServiceDirectory } from "../control/services.ts";
import { loadRole, type RoleKind, RoleRunner } from "./role_runner.ts";
import { freshLeaseReads, openSqlStore6, recoverSql } from "./sql_leases.ts";
import { LEASE_DATABASE6_DEFAULTS } from "../config/defaults.ts";
import { SqlLease6Store } from "../lease/sql_store6.ts";
import type { Lease6Store } from "../lease/types6.ts";

export interface Dhcp6Options {
  configPath: string;
  /** a non-default port: serve relayed traffic on [::1]:PORT only, replies to the sender's port (tests) */
  port?: string;
  /** `weka run` with Dhcp4 too: log through this (one LogTape configuration per process); absent = own logging */
  log?: Log;
  /** `weka run`: the process's roles as its Control Agent reaches them (this role registers as `dhcp6`) */
  services?: ServiceDirectory;
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
  if (config.hostsDbs?.length) {
    // refused rather than ignored: the reservations a Kea site keeps there would silently not apply
    log.error(
      "DHCP6_HOSTS_DB_UNSUPPORTED",
      "hosts-database / hosts-databases are read by weka dhcp4 only so far; keep DHCPv6 reservations in the file",
    );
    return await role.abort();
  }
  const store = config.lease.db
    ? await openSqlStore6("DHCP6", config.lease.db, log)
    : await role.openStore((p, o) => KvLease6Store.open(p, o));
  if (!store) return await role.abort();
  role.onStop(() => store.close());
  log.info(
    "DHCP6_LEASE_DB",
    `${config.lease.db ? `${config.lease.type}` : "Deno KV"} lease database ${config.lease.path}: ${store.size()} ` +
      `IPv6 lease(s) loaded`,
  );
  let net: Awaited<ReturnType<typeof openTransport6>>;
  try {
    net = await openTransport6(config, opts.port, log);
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
  initialLease6Stats(stats, config, store);
  const server = new Dhcp6Server({
    config,
    transport: net.transport,
    store,
    allocator: new IterativeAllocator6(),
    stats,
    log,
    serverDuid,
    ifaceAddrs: net.ifaceAddrs,
    onFatal: (reason) => role.life.fail(`the DHCPv6 receive loop stopped: ${reason}`),
  });
  const dhcpState = serviceState("DHCP6", log, (enabled) => server.setEnabled(enabled));
  if (store instanceof SqlLease6Store) {
    role.onStop(recoverSql("DHCP6", config.lease.db!, { store }, dhcpState, role.life, log));
  }
  const reclaimer = reclaimer6(store, {
    config: () => role.current.expired,
    clock: () => Math.floor(Date.now() / 1000),
    onStats: (deltas) => deltas.forEach(([n, d]) => stats.add(n, d)),
    log: (id, text, level) => log[level](id, text),
  });
  server.start();
  reclaimer.start();
  role.onStop(() => server.stop());
  role.onStop(() => reclaimer.stop());
  role.onStop(() => dhcpState.clearTimer());
  role.whenApplied((next) => {
    server.setConfig(next);
    initialLease6Stats(stats, next, store);
  });
  const ctx: Control6Context = {
    stats,
    store,
    dhcpState,
    reclaim: (remove) => reclaimer.reclaimNow(remove),
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
  return await role.serveUntilStopped(stats, "DHCPv6");
}

/**
 * The DHCPv6 sockets: with `port` (tests without root) relayed traffic on [::1]:PORT only; else one socket per
 * served interface on ff02::1:2 and its global addresses (mod/net/udp6.ts). Also the addresses per interface and a
 * MAC for a generated server DUID.
 */
async function openTransport6(config: Dhcp6Config, port: string | undefined, log: Log) {
  const onSendError = (m: string) => log.error("DHCP6_PACKET_SEND_FAIL", m);
  if (port !== undefined) {
    const p = Number(port);
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`--port ${port}: expected a port number`);
    const iface = config.interfaces[0]?.name ?? "";
    const transport = await Udp6Transport.openLoopback(p, iface === "*" ? "" : iface, onSendError);
    return { transport, ifaceAddrs: new Map([[iface, [parseIpv6("::1")!]]]), mac: undefined };
  }
  const r = resolveServed6(config.interfaces, Deno.networkInterfaces());
  const transport = await Udp6Transport.open({ interfaces: r.served, onSendError });
  for (const w of transport.warnings) log.warn("DHCP6_OPEN_SOCKET_FAIL", w);
  const mac = r.served.map((s) => r.macs.get(s.name)).find((m) => m) ?? [...r.macs.values()][0];
  return { transport, ifaceAddrs: r.addrs, mac };
}
