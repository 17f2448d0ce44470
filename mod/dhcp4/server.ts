/**
 * The DHCPv4 server's I/O edge (docs/ARCHITECTURE.md rule 3): receives datagrams from a transport, decodes them, asks the
 * pure engine what to do, makes lease changes durable (group commit) and only then sends the reply. Everything
 * that can go wrong with one packet is counted and logged in one line (no stack trace: the text is the client's);
 * nothing here throws out of the receive loop, which backs off and retries a failing transport
 * (mod/net/receive_loop.ts) and reports a dead one through `onFatal`.
 */
import { commitThenFinish, type DurableReply, MAX_CONFLICT_RETRIES, packetFailed } from "./edge_common.ts";
import type { HostKeys4, HostView4, Lease4, LeaseMutation } from "../lease/types.ts";
import { setImmediate } from "node:timers";
import { decode4, encode4 } from "../packet4/codec.ts";
import { handle4 } from "./engine/handle4.ts";
import type {
  Arrival,
  Destination,
  EngineContext,
  FreeAddressFinder,
  OfferMade,
  Outcome,
  StatDelta,
} from "./engine/types.ts";
import { MsgType, Opt, type Packet4 } from "../packet4/packet.ts";
import type { Dhcp4Config } from "../config/model.ts";
import type { LeaseStore } from "../lease/types.ts";
import type { Datagram, HaHooks, OfferStore, ServerTransport } from "./server_ports.ts";
import type { Endpoint4o6 } from "./dhcp4o6_4.ts";
import type { Stats } from "../stats/stats.ts";
import { DBG, type Log } from "../log/logger.ts";
import { formatIpv4 } from "../wire/addr.ts";
import { DecodeError } from "../wire/errors.ts";
import { clientLabel } from "../packet4/label.ts";
import { type BackOff, runReceiveLoop } from "../net/receive_loop.ts";
import { errorText } from "../wire/printable.ts";
import { hostKeys4, prefetchKeys4 } from "./prefetch4.ts";
import { flexIdKeys } from "./flex_prefetch.ts";
import { QueueStats } from "../stats/queue_stats.ts";
import { WEKA_BOUNDS } from "../config/defaults.ts";

export type { Datagram, HaHooks, OfferStore, ServerTransport } from "./server_ports.ts";

export interface ServerDeps {
  config: Dhcp4Config;
  transport: ServerTransport;
  store: LeaseStore;
  offers: OfferStore;
  allocator: FreeAddressFinder;
  stats: Stats;
  log: Log;
  /** interface name → its IPv4 addresses (u32), for subnet selection by arrival interface */
  ifaceAddrs: Map<string, number[]>;
  /** milliseconds since the epoch */
  clock?: () => number;
  /** client port replies go to (68; tests on loopback use another) */
  clientPort?: number;
  /** DDNS: receives an outcome's NameChangeRequests once its lease mutations are durable (must not block) */
  onNcrs?: (ncrs: NonNullable<Extract<Outcome, { kind: "none" }>["ncrs"]>) => void;
  /** High availability: scope filter and lease updates to the partner (absent = standalone) */
  ha?: HaHooks;
  /**
   * Lease hooks (libdhcp_run_script.so): while `active()`, `committed` is called once an outcome's mutations are
   * durable, with the leases as they were before it (read when the outcome was decided); must not block.
   */
  leaseHooks?: { active(): boolean; committed(c: CommittedQuery): void };
  /**
   * The receive loop gave up (its transport failed round after round, logged as DHCP4_RECEIVE_LOOP_STOPPED): the
   * CLI stops the process with status 1. Absent: the failure is only logged.
   */
  onFatal?: (reason: string) => void;
  /** the receive loop's back-off (tests shorten it); Kea-like defaults in mod/net/receive_loop.ts */
  receiveBackOff?: BackOff;
  /** DHCPv4-over-DHCPv6 from the DHCPv6 server (dhcp4o6_4.ts); absent: none arrives */
  dhcp4o6?: Endpoint4o6;
  /**
   * Kea's host databases (`hosts-database(s)`; mod/lease/host_cache4.ts): the engine reads `view`, which the edge
   * fills per receive batch with `prefetch` before the engine runs
   */
  hosts?: { view: HostView4; prefetch(k: HostKeys4): Promise<void> };
}

/** A query whose lease changes are durable, as the lease hooks see it. */
export interface CommittedQuery {
  query: Packet4;
  datagram: Datagram;
  mutations: readonly LeaseMutation[];
  events: Extract<Outcome, { kind: "none" }>["events"];
  before: ReadonlyMap<number, Lease4 | undefined>;
}

/** Runs the receive → engine → commit → send loop until {@link Dhcp4Server.stop}. */
export class Dhcp4Server {
  private running = false;
  private loop?: Promise<void>;
  private readonly pending = new Set<Promise<void>>();
  /** the commit-then-reply path (edge_common.ts), over this edge's store, statistics and log */
  private readonly durable: DurableReply<LeaseMutation>;
  private disabled = false;
  config: Dhcp4Config;
  private readonly clock: () => number;
  private readonly clientPort: number;
  /** when each kind of database read failure was last logged (ms) */
  private readonly lastReadFailure = new Map<string, number>();
  /** replies are encoded here and handed to the socket at once (sends copy synchronously) */
  private readonly txScratch = new Uint8Array(65536);
  /** the receive queue's depth averages (status-get "packet-queue-statistics") */
  readonly queueStats = new QueueStats();

  constructor(private readonly deps: ServerDeps) {
    const { store, stats, log } = deps;
    this.durable = { pkt: "pkt4", prefix: "DHCP4", store, stats, log, pending: this.pending };
    this.config = deps.config;
    this.clock = deps.clock ?? Date.now;
    this.clientPort = deps.clientPort ?? 68;
  }

  /** Starts the receive loop. */
  start(): void {
    this.running = true;
    this.loop = this.receiveLoop();
  }

  /** Kea's dhcp-disable/dhcp-enable: while disabled every query is dropped (`pkt4-service-disabled`). */
  setEnabled(enabled: boolean): void {
    this.disabled = !enabled;
  }

  /** Swaps in a new compiled configuration (reload); packets already in the engine finish with the old one. */
  setConfig(config: Dhcp4Config): void {
    this.config = config;
  }

  /** Stops receiving, waits for every reply whose commit is in flight, closes the transport. */
  async stop(): Promise<void> {
    this.running = false;
    this.deps.transport.close();
    await this.loop?.catch(() => {});
    await Promise.allSettled([...this.pending]);
  }

  private receiveLoop(): Promise<void> {
    const { transport, log } = this.deps;
    let lastSweep = 0;
    const round = async () => {
      // Kea's packet-queue-size / dhcp-queue-control capacity bound the packets one round takes (compile_server.ts)
      const batch = await transport.recvBatch(this.config.tuning?.receiveBatch ?? WEKA_BOUNDS.receiveBatch);
      this.queueStats.round(batch.length);
      const nowMs = this.clock();
      if (nowMs - lastSweep > 1000) {
        this.deps.offers.sweep(Math.floor(nowMs / 1000));
        lastSweep = nowMs;
      }
      if ((this.deps.store.prefetch || this.deps.hosts) && batch.length && !this.disabled) await this.prefetch(batch);
      for (const d of batch) this.process(d, Math.floor(nowMs / 1000));
      // While packets keep arriving, recvBatch drains them without ever returning to the event loop; commit
      // completions (and so the ACKs waiting for them) would starve. A macrotask turn lets them through (~2 µs).
      if (this.pending.size) await new Promise<void>((r) => setImmediate(r));
    };
    return runReceiveLoop({
      round,
      running: () => this.running,
      log,
      backOff: this.deps.receiveBackOff,
      ids: { failed: "DHCP4_PACKET_RECEIVE_FAILED", fatal: "DHCP4_RECEIVE_LOOP_STOPPED" },
      onFatal: (reason) => {
        this.running = false;
        this.deps.onFatal?.(reason);
      },
    });
  }

  /**
   * A shared (SQL) store and host databases: re-reads the lease rows and fetches the hosts this batch asks about
   * (concurrently) before the engine runs. A failure is logged and the batch is served from the cache (the
   * database still decides every lease write).
   */
  private async prefetch(batch: Datagram[]): Promise<void> {
    const { store, hosts, log } = this.deps;
    const failed = (id: string, what: string) => (e: unknown) => {
      // at most one line a second per kind while a database is unreachable (every batch fails)
      const now = this.clock();
      if (now - (this.lastReadFailure.get(id) ?? 0) < 1000) return;
      this.lastReadFailure.set(id, now);
      log.error(id, `reading the ${what} of ${batch.length} queries: ${errorText(e)}`);
    };
    const leases = store.prefetch?.(prefetchKeys4(batch)).catch(failed("DHCP4_LEASE_DB_READ_FAILED", "leases"));
    let found: Promise<void> | undefined;
    if (hosts) {
      const keys = hostKeys4(batch);
      const flex = this.config.flexId?.expr;
      if (flex) keys.ids.push(...flexIdKeys(batch, flex));
      found = hosts.prefetch(keys).catch(failed("DHCP4_HOSTS_DB_READ_FAILED", "hosts"));
    }
    await Promise.all([leases, found]);
  }

  /** The query being handled by {@link process}, for the label of its failure line. */
  private current: Packet4 | undefined;

  /** A datagram from the 4o6 channel (Kea's Dhcp4to6Ipc::handler): handled as a DHCPv4 query when well formed. */
  process4o6(bytes: Uint8Array, now: number): void {
    const d = this.deps.dhcp4o6?.accept(bytes);
    if (d) this.process(d, now);
  }

  /**
   * Handles one datagram; public so tests can drive the server without sockets. Never throws: an exception
   * anywhere in handling it (a last resort: the fuzz tests hold that none occurs) drops the packet, counts
   * `pkt4-processing-failed` and logs one line with the client's label and the error's message, escaped.
   */
  process(d: Datagram, now: number, attempt = 0): void {
    this.current = undefined;
    try {
      this.processOne(d, now, attempt);
    } catch (e) {
      this.failed(e, d, this.current);
    }
  }

  /**
   * Kea's DHCP4_PACKET_PROCESS_EXCEPTION: one escaped line, no stack trace; the packet is dropped, or (after its
   * lease commit: the reply may have gone out) only counted in `pkt4-processing-failed`.
   */
  private failed(e: unknown, d: Datagram, query: Packet4 | undefined, afterCommit = false): void {
    packetFailed(
      this.durable,
      e,
      query ? clientLabel(query) : `packet from ${formatIpv4(d.srcAddr)}:${d.srcPort} on ${d.iface}`,
      afterCommit,
    );
  }

  /** {@link process} without the last-resort catch. */
  private processOne(d: Datagram, now: number, attempt: number): void {
    const { stats, log } = this.deps;
    stats.add("pkt4-received");
    if (this.disabled) {
      stats.add("pkt4-service-disabled");
      stats.add("pkt4-receive-drop");
      return;
    }
    let query: Packet4;
    try {
      query = decode4(d.data, LENIENT); // Kea drops a truncated last option and keeps the rest
    } catch (e) {
      stats.add("pkt4-parse-failed");
      stats.add("pkt4-receive-drop");
      if (log.debugEnabled) {
        const why = e instanceof DecodeError ? e.message : String(e);
        log.debug(
          "DHCP4_PACKET_DROP_0001",
          `failed to parse packet from ${formatIpv4(d.srcAddr)}:${d.srcPort} on ${d.iface}: ${why}`,
          DBG.PKT_HANDLING,
        );
      }
      return;
    }
    this.current = query;
    const arrival: Arrival = {
      iface: d.iface,
      localAddr: d.localAddr,
      ifaceAddrs: this.deps.ifaceAddrs.get(d.iface) ?? (d.localAddr ? [d.localAddr] : []),
      srcAddr: d.srcAddr,
      srcPort: d.srcPort,
      dstAddr: d.dstAddr,
    };
    const via4o6 = this.deps.dhcp4o6?.arrival(d);
    if (via4o6) arrival.dhcp4o6 = via4o6;
    const ctx: EngineContext = {
      config: this.config,
      arrival,
      leases: this.deps.store,
      offers: this.deps.offers,
      allocator: this.deps.allocator,
      now,
      ...(this.deps.hosts ? { hosts: this.deps.hosts.view } : {}),
    };
    if (this.deps.ha) {
      const haClass = this.deps.ha.admit(query, this.clock());
      if (haClass === undefined) return;
      if (haClass) ctx.haClass = haClass;
    }
    const out: Outcome = handle4(query, ctx);
    // a hook may have changed the query (libdhcp_bootp.so made a BOOTP query a DHCPREQUEST): later steps see that
    this.runOutcome(out.query ?? query, out, d, now, attempt);
  }

  private runOutcome(query: Packet4, out: Outcome, d: Datagram, now: number, attempt: number): void {
    const { log, offers } = this.deps;
    if (log.infoEnabled || log.debugEnabled) {
      for (const l of out.log) l.debug ? log.debug(l.id, l.text, DBG.TRACE_BASIC_DATA) : log.info(l.id, l.text);
    }
    if (out.kind === "drop") {
      if (out.forgetOffer) offers.forget(out.forgetOffer);
      this.bump(out.stats);
      return;
    }
    if (out.forgetOffer) offers.forget(out.forgetOffer);
    if (out.kind === "reply" && out.offer) this.rememberOffer(out.offer, now);
    if (out.mutations.length === 0) {
      this.bump(out.stats);
      if (out.kind === "reply") this.send(query, out.reply, out.dest, d);
      return;
    }
    const { ha, leaseHooks, store } = this.deps;
    // the lease hooks see each changed address's lease as it was: read before the store's memory changes
    const before = leaseHooks?.active() && new Map(out.mutations.map((m) => {
      const a = m.op === "put" ? m.lease.address : m.address;
      return [a, store.byAddress(a)] as const;
    }));
    commitThenFinish(this.durable, {
      mutations: out.mutations,
      label: () => clientLabel(query),
      replicate: ha && (() => ha.replicate(out.mutations, query)),
      replicateAlongside: !store.prefetch,
      finish: () => {
        this.bump(out.stats);
        if (out.kind === "reply") this.send(query, out.reply, out.dest, d);
        if (out.ncrs?.length) this.deps.onNcrs?.(out.ncrs);
        if (before) leaseHooks!.committed({ query, datagram: d, mutations: out.mutations, events: out.events, before });
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

  /**
   * Remembers a DISCOVER's offer. The table is bounded (mod/lease/offers.ts): when it is full the oldest offer is
   * evicted, counted in `v4-offer-evictions` (weka's own statistic; Kea keeps no offers) and logged at debug.
   */
  private rememberOffer(o: OfferMade, now: number): void {
    const evicted = this.deps.offers.remember(o.clientKey, o.subnetId, o.address, now, o.holdSeconds ?? 0);
    if (!evicted) return;
    this.deps.stats.add("v4-offer-evictions");
    const log = this.deps.log;
    if (log.debugEnabled) {
      log.debug(
        "DHCP4_OFFER_EVICTED",
        `offer table full: forgot the offer of ${formatIpv4(evicted.address)} made ${now - evicted.at} s ago ` +
          `in subnet ${evicted.subnetId}${evicted.holdUntil > now ? " (its offer-lifetime hold is lost)" : ""}`,
        DBG.TRACE_BASIC,
      );
    }
  }

  private bump(deltas: StatDelta[]): void {
    for (const [name, delta] of deltas) this.deps.stats.add(name, delta);
  }

  private send(query: Packet4, reply: Packet4, dest: Destination, d: Datagram): void {
    const { transport, stats, log } = this.deps;
    const maxMsg = query.options.get(Opt.MAX_MESSAGE_SIZE);
    const maxSize = maxMsg && maxMsg.length === 2 ? ((maxMsg[0] << 8) | maxMsg[1]) - 28 : undefined;
    try {
      const bytes = encode4(reply, { maxSize: maxSize && maxSize >= 548 ? maxSize : undefined, into: this.txScratch });
      const src = d.localAddr || undefined;
      // a DHCPv4-over-DHCPv6 query: the reply goes back over the 4o6 channel as a DHCPV4-RESPONSE
      if (this.deps.dhcp4o6?.reply(d, bytes)) return void stats.add("pkt4-sent");
      switch (dest.kind) {
        case "unicast":
          transport.sendUnicast(bytes, dest.addr, dest.port === 68 ? this.clientPort : dest.port, d.ifindex, src);
          break;
        case "broadcast":
          transport.sendBroadcast(d.ifindex, bytes, src, this.clientPort);
          break;
        case "link":
          transport.sendLink(d.ifindex, dest.mac, dest.addr, bytes, src, this.clientPort);
          break;
      }
      stats.add("pkt4-sent");
    } catch (e) {
      log.error(
        "DHCP4_PACKET_SEND_FAIL",
        `${clientLabel(query)}: failed to send ${msgName(reply)}: ${errorText(e)}`,
      );
    }
  }
}

const LENIENT = { lenient: true } as const;

function msgName(p: Packet4): string {
  const t = p.options.get(Opt.MESSAGE_TYPE)?.[0];
  return t === MsgType.OFFER ? "DHCPOFFER" : t === MsgType.ACK ? "DHCPACK" : t === MsgType.NAK ? "DHCPNAK" : "reply";
}
