/**
 * The DHCPv6 server's I/O edge (docs/ARCHITECTURE.md rule 3), the shape of the DHCPv4 one (mod/dhcp4/server.ts): receive
 * datagrams from a transport, decode them, ask the pure engine (`handle6`) what to do, make the lease mutations
 * durable (group commit) — with HA, admitted by the relationship first and acknowledged by the partner after the
 * commit (Kea's buffer6_receive and leases6_committed) — and only then send the reply. A datagram that does not decode is counted
 * (`pkt6-parse-failed`, `pkt6-receive-drop`) and logged at debug level, as Kea does (DHCP6_PACKET_DROP_PARSE_FAIL);
 * any other failure of one packet is one escaped log line and `pkt6-processing-failed`. Nothing here throws out of
 * the receive loop, which backs off and retries a failing transport (mod/net/receive_loop.ts) and reports a dead
 * one through `onFatal`. A DHCPV4-QUERY (RFC 7341) goes to the DHCPv4 server through `dhcp4o6` (dhcp4o6_6.ts).
 */
import { QueueStats } from "../stats/queue_stats.ts";
import { WEKA_BOUNDS } from "../config/defaults.ts";
import { commitThenFinish, type DurableReply, MAX_CONFLICT_RETRIES, packetFailed } from "../dhcp4/edge_common.ts";
import type { HostKeys6, HostView6, Lease6, Lease6Mutation } from "../lease/types6.ts";
import type { HaHooks } from "../ha/hooks.ts";
import { setImmediate } from "node:timers";
import { decode6, encode6, innermost } from "../packet6/codec.ts";
import { handle6, receivedStat6 } from "./engine/handle6.ts";
import type { Engine6Context, FreeAddress6Finder, Outcome6, StatDelta6 } from "./engine/types.ts";
import { getOption6, MsgType6, Opt6, type Packet6 } from "../packet6/packet.ts";
import type { Dhcp6Config } from "../config/model6.ts";
import type { Lease6Store } from "../lease/types6.ts";
import type { Stats } from "../stats/stats.ts";
import { DBG, type Log } from "../log/logger.ts";
import type { Datagram6, Transport6 } from "../net/udp6.ts";
import { formatIpv6 } from "../wire/ipv6.ts";
import { DecodeError } from "../wire/errors.ts";
import { type BackOff, runReceiveLoop } from "../net/receive_loop.ts";
import { errorText } from "../wire/printable.ts";
import { hostKeys6, prefetchKeys6 } from "./prefetch6.ts";
import type { NameChangeRequest } from "../ddns/ncr/ncr.ts";
import { DHCPV4_QUERY } from "../packet6/dhcp4o6.ts";
import type { Forwarder4o6 } from "./dhcp4o6_6.ts";

/** Everything the server is given (explicit wiring in mod/cli/dhcp6.ts). */
export interface Server6Deps {
  config: Dhcp6Config;
  transport: Transport6;
  store: Lease6Store;
  allocator: FreeAddress6Finder;
  stats: Stats;
  log: Log;
  /** the server DUID (mod/dhcp6/server_duid.ts) */
  serverDuid: Uint8Array;
  /** interface name → the server's IPv6 addresses on it (16 bytes each), for the engine's Arrival6 */
  ifaceAddrs: Map<string, Uint8Array[]>;
  /** milliseconds since the epoch */
  clock?: () => number;
  /** the receive loop gave up (DHCP6_RECEIVE_LOOP_STOPPED): the CLI exits 1; absent = only logged */
  onFatal?: (reason: string) => void;
  /** the receive loop's back-off (tests shorten it); Kea-like defaults in mod/net/receive_loop.ts */
  receiveBackOff?: BackOff;
  /** NameChangeRequests of a durable outcome, for the DDNS sender (absent: DDNS off) */
  onNcrs?: (ncrs: NameChangeRequest[]) => void;
  /** the HA relationship (Kea's libdhcp_ha.so callouts, mod/ha with HA_FAMILY6); absent = a standalone server */
  ha?: HaHooks<Packet6, Lease6Mutation, Lease6>;
  /** DHCPv4-over-DHCPv6 to the DHCPv4 server (dhcp4o6_6.ts); absent = `dhcp4o6-port` 0: DHCPV4-QUERY dropped */
  dhcp4o6?: Forwarder4o6;
  /**
   * Kea's host databases (`hosts-database(s)`; mod/lease/host_cache6.ts): the engine reads `view`, which the edge
   * fills per receive batch with `prefetch` before the engine runs
   */
  hosts?: { view: HostView6; prefetch(k: HostKeys6): Promise<void> };
  /**
   * Lease hooks (libdhcp_run_script.so): while `active()`, `committed` is called once a reply's mutations are durable
   * (at once when it has none), with the leases as they were before it; must not block.
   */
  leaseHooks?: { active(): boolean; committed(c: CommittedQuery6): void };
}

/** A replied query whose lease changes are durable, as the lease hooks see it. */
export interface CommittedQuery6 {
  query: Packet6;
  replyType: number;
  datagram: Datagram6;
  mutations: readonly Lease6Mutation[];
  events: Extract<Outcome6, { kind: "reply" }>["events"];
  before: ReadonlyMap<bigint, Lease6 | undefined>;
}

/** The DHCPv6 message types by name (RFC 8415 §7.3), as weka logs them. */
export const TYPE_NAMES: Record<number, string> = {
  [MsgType6.SOLICIT]: "SOLICIT",
  [MsgType6.ADVERTISE]: "ADVERTISE",
  [MsgType6.REQUEST]: "REQUEST",
  [MsgType6.CONFIRM]: "CONFIRM",
  [MsgType6.RENEW]: "RENEW",
  [MsgType6.REBIND]: "REBIND",
  [MsgType6.REPLY]: "REPLY",
  [MsgType6.RELEASE]: "RELEASE",
  [MsgType6.DECLINE]: "DECLINE",
  [MsgType6.INFORMATION_REQUEST]: "INFORMATION-REQUEST",
  [MsgType6.RELAY_FORW]: "RELAY-FORW",
  [MsgType6.RELAY_REPL]: "RELAY-REPL",
};

/** Kea's DHCPv6 client label: `duid=[00:01:…], tid=0x1a2b3c` (hex only; a DUID over 64 bytes is cut there). */
export function clientLabel6(p: Packet6): string {
  const m = innermost(p);
  const cid = m.options.find((o) => o.code === Opt6.CLIENTID)?.data;
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
  const duid = !cid ? "no info" : cid.length > 64 ? `${hex(cid.subarray(0, 64))}...(${cid.length} bytes)` : hex(cid);
  return `duid=[${duid}], tid=0x${m.transactionId.toString(16)}`;
}

/** Runs the receive → engine → commit → send loop until {@link Dhcp6Server.stop}. */
export class Dhcp6Server {
  private running = false;
  private loop?: Promise<void>;
  private readonly pending = new Set<Promise<void>>();
  /** the commit-then-reply path (mod/dhcp4/edge_common.ts), over this edge's store, statistics and log */
  private readonly durable: DurableReply<Lease6Mutation>;
  private disabled = false;
  /** the receive queue's depth averages (status-get "packet-queue-statistics") */
  readonly queueStats = new QueueStats();
  config: Dhcp6Config;
  private readonly clock: () => number;

  constructor(private readonly deps: Server6Deps) {
    const { store, stats, log } = deps;
    this.durable = { pkt: "pkt6", prefix: "DHCP6", store, stats, log, pending: this.pending };
    this.config = deps.config;
    this.clock = deps.clock ?? Date.now;
  }

  /** Starts the receive loop. */
  start(): void {
    this.running = true;
    this.loop = this.receiveLoop();
  }

  /** Kea's dhcp-disable/dhcp-enable: while disabled every query is dropped (`pkt6-receive-drop`). */
  setEnabled(enabled: boolean): void {
    this.disabled = !enabled;
  }

  /** Swaps in a new compiled configuration (reload); queries already in the engine finish with the old one. */
  setConfig(config: Dhcp6Config): void {
    this.config = config;
  }

  /** Replies whose lease commit is still in flight. */
  inFlight(): number {
    return this.pending.size;
  }

  /** Stops receiving, waits for every reply whose commit is in flight (they are still sent), closes the transport. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled([...this.pending]);
    this.deps.transport.close();
    await this.loop?.catch(() => {});
  }

  private receiveLoop(): Promise<void> {
    const { transport, log } = this.deps;
    const round = async () => {
      // Kea's packet-queue-size / dhcp-queue-control capacity bound the packets one round takes (compile_server.ts)
      const batch = await transport.recvBatch(this.config.tuning?.receiveBatch ?? WEKA_BOUNDS.receiveBatch);
      this.queueStats.round(batch.length);
      if (!this.running) return;
      const now = Math.floor(this.clock() / 1000);
      if ((this.deps.store.prefetch || this.deps.hosts) && batch.length && !this.disabled) await this.prefetch(batch);
      for (const d of batch) this.process(d, now);
      // let commit completions (and the replies waiting for them) run between batches
      if (this.pending.size) await new Promise<void>((r) => setImmediate(r));
    };
    return runReceiveLoop({
      round,
      running: () => this.running,
      log,
      backOff: this.deps.receiveBackOff,
      ids: { failed: "DHCP6_PACKET_RECEIVE_FAIL", fatal: "DHCP6_RECEIVE_LOOP_STOPPED" },
      onFatal: (reason) => {
        this.running = false;
        this.deps.onFatal?.(reason);
      },
    });
  }

  /**
   * A shared (SQL) store and host databases: re-reads the lease rows and fetches the hosts this batch asks about
   * (prefetch6.ts, concurrently) before the engine runs. A failure is logged (at most once a second per kind) and
   * the batch is served from the cache: the database still decides every lease write.
   */
  private async prefetch(batch: Datagram6[]): Promise<void> {
    const { store, hosts, log } = this.deps;
    const failed = (id: string, what: string) => (e: unknown) => {
      const now = this.clock();
      if (now - (this.lastReadFailure.get(id) ?? 0) < 1000) return;
      this.lastReadFailure.set(id, now);
      log.error(id, `reading the ${what} of ${batch.length} queries: ${errorText(e)}`);
    };
    const leases = store.prefetch?.(prefetchKeys6(batch)).catch(failed("DHCP6_LEASE_DB_READ_FAILED", "leases"));
    const found = hosts?.prefetch(hostKeys6(batch, this.config.hostReservationIdentifiers))
      .catch(failed("DHCP6_HOSTS_DB_READ_FAILED", "hosts"));
    await Promise.all([leases, found]);
  }

  /** when each kind of database read failure was last logged (ms) */
  private readonly lastReadFailure = new Map<string, number>();

  /** The query being handled by {@link process}, for the label of its failure line. */
  private current: Packet6 | undefined;

  /**
   * Handles one datagram; public so tests can drive the server without sockets. Never throws: an exception
   * anywhere in handling it (a last resort: the fuzz tests hold that none occurs) drops the packet, counts
   * `pkt6-processing-failed` and logs one line with the client's label and the error's message, escaped.
   */
  process(d: Datagram6, now: number, attempt = 0): void {
    this.current = undefined;
    try {
      this.processOne(d, now, attempt);
    } catch (e) {
      this.failed(e, d, this.current);
    }
  }

  /**
   * Kea's DHCP6_PACKET_PROCESS_EXCEPTION: one escaped line, no stack trace; the packet is dropped, or (after its
   * lease commit: the reply may have gone out) only counted in `pkt6-processing-failed`.
   */
  private failed(e: unknown, d: Datagram6, query: Packet6 | undefined, afterCommit = false): void {
    packetFailed(
      this.durable,
      e,
      query ? clientLabel6(query) : `packet from [${formatIpv6(d.srcAddr)}]:${d.srcPort}`,
      afterCommit,
    );
  }

  /** {@link process} without the last-resort catch. */
  private processOne(d: Datagram6, now: number, attempt: number): void {
    const { stats, log } = this.deps;
    stats.add("pkt6-received");
    let query: Packet6;
    try {
      query = decode6(d.data);
    } catch (e) {
      stats.add("pkt6-parse-failed");
      stats.add("pkt6-receive-drop");
      if (log.debugEnabled) {
        const why = e instanceof DecodeError ? e.message : String(e);
        log.debug(
          "DHCP6_PACKET_DROP_PARSE_FAIL",
          `failed to parse packet from [${formatIpv6(d.srcAddr)}]:${d.srcPort} to ${formatIpv6(d.dstAddr)}, ` +
            `received over interface ${d.iface || "(unknown)"}, reason: ${why}`,
          DBG.PKT_HANDLING,
        );
      }
      return;
    }
    this.current = query;
    stats.add(receivedStat6(query));
    if (this.disabled) {
      stats.add("pkt6-receive-drop");
      if (log.debugEnabled) {
        log.debug("DHCP6_PACKET_DROP_DHCP_DISABLED", `${clientLabel6(query)}: DHCPv6 service disabled; dropping`);
      }
      return;
    }
    const ctx: Engine6Context = {
      config: this.config,
      arrival: {
        iface: d.iface,
        srcAddr: d.srcAddr,
        dstAddr: d.dstAddr,
        localAddrs: this.deps.ifaceAddrs.get(d.iface) ?? [],
      },
      leases: this.deps.store,
      allocator: this.deps.allocator,
      serverDuid: this.deps.serverDuid,
      now,
    };
    if (this.deps.hosts) ctx.hosts = this.deps.hosts.view;
    if (!log.infoEnabled && !log.debugEnabled) ctx.quiet = true;
    if (this.deps.ha) {
      // Kea's buffer6_receive callout: a query of the partner's scope is counted and dropped by the HA service
      const haClass = this.deps.ha.admit(query, this.clock());
      if (haClass === undefined) return;
      if (haClass) ctx.haClass = haClass;
    }
    if (innermost(query).msgType === DHCPV4_QUERY) {
      // Kea's processDhcp4Query: the whole query goes to the DHCPv4 server; the answer comes back on its own
      // (Kea's testServerID first: a server identifier other than ours drops it)
      const sid = getOption6(innermost(query).options, Opt6.SERVERID);
      const ours = !sid ||
        (sid.length === this.deps.serverDuid.length && sid.every((b, i) => b === this.deps.serverDuid[i]));
      if (!this.deps.dhcp4o6 || !ours) stats.add("pkt6-receive-drop");
      else this.deps.dhcp4o6.forward(query, d);
      return;
    }
    const out: Outcome6 = handle6(query, ctx);
    this.runOutcome(query, out, d, attempt);
  }

  private runOutcome(query: Packet6, out: Outcome6, d: Datagram6, attempt: number): void {
    const { log } = this.deps;
    if (log.infoEnabled || log.debugEnabled) {
      for (const l of out.log) l.debug ? log.debug(l.id, l.text, DBG.TRACE_BASIC_DATA) : log.info(l.id, l.text);
    }
    if (out.kind === "drop") {
      this.bump(out.stats);
      return;
    }
    const { ha, leaseHooks, store } = this.deps;
    // the lease hooks see each changed address's lease as it was: read before the store's memory changes
    const before = leaseHooks?.active() && new Map(out.mutations.map((m) => {
      const a = m.op === "put" ? m.lease.address : m.address;
      return [a, store.byAddress(a)] as const;
    }));
    const hooks = () => {
      if (!before) return;
      const { mutations, events } = out, replyType = innermost(out.reply).msgType;
      leaseHooks!.committed({ query, replyType, datagram: d, mutations, events, before });
    };
    if (out.mutations.length === 0) {
      this.bump(out.stats);
      this.send(query, out, d);
      hooks();
      return;
    }
    let previous: ((m: Lease6Mutation) => Lease6 | undefined) | undefined;
    if (ha) {
      // a deleted lease goes to the partner whole (lease6-bulk-apply): take it before the commit removes it
      const gone = new Map<bigint, Lease6 | undefined>();
      for (const m of out.mutations) if (m.op === "del") gone.set(m.address, store.byAddress(m.address));
      previous = (m) => m.op === "del" ? gone.get(m.address) : undefined;
    }
    commitThenFinish(this.durable, {
      mutations: out.mutations,
      label: () => clientLabel6(query),
      replicate: ha && (() => ha.replicate(out.mutations, query, previous)),
      replicateAlongside: !store.prefetch,
      finish: () => {
        this.bump(out.stats);
        this.send(query, out, d);
        if (out.ncrs?.length) this.deps.onNcrs?.(out.ncrs);
        hooks();
      },
      failed: (e) => this.failed(e, d, query, true),
      // another server sharing the SQL database took the row first: decide again on the re-read rows
      retry: (e) => {
        if ((e as Error)?.name !== "LeaseConflictError" || attempt >= MAX_CONFLICT_RETRIES) return false;
        this.process(d, Math.floor(this.clock() / 1000), attempt + 1);
        return true;
      },
    });
  }

  private bump(deltas: StatDelta6[]): void {
    for (const [name, delta] of deltas) this.deps.stats.add(name, delta);
  }

  private send(query: Packet6, out: Extract<Outcome6, { kind: "reply" }>, d: Datagram6): void {
    const { transport, stats, log } = this.deps;
    try {
      const bytes = encode6(out.reply);
      transport.send(d, bytes, out.dest.addr, out.dest.port);
      stats.add("pkt6-sent");
      if (log.debugEnabled) {
        log.debug(
          "DHCP6_PACKET_SEND",
          `${clientLabel6(query)}: sending ${TYPE_NAMES[innermost(out.reply).msgType] ?? "reply"} to [${
            formatIpv6(out.dest.addr)
          }]:${out.dest.port} (${bytes.length} bytes)`,
          DBG.TRACE_BASIC,
        );
      }
    } catch (e) {
      log.error("DHCP6_PACKET_SEND_FAIL", `${clientLabel6(query)}: failed to send the reply: ${errorText(e)}`);
    }
  }
}
