/**
 * The compiled, immutable runtime model of a `Dhcp4` configuration: what the engine and server read on every
 * packet. mod/config/compile4.ts builds it from the validated JSON (defaults applied, inheritance global →
 * subnet resolved, option-data encoded to wire payloads). A reload builds a new model and swaps it whole.
 */
import type { ClassDef } from "../classify/class_def.ts";
import type { StrExpr } from "../classify/expr/ast.ts";
import type { HaConfig } from "./model_ha.ts";

/** One option to send: the wire payload (without code/length) plus Kea's send flags. */
export interface OptionValue {
  code: number;
  /** option space; "dhcp4" for the standard options */
  space: string;
  data: Uint8Array;
  alwaysSend: boolean;
  neverSend: boolean;
  /** Kea 3's option `client-classes`: sent only to a client in one of these (absent: to every client) */
  clientClasses?: string[];
  /** the entry to try when this one's classes do not match (option_guard.ts): same code, later or outer scope */
  next?: OptionValue;
}

export interface Pool4 {
  /** `client-class` / `client-classes` guard: only clients in one of these classes may use the pool (absent = all) */
  clientClasses?: string[];
  /** first and last address, inclusive (u32) */
  start: number;
  end: number;
  /** Kea's pool-id (0 when not configured) */
  poolId: number;
  /** options of the pool, by code (pool wins over subnet) */
  options: Map<number, OptionValue>;
  /** DDNS behaviour of the pool when the pool sets a `ddns-*` key (Kea ≥ 2.7.6); else the subnet's applies */
  ddns?: DdnsParams;
  /** `require-client-classes` + `evaluate-additional-classes` of the pool (absent = none) */
  additionalClasses?: string[];
}

/** Kea's `ddns-replace-client-name` modes. */
export type ReplaceClientName = "never" | "always" | "when-present" | "when-not-present";

/** Kea's `ddns-conflict-resolution-mode` values (carried to D2 in each NameChangeRequest). */
export type DdnsConflictMode =
  | "check-with-dhcid"
  | "no-check-with-dhcid"
  | "check-exists-with-dhcid"
  | "no-check-without-dhcid";

/**
 * The DDNS behaviour of one scope after inheritance global → subnet → pool (Kea's `DdnsParams`): the `ddns-*`
 * keys and the host name sanitiser.
 */
export interface DdnsParams {
  /** `ddns-send-updates` (updates happen only when dhcp-ddns.enable-updates is true as well) */
  sendUpdates: boolean;
  overrideNoUpdate: boolean;
  overrideClientUpdate: boolean;
  replaceClientName: ReplaceClientName;
  generatedPrefix: string;
  /** as configured ("" = none); qualification adds the dots */
  qualifyingSuffix: string;
  updateOnRenew: boolean;
  conflictResolutionMode: DdnsConflictMode;
  /** `ddns-ttl-percent` (fraction of the lease lifetime), when set */
  ttlPercent?: number;
  /** `ddns-ttl` (fixed TTL), `ddns-ttl-min`, `ddns-ttl-max` (Kea ≥ 2.7), when set */
  ttl?: number;
  ttlMin?: number;
  ttlMax?: number;
  /** `hostname-char-set`: a POSIX ERE of invalid characters ("" = no sanitising) */
  hostnameCharSet: string;
  hostnameCharReplacement: string;
}

/** The `dhcp-ddns` connectivity block of Dhcp4 (where NameChangeRequests go). */
export interface DhcpDdnsSpec {
  enableUpdates: boolean;
  serverIp: string;
  serverPort: number;
  senderIp: string;
  senderPort: number;
  maxQueueSize: number;
  ncrProtocol: "UDP";
  ncrFormat: "JSON";
}

/** Kea's host identifier types for DHCPv4 (`host-reservation-identifiers` values), in Kea's enum order. */
export type HostIdType = "hw-address" | "duid" | "circuit-id" | "client-id" | "flex-id";

export interface Reservation4 {
  /** colon-hex hardware address ("" when the reservation uses another identifier) */
  hwaddr: string;
  /** the identifier type (absent = "hw-address") */
  idType?: HostIdType;
  /** colon-hex identifier value for the other types (duid, circuit-id, client-id, flex-id) */
  id?: string;
  ipAddress?: number;
  hostname?: string;
  nextServer?: number;
  serverHostname?: string;
  bootFileName?: string;
  options: Map<number, OptionValue>;
  /** `client-classes`: the classes a client matching this reservation joins (absent = none) */
  clientClasses?: string[];
}

/** The lifetime triplet and timers after inheritance (subnet → global). */
export interface Timers4 {
  validLifetime: number;
  minValidLifetime: number;
  maxValidLifetime: number;
  /** explicit renew-timer (T1), when configured */
  renewTimer?: number;
  /** explicit rebind-timer (T2), when configured */
  rebindTimer?: number;
  calculateTeeTimes: boolean;
  t1Percent: number;
  t2Percent: number;
}

export interface Subnet4 {
  id: number;
  /** `client-class` / `client-classes` guard: only clients in one of these classes may use the subnet (absent = all) */
  clientClasses?: string[];
  /** the subnet's own options, without the global ones (set when client classes exist: class options go between) */
  ownOptions?: Map<number, OptionValue>;
  /** the text as configured, e.g. "198.18.0.0/16" */
  prefix: string;
  network: number;
  len: number;
  mask: number;
  pools: Pool4[];
  /** interface name this subnet is bound to (`interface`), when set */
  interface?: string;
  /** relay addresses (`relay.ip-addresses`) that select this subnet */
  relayAddresses: number[];
  /** merged options: global overridden by subnet, by code */
  options: Map<number, OptionValue>;
  /** reservations by host key (host_ids4.ts hostKey: the colon-hex hardware address, `client-id=01:…`, …) */
  reservations: Map<string, Reservation4>;
  /** reserved addresses → host key of the reservation, to keep them out of dynamic allocation */
  reservedAddresses: Map<number, string>;
  /**
   * with `ip-reservations-unique: false`: addresses reserved for more than one host → the host keys after the
   * first (the first is in reservedAddresses); absent when every address is reserved once
   */
  sharedReservedAddresses?: Map<number, string[]>;
  timers: Timers4;
  authoritative: boolean;
  matchClientId: boolean;
  /** siaddr to send, 0 = none */
  nextServer: number;
  serverHostname: string;
  bootFileName: string;
  /** DDNS behaviour of the subnet (absent in hand-built models: Kea's defaults apply) */
  ddns?: DdnsParams;
  /** `reservations-global` after inheritance: look up Dhcp4Config.globalReservations (absent = false) */
  reservationsGlobal?: boolean;
  /** `reservations-in-subnet` after inheritance: look up `reservations` (absent = true, Kea's default) */
  reservationsInSubnet?: boolean;
  /** `reservations-out-of-pool` after inheritance (absent = false); carried for Kea parity, a hint only */
  reservationsOutOfPool?: boolean;
  /** name of the shared network the subnet belongs to (absent = a plain subnet); see Dhcp4Config.sharedNetworks */
  sharedNetwork?: string;
  /** the subnet's `require-client-classes` + `evaluate-additional-classes` (absent = none) */
  additionalClasses?: string[];
  /** its shared network's additional classes (absent = none) */
  networkAdditionalClasses?: string[];
  /** `allocator` after inheritance (absent = "iterative", Kea's default) */
  allocator?: "iterative" | "random" | "flq";
  /** `store-extended-info` after inheritance: leases keep the query's relay agent information (absent = false) */
  storeExtendedInfo?: boolean;
  /** `compatibility.exclude-first-last-24`: the allocator skips .0 and .255 in a /24 or larger (absent = false) */
  excludeFirstLast24?: boolean;
  /**
   * Kea's lease caching after inheritance: `cache-threshold` (a fraction of the lifetime) and `cache-max-age`
   * (seconds); a renewal within them reuses the lease unchanged (absent: no caching, Kea's default)
   */
  cacheThreshold?: number;
  cacheMaxAge?: number;
  /**
   * Kea 2.6 `offer-lifetime` after inheritance (subnet → shared network → global), seconds an OFFER holds its
   * address for the client; absent or 0: an offer holds nothing (Kea 2.2, and Kea 2.6's default)
   */
  offerLifetime?: number;
}

/**
 * A shared network (Kea `shared-networks[]`): subnets on one link. Its parameters are already inherited into its
 * member subnets (global → shared network → subnet); the members are in Dhcp4Config.subnets like any subnet.
 */
export interface SharedNetwork4 {
  name: string;
  /** ids of the member subnets, in configuration order (Kea's order for trying them) */
  subnetIds: number[];
  /** the network's `interface`, when set (every member inherits it) */
  interface?: string;
  /** the network's relay addresses (every member also answers to them) */
  relayAddresses: number[];
}

/**
 * A compiled client class (Kea `client-classes[]` entry): its parsed test, when it is evaluated, and what
 * membership gives (options, boot fields, lifetimes). Evaluated in configuration order.
 */
export interface ClientClass4 extends ClassDef {
  options: Map<number, OptionValue>;
  nextServer?: number;
  serverHostname?: string;
  bootFileName?: string;
  validLifetime?: number;
  minValidLifetime?: number;
  maxValidLifetime?: number;
  /** Kea 2.6 `offer-lifetime` of the class (absent: the subnet's applies) */
  offerLifetime?: number;
}

export interface InterfaceSpec {
  /** interface name, or "*" for every interface with an IPv4 address (loopback excluded) */
  name: string;
  /** the address given as `eth0/ADDR`, when any */
  address?: number;
}

export interface ExpiredLeasesProcessing {
  reclaimTimerWaitTime: number; // seconds
  flushReclaimedTimerWaitTime: number; // seconds
  holdReclaimedTime: number; // seconds
  maxReclaimLeases: number; // 0 = unlimited
  maxReclaimTime: number; // ms, 0 = unlimited
  unwarnedReclaimCycles: number;
}

export interface LoggerSpec {
  name: string;
  severity: "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "NONE";
  debuglevel: number;
  outputs: { output: string; flush: boolean; maxsize: number; maxver: number; pattern?: string }[];
}

/** One control socket (`control-socket` of Kea 2.2, or an entry of `control-sockets`). */
export interface ControlSocketSpec {
  type: "unix" | "http" | "https";
  /** unix socket path */
  name?: string;
  /** http(s) listen address and port */
  address?: string;
  port?: number;
  /** the entry as configured (authentication, TLS files, http-headers …) */
  raw: Record<string, unknown>;
}

/**
 * The server-wide keys of Dhcp4 and Dhcp6 after Kea's defaults, and what they mean in weka (compile_server.ts; README
 * "Configuration reference"): weka handles packets on one event loop, so `multi-threading` and `dhcp-queue-control`
 * come down to the size of a receive round.
 */
export interface ServerTuning {
  /** `multi-threading.enable-multi-threading` as configured (status-get reports it as Kea does) */
  multiThreading: boolean;
  /** `thread-pool-size` as configured (0: Kea's one per core); weka's packet thread count is always 1 */
  threadPoolSize: number;
  /** `packet-queue-size` as configured (0: Kea's unlimited) */
  packetQueueSize: number;
  /** `dhcp-queue-control` (off, kea-ring4/6 of 64 by default; Kea ignores it under multi-threading) */
  queue: { enabled: boolean; type: string; capacity: number };
  /** packets one receive round takes at most: the queue size that applies, else weka's own bound */
  receiveBatch: number;
  /** `parked-packet-limit` resolved (0 = Kea's "no limit" becomes weka's bound): replies awaiting the HA partner */
  parkedPacketLimit: number;
  /** `server-tag` ("" by default) */
  serverTag: string;
  /** statistics sampling defaults (`statistic-default-sample-count` / `-age`, 0 = not by that measure) */
  statisticSampleCount: number;
  statisticSampleAge: number;
  /** `sanity-checks.lease-checks`: what start-up does with a stored lease outside its subnet */
  leaseChecks: "none" | "warn" | "fix" | "fix-del" | "del";
  /** `sanity-checks.extended-info-checks` (Kea ≥ 2.3) */
  extendedInfoChecks: "none" | "fix" | "strict" | "pedantic";
  /** `early-global-reservations-lookup` / `reservations-lookup-first` */
  earlyGlobalReservationsLookup: boolean;
  reservationsLookupFirst: boolean;
}

/**
 * A SQL database connection (Kea's DbAccessParser parameters with Kea 2.2's defaults): `lease-database` or a host
 * database of type `postgresql` or `mysql`. Times as Kea gives them: timeouts in seconds, the reconnect wait in
 * milliseconds.
 */
export interface DbAccess {
  type: "postgresql" | "mysql";
  name: string;
  host: string;
  port: number;
  user?: string;
  password?: string;
  connectTimeout: number;
  readTimeout: number;
  writeTimeout: number;
  tcpUserTimeout: number;
  maxReconnectTries: number;
  reconnectWaitTime: number;
  onFail: "stop-retry-exit" | "serve-retry-exit" | "serve-retry-continue";
  readonly: boolean;
  trustAnchor?: string;
  certFile?: string;
  keyFile?: string;
  cipherList?: string;
  /** Kea's `ssl-mode` (PostgreSQL's sslmode); absent: TLS when a trust anchor or client certificate is given */
  sslMode?: "disable" | "prefer" | "require" | "verify-ca" | "verify-full";
}

/**
 * What the compiled model of a DHCP server role carries whatever its universe (Dhcp4Config and model6.ts's
 * Dhcp6Config): the lease database, decline probation, expired-lease processing, loggers, built-in hooks, control
 * sockets and the validated JSON (Kea's maps of the same names are shared by kea-dhcp4 and kea-dhcp6).
 */
export interface DhcpServerCommon {
  lease: {
    /** "memfile" as Kea spells it, "kv" (weka's own), or Kea's SQL backends "postgresql" and "mysql" */
    type: "memfile" | "kv" | "postgresql" | "mysql";
    /**
     * the Deno KV file path (for memfile: the lease file name with its extension replaced by .kv); for a SQL
     * database, its description `type://user@host:port/name` (what a reload compares and the log shows)
     */
    path: string;
    /** the SQL database's connection, for "postgresql" and "mysql" */
    db?: DbAccess;
    /** the Kea CSV named by a memfile config, when any */
    csvName?: string;
    persist: boolean;
  };
  /** host databases (`hosts-database`, then `hosts-databases`), searched in order; empty when none */
  hostsDbs?: DbAccess[];
  declineProbationPeriod: number;
  expired: ExpiredLeasesProcessing;
  loggers: LoggerSpec[];
  /** built-in hook modules switched on by `hooks-libraries` (file names: "libdhcp_lease_cmds.so", "libdhcp_ha.so") */
  hooks: string[];
  /** each built-in hook's `parameters` map (e.g. `high-availability` for libdhcp_ha.so), by file name */
  hookParameters: Map<string, Record<string, unknown>>;
  /** control sockets (`control-socket` and `control-sockets` together, in that order) */
  controlSockets: ControlSocketSpec[];
  /**
   * the server-wide keys (multi-threading, queue, parked packets, server tag, statistics, sanity checks); absent in
   * hand-built models: Kea's defaults apply (compile_server.ts defaultTuning)
   */
  tuning?: ServerTuning;
  /** the validated config as JSON (for config-get and logs) */
  raw: Record<string, unknown>;
}

export interface Dhcp4Config extends DhcpServerCommon {
  interfaces: InterfaceSpec[];
  socketType: "raw" | "udp";
  /** every subnet, those inside shared networks included (top-level subnets first, then each network's) */
  subnets: Subnet4[];
  /** shared networks in configuration order (absent or empty = none) */
  sharedNetworks?: SharedNetwork4[];
  /** global options (already merged into each subnet; kept for INFORM without a subnet) */
  options: Map<number, OptionValue>;
  echoClientId: boolean;
  /** the `dhcp-ddns` block (absent in hand-built models: updates disabled) */
  dhcpDdns?: DhcpDdnsSpec;
  /** the global DDNS behaviour (used for leases whose subnet is gone) */
  ddns?: DdnsParams;
  /** client classes in configuration order (absent or empty = no classification beyond ALL/KNOWN/UNKNOWN) */
  clientClasses?: ClientClass4[];
  /** global host reservations (`Dhcp4.reservations`) by host key, as Subnet4.reservations (absent = none) */
  globalReservations?: Map<string, Reservation4>;
  /** `host-reservation-identifiers`, the lookup order (absent = Kea's hw-address, duid, circuit-id, client-id) */
  hostIdentifiers?: HostIdType[];
  /** the built-in flex-id hook (libdhcp_flex_id.so) with its parsed `identifier-expression`, when loaded */
  flexId?: FlexId4;
  /** the built-in flex-option hook (libdhcp_flex_option.so): its entries, applied to every response in order */
  flexOptions?: FlexOptions4;
  /** the built-in High Availability hook (libdhcp_ha.so): its one relationship, when loaded (compile_ha.ts) */
  ha?: HaConfig;
  /**
   * Kea's `compatibility` relaxations of DHCPv4 (absent = all off): accept a REQUEST whatever server its option 54
   * names; select the subnet without RAI sub-option 5 (link selection). `exclude-first-last-24` is on the subnets.
   */
  compatibility?: { ignoreServerIdentifier: boolean; ignoreRaiLinkSelection: boolean };
  /** `interfaces-config.outbound-interface` (absent = "same-as-inbound", Kea's default) */
  outboundInterface?: "same-as-inbound" | "use-routing";
}

import type { FlexOptions4 } from "./flex_option4.ts";

/** The flex-id hook's configuration: the expression whose value is the client's flex-id (empty = none). */
export interface FlexId4 {
  /** the parsed `identifier-expression` (absent: the hook computes no identifier, as Kea with no expression) */
  expr?: StrExpr;
  /** `replace-client-id`: the query's option 61 is replaced by 0x00 + flex-id while it is handled */
  replaceClientId: boolean;
}
