/**
 * Every default value of a configuration, in one table, with Kea's values: `Dhcp4`
 * (src/lib/dhcpsrv/parsers/simple_parser4.cc and the ARM's dhcp4-srv.rst), `Dhcp6`, the HA hook's relationship
 * (ha_config_parser.cc) and `DhcpDdns` (d2_simple_parser.cc). The compilers read them from here and nowhere else,
 * so a changed default is changed once.
 */

/** Global Dhcp4 defaults (Kea's GLOBAL4_DEFAULTS plus the inherited subnet parameters). */
export const DHCP4_DEFAULTS = {
  "valid-lifetime": 7200,
  /** Kea: min-valid-lifetime and max-valid-lifetime default to valid-lifetime when not configured */
  "decline-probation-period": 86400,
  "calculate-tee-times": false,
  "t1-percent": 0.5,
  "t2-percent": 0.875,
  authoritative: false,
  "match-client-id": true,
  "echo-client-id": true,
  "next-server": "0.0.0.0",
  "server-hostname": "",
  "boot-file-name": "",
} as const;

/** interfaces-config defaults (Kea: raw sockets, no interface served until named). */
export const INTERFACES_DEFAULTS = {
  interfaces: [] as string[],
  "dhcp-socket-type": "raw" as "raw" | "udp",
  "re-detect": true,
} as const;

/** expired-leases-processing defaults (Kea's lease-expiration.rst). */
export const EXPIRED_LEASES_DEFAULTS = {
  "reclaim-timer-wait-time": 10,
  "flush-reclaimed-timer-wait-time": 25,
  "hold-reclaimed-time": 3600,
  "max-reclaim-leases": 100,
  "max-reclaim-time": 250,
  "unwarned-reclaim-cycles": 5,
} as const;

/**
 * lease-database defaults. Kea's memfile default file is [localstatedir]/lib/kea/kea-leases4.csv with persist
 * true; weka keeps that name and stores the leases in a Deno KV file beside it. weka's own `kv` type defaults to
 * /var/lib/weka/leases4.kv.
 */
export const LEASE_DATABASE_DEFAULTS = {
  type: "memfile" as "memfile" | "kv",
  memfileName: "/var/lib/kea/kea-leases4.csv",
  kvName: "/var/lib/weka/leases4.kv",
  persist: true,
  "lfc-interval": 3600,
} as const;

/**
 * Database connection defaults of Kea 2.2 (database_connection.cc, pgsql_connection.cc, mysql_connection.cc): host
 * localhost, the backend's standard port, a 5 s connect timeout, no read/write/TCP-user timeouts, no reconnection
 * (`max-reconnect-tries` 0) and `on-fail` stop-retry-exit.
 */
export const DB_ACCESS_DEFAULTS = {
  host: "localhost",
  port: { postgresql: 5432, mysql: 3306 },
  "connect-timeout": 5,
  "read-timeout": 0,
  "write-timeout": 0,
  "tcp-user-timeout": 0,
  "max-reconnect-tries": 0,
  "reconnect-wait-time": 0,
  "on-fail": "stop-retry-exit",
} as const;

/** Option data defaults (Kea: space dhcp4, csv-format true, both send flags false). */
export const OPTION_DATA_DEFAULTS = {
  space: "dhcp4",
  "csv-format": true,
  "always-send": false,
  "never-send": false,
} as const;

/** Logger defaults (Kea's logging.rst: INFO, debuglevel 0, flush true, maxsize 10240000, maxver 1). */
export const LOGGER_DEFAULTS = {
  severity: "INFO" as const,
  debuglevel: 0,
  flush: true,
  maxsize: 10240000,
  maxver: 1,
  /** with no `loggers` at all Kea logs INFO and above to stdout under kea-dhcp4 */
  root: "kea-dhcp4",
  output: "stdout",
} as const;

/** Kea's limits on subnet ids: 0 means "unassigned" and 2^32-1 is reserved. */
export const SUBNET_ID_MIN = 1;
export const SUBNET_ID_MAX = 0xfffffffe;

/** The hook libraries weka implements itself; naming one in `hooks-libraries` turns the built-in module on. */
export const BUILTIN_HOOKS = [
  "libdhcp_lease_cmds.so",
  "libdhcp_ha.so",
  "libdhcp_flex_id.so",
  "libdhcp_stat_cmds.so",
  "libdhcp_run_script.so",
  "libdhcp_flex_option.so",
  "libdhcp_bootp.so",
] as const;

/** Kea's BOOTP hook (hooks-bootp.rst): DHCPv4 only; built into weka's DHCPv4 engine (mod/dhcp4/engine/bootp.ts). */
export const BOOTP_HOOK = "libdhcp_bootp.so";

/**
 * ISC's premium and subscriber hook libraries of Kea 2.2 (Kea ARM hooks.rst, "Available Hook Libraries"), which weka
 * cannot offer: naming one is refused with what it is, so an operator knows it is not a typo.
 */
export const PREMIUM_HOOKS: Readonly<Record<string, string>> = {
  "libdhcp_host_cmds.so": "host commands (reservation-add/-get/-del)",
  "libdhcp_subnet_cmds.so": "subnet commands",
  "libdhcp_class_cmds.so": "class commands",
  "libdhcp_cb_cmds.so": "configuration backend commands",
  "libdhcp_lease_query.so": "leasequery",
  "libdhcp_radius.so": "RADIUS",
  "libdhcp_host_cache.so": "host cache",
  "libdhcp_legal_log.so": "forensic logging",
  "libdhcp_limits.so": "rate and lease limits",
  "libdhcp_ddns_gss_tsig.so": "GSS-TSIG",
  "libddns_gss_tsig.so": "GSS-TSIG",
  "libdhcp_rbac.so": "role-based access control",
  "libca_rbac.so": "role-based access control",
  "libdhcp_ping_check.so": "ping check",
};

/**
 * The hook libraries that hold Kea's SQL backends since Kea 2.7 (`libdhcp_mysql.so`, `libdhcp_pgsql.so`): weka has
 * its backends built in, so naming one loads nothing and is noted in one INFO line.
 */
export const SQL_BACKEND_HOOKS: Readonly<Record<string, string>> = {
  "libdhcp_mysql.so": "MySQL",
  "libdhcp_pgsql.so": "PostgreSQL",
};

/**
 * Kea's configuration backend hook libraries (Kea 2.2 to 2.6): they let `config-control` read a MySQL or PostgreSQL
 * configuration database, which weka does not read (config-control is accepted with a warning).
 */
export const CONFIG_BACKEND_HOOKS: Readonly<Record<string, string>> = {
  "libdhcp_mysql_cb.so": "MySQL",
  "libdhcp_pgsql_cb.so": "PostgreSQL",
};

/** The INFO line for a SQL backend or configuration backend hook library (undefined for any other file name). */
export function sqlBackendHookNote(file: string): string | undefined {
  const what = SQL_BACKEND_HOOKS[file];
  const cb = CONFIG_BACKEND_HOOKS[file];
  return what
    ? `hook library '${file}' (Kea 2.7+'s ${what} backend) has nothing to load: weka's ${what} lease and host backends are built in`
    : cb &&
      `hook library '${file}' (Kea's ${cb} configuration backend) has nothing to load: weka does not read ` +
        "configuration backends and serves the file's configuration ('config-control')";
}

/** The refusal of a premium hook library (undefined for any other file name). */
export function premiumHookRefusal(file: string): string | undefined {
  const what = PREMIUM_HOOKS[file];
  return what && `hook library '${file}' is ISC's premium ${what} hook, which weka does not offer: remove this entry`;
}

/**
 * `dhcp-ddns` defaults (Kea's D2ClientConfig: updates off, D2 at 127.0.0.1:53001, sender on any address and port,
 * a 1024-entry queue, UDP and JSON, the only protocol and format Kea implements).
 */
export const DHCP_DDNS_DEFAULTS = {
  "enable-updates": false,
  "server-ip": "127.0.0.1",
  "server-port": 53001,
  "sender-ip": "",
  "sender-port": 0,
  "max-queue-size": 1024,
  "ncr-protocol": "UDP" as const,
  "ncr-format": "JSON" as const,
} as const;

/**
 * Scoped `ddns-*` defaults (Kea's GLOBAL4_DEFAULTS): send updates, no overrides, never replace the client's name,
 * generated names `myhost-A-B-C-D`, no qualifying suffix, no update on renew, conflict resolution check-with-dhcid,
 * and the host name sanitiser that replaces nothing but removes every character outside letters, digits, dot and
 * hyphen. The TTL keys have no default (TTL = lease/3, at least 600 s, RFC 4702 §5).
 */
export const DDNS_DEFAULTS = {
  "ddns-send-updates": true,
  "ddns-override-no-update": false,
  "ddns-override-client-update": false,
  "ddns-replace-client-name": "never" as const,
  "ddns-generated-prefix": "myhost",
  "ddns-qualifying-suffix": "",
  "ddns-update-on-renew": false,
  "ddns-conflict-resolution-mode": "check-with-dhcid" as const,
  "hostname-char-set": "[^A-Za-z0-9.-]",
  "hostname-char-replacement": "",
} as const;

/**
 * Reservation flag defaults (the flags that replaced `reservation-mode`): global reservations are not looked up,
 * subnet reservations are, and reserved addresses may lie inside pools.
 */
export const RESERVATION_DEFAULTS = {
  "reservations-global": false,
  "reservations-in-subnet": true,
  "reservations-out-of-pool": false,
} as const;

/**
 * Kea 2.2's deprecated `reservation-mode` values as the three flags they stand for, as Kea 2.2's network parser
 * maps them: "all" = in-subnet, "out-of-pool" = in-subnet + out-of-pool, "global" = global only, "disabled" = none.
 */
export const RESERVATION_MODES = {
  all: { "reservations-global": false, "reservations-in-subnet": true, "reservations-out-of-pool": false },
  "out-of-pool": { "reservations-global": false, "reservations-in-subnet": true, "reservations-out-of-pool": true },
  global: { "reservations-global": true, "reservations-in-subnet": false, "reservations-out-of-pool": false },
  disabled: { "reservations-global": false, "reservations-in-subnet": false, "reservations-out-of-pool": false },
} as const;

/**
 * Global Dhcp6 defaults (Kea 2.2's GLOBAL6_DEFAULTS and the subnet defaults of simple_parser6.cc): lifetimes
 * 3600/7200, T1/T2 calculated by default with 0.5 and 0.8, rapid commit off, no DHCPv4-over-DHCPv6 port.
 */
export const DHCP6_DEFAULTS = {
  "preferred-lifetime": 3600,
  "valid-lifetime": 7200,
  "decline-probation-period": 86400,
  "calculate-tee-times": true,
  "t1-percent": 0.5,
  "t2-percent": 0.8,
  "rapid-commit": false,
  "store-extended-info": false,
  "dhcp4o6-port": 0,
  "host-reservation-identifiers": ["hw-address", "duid"] as ("hw-address" | "duid" | "flex-id")[],
  /** Kea copies option 65 (ERP local domain name) from relays unless told otherwise */
  "relay-supplied-options": ["65"],
  "mac-sources": ["any"],
} as const;

/** Dhcp6 lease-database defaults (Kea: kea-leases6.csv; weka's own kv type: /var/lib/weka/leases6.kv). */
export const LEASE_DATABASE6_DEFAULTS = {
  memfileName: "/var/lib/kea/kea-leases6.csv",
  kvName: "/var/lib/weka/leases6.kv",
} as const;

/** `server-id` defaults (Kea's DUIDFactory: DUID-LLT, identifier/htype/time chosen at start-up, persisted). */
export const SERVER_ID_DEFAULTS = {
  type: "LLT" as const,
  htype: 0,
  time: 0,
  "enterprise-id": 0,
  persist: true,
} as const;

/**
 * `DhcpDdns` defaults (Kea 2.2's d2_simple_parser.cc): NCRs on 127.0.0.1:53001 over UDP as JSON, 500 ms per DNS
 * attempt, DNS servers on port 53, full-length TSIG MACs (`digest-bits` 0).
 */
export const D2_DEFAULTS = {
  "ip-address": "127.0.0.1",
  port: 53001,
  "dns-server-timeout": 500,
  "ncr-protocol": "UDP" as const,
  "ncr-format": "JSON" as const,
  /** a `dns-servers[]` entry's port */
  "dns-port": 53,
  "digest-bits": 0,
} as const;

/**
 * The HA relationship's defaults (Kea 2.2's ha_config_parser.cc HA_CONFIG_DEFAULTS and ha_config.cc): timings in
 * milliseconds, lease updates and syncs on, commands restricted, client certificates required, peers fail over
 * automatically, no state paused, and multi-threading off.
 */
export const HA_DEFAULTS = {
  "heartbeat-delay": 10000,
  "max-response-delay": 60000,
  "max-ack-delay": 10000,
  "max-unacked-clients": 10,
  "max-rejected-lease-updates": 10,
  "sync-timeout": 60000,
  "sync-page-limit": 10000,
  /** 0 outside load-balancing; see HA_LOAD_BALANCING_DELAYED_UPDATES_LIMIT */
  "delayed-updates-limit": 0,
  "send-lease-updates": true,
  "sync-leases": true,
  "wait-backup-ack": false,
  "require-client-certs": true,
  "restrict-commands": true,
  /** a peer's `auto-failover` */
  "auto-failover": true,
  /** a `state-machine.states[]` entry's `pause` */
  pause: "never" as const,
  "enable-multi-threading": false,
  "http-dedicated-listener": false,
  "http-listener-threads": 0,
  "http-client-threads": 0,
} as const;

/** `delayed-updates-limit` when the relationship is in load-balancing mode and sets none. */
export const HA_LOAD_BALANCING_DELAYED_UPDATES_LIMIT = 100;

/**
 * The server-wide keys of Dhcp4 and Dhcp6 at Kea 2.2's defaults (simple_parser4.cc / simple_parser6.cc and
 * cfg_multi_threading.cc): multi-threading off with a 64-packet queue, the packet queue off (kea-ring4/6 of 64),
 * 256 parked packets, no server tag, 20 statistic samples kept by count, lease checks that warn, extended-info
 * checks that fix, reservations looked up after subnet selection, leases before reservations.
 */
export const SERVER_DEFAULTS = {
  "enable-multi-threading": false,
  "thread-pool-size": 0,
  "packet-queue-size": 64,
  "enable-queue": false,
  capacity: 64,
  "parked-packet-limit": 256,
  "server-tag": "",
  "statistic-default-sample-count": 20,
  "statistic-default-sample-age": 0,
  "lease-checks": "warn" as const,
  "extended-info-checks": "fix" as const,
  "early-global-reservations-lookup": false,
  "reservations-lookup-first": false,
} as const;

/**
 * weka's own bounds behind those keys: a receive round takes at most this many packets when no queue size is
 * configured (or a queue size of 0, Kea's "unlimited"); a parked-packet-limit of 0 (Kea: no limit) parks at most
 * this many replies; statistics kept by age keep at most this many samples each.
 */
export const WEKA_BOUNDS = {
  receiveBatch: 256,
  parkedPackets: 65536,
  statisticSamples: 10000,
  /** delegated prefixes of one pd-pool that pd-allocator flq may queue (5 bytes each) */
  flqPrefixes: 1 << 22,
} as const;
