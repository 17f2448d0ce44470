/**
 * The compiler of `libdhcp_ha.so`'s `parameters` (Kea ARM "High Availability", ha_config_parser.cc and
 * ha_config.cc of Kea 2.2): the `high-availability` list, its one relationship, the peers and their URLs, the
 * timing keys with Kea's defaults, TLS, `multi-threading` and `state-machine`. Messages use Kea 2.2's own words
 * (checked against kea-dhcp4 2.2.0 loading the hook), prefixed by weka's JSON path and file:line:col. Pure.
 */

import type { JsonPath, Problems } from "../config/errors.ts";
import { parseHaUrl } from "./url.ts";
import {
  HA_STATES,
  type HaConfig,
  type HaMode,
  type HaPause,
  type HaPeer,
  type HaRole,
  type HaState,
  type HaTls,
} from "./types.ts";

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const MODES: readonly HaMode[] = ["load-balancing", "hot-standby", "passive-backup"];
const ROLES: readonly HaRole[] = ["primary", "secondary", "standby", "backup"];
const PAUSES: readonly HaPause[] = ["never", "once", "always"];
const U16 = 65535, U32 = 4294967295;
const ANNOTATIONS = ["comment", "user-context"];
const TLS_KEYS = ["trust-anchor", "cert-file", "key-file"] as const;

/** Integer keys of a relationship: Kea 2.2's type width and default. */
const INTS: Record<string, { max: number; def: number }> = {
  "heartbeat-delay": { max: U16, def: 10000 },
  "max-response-delay": { max: U16, def: 60000 },
  "max-ack-delay": { max: U16, def: 10000 },
  "max-unacked-clients": { max: U32, def: 10 },
  "max-rejected-lease-updates": { max: U32, def: 10 },
  "sync-timeout": { max: U32, def: 60000 },
  "sync-page-limit": { max: U32, def: 10000 },
  "delayed-updates-limit": { max: U32, def: 0 },
};
const BOOLS: Record<string, boolean> = {
  "send-lease-updates": true,
  "sync-leases": true,
  "wait-backup-ack": false,
  "require-client-certs": true,
  "restrict-commands": true,
};
const RELATIONSHIP_KEYS = [
  "this-server-name",
  "mode",
  "peers",
  "multi-threading",
  "state-machine",
  ...Object.keys(INTS),
  ...Object.keys(BOOLS),
  ...TLS_KEYS,
  ...ANNOTATIONS,
];
const PEER_KEYS = ["name", "url", "role", "auto-failover", "basic-auth-user", "basic-auth-password", ...TLS_KEYS];
const MT_KEYS = ["enable-multi-threading", "http-dedicated-listener", "http-listener-threads", "http-client-threads"];

/** Reads typed values out of one JSON map, reporting Kea's messages at the key's path. */
class MapReader {
  constructor(readonly o: Obj, readonly path: JsonPath, readonly problems: Problems) {}

  /** Refuses keys outside `allowed` (Kea 2.2 ignores them; weka refuses them, as its schemas do everywhere). */
  keys(allowed: readonly string[], refused: Record<string, string> = {}): void {
    for (const k of Object.keys(this.o)) {
      if (k in refused) this.problems.add([...this.path, k], refused[k], true);
      else if (!allowed.includes(k)) this.problems.add([...this.path, k], `unknown or unsupported key '${k}'`, true);
    }
  }

  str(k: string, required: boolean): string | undefined {
    const v = this.o[k];
    if (v === undefined) {
      if (required) this.problems.add(this.path, `missing parameter '${k}'`);
      return undefined;
    }
    if (typeof v !== "string") return this.badType(k);
    return v;
  }

  bool(k: string, def: boolean): boolean {
    const v = this.o[k];
    if (v === undefined) return def;
    if (typeof v !== "boolean") return this.badType(k) ?? def;
    return v;
  }

  /** Kea's getAndValidateInteger: an integer, not negative, within the parameter's C type. */
  int(k: string, max: number, def: number): number {
    const v = this.o[k];
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isInteger(v)) return this.badType(k) ?? def;
    if (v < 0) this.problems.add([...this.path, k], `'${k}' must not be negative`);
    else if (v > max) this.problems.add([...this.path, k], `'${k}' must not be greater than ${max}`);
    return v;
  }

  private badType(k: string): undefined {
    this.problems.add([...this.path, k], `invalid type specified for parameter '${k}'`);
    return undefined;
  }
}

/** The TLS files in force for one peer: each key from the peer, else the relationship; "" means unset. */
function tlsOf(peer: Obj, rel: Obj, name: string, path: JsonPath, problems: Problems): HaTls | undefined | null {
  const pick = (k: string) => {
    const v = peer[k] ?? rel[k];
    return typeof v === "string" ? v : "";
  };
  const [trustAnchor, certFile, keyFile] = TLS_KEYS.map(pick);
  if (!trustAnchor && !certFile && !keyFile) return undefined;
  const missing = TLS_KEYS.find((k) => pick(k) === "");
  if (missing) {
    problems.add(
      path,
      `bad TLS config for server ${name}: ${missing} parameter is missing or empty: all or none of TLS parameters must be set`,
    );
    return null;
  }
  return { trustAnchor, certFile, keyFile };
}

/** One `peers[]` entry; undefined when it is unusable (its problems are recorded). */
function peer(
  raw: unknown,
  rel: Obj,
  p: JsonPath,
  seen: Set<string>,
  problems: Problems,
): HaPeer | undefined {
  if (!isMap(raw)) {
    problems.add(p, "peer configuration must be a map");
    return undefined;
  }
  const r = new MapReader(raw, p, problems);
  r.keys([...PEER_KEYS, ...ANNOTATIONS], {
    "basic-auth-user-file": "'basic-auth-user-file' is not supported by weka yet: give the user in 'basic-auth-user'",
    "basic-auth-password-file":
      "'basic-auth-password-file' is not supported by weka yet: give the password in 'basic-auth-password'",
  });
  const rawName = r.str("name", true);
  const url = r.str("url", true);
  const role = r.str("role", true);
  const autoFailover = r.bool("auto-failover", true);
  const user = r.str("basic-auth-user", false);
  const password = r.str("basic-auth-password", false) ?? "";
  if (rawName === undefined) return undefined;
  const name = rawName.trim();
  if (name === "") {
    problems.add([...p, "name"], "peer name must not be empty");
    return undefined;
  }
  if (seen.has(name)) problems.add([...p, "name"], `peer with name '${name}' already specified`);
  seen.add(name);
  let ok = url !== undefined && role !== undefined;
  if (role !== undefined && !ROLES.includes(role as HaRole)) {
    problems.add([...p, "role"], `unsupported value '${role}' for role parameter`);
    ok = false;
  }
  const tls = tlsOf(raw, rel, name, p, problems);
  if (tls === null) ok = false;
  if (url !== undefined) {
    const u = parseHaUrl(url);
    if ("error" in u) {
      problems.add([...p, "url"], `${u.error} for server ${name}`);
      ok = false;
    } else if (u.scheme === "https" && !tls) {
      problems.add(
        [...p, "url"],
        `bad url '${url}': https scheme is not supported for server ${name} where TLS is disabled`,
      );
      ok = false;
    } else if (u.scheme === "http" && tls) {
      problems.add(
        [...p, "url"],
        `bad url '${url}': http scheme is not supported for server ${name} where TLS is enabled`,
      );
      ok = false;
    }
  }
  if (user?.includes(":")) {
    problems.add([...p, "basic-auth-user"], `user '${user}' must not contain a ':' in peer '${name}'`);
    ok = false;
  }
  if (!ok) return undefined;
  const out: HaPeer = { name, url: url!, role: role as HaRole, autoFailover };
  if (user) out.basicAuth = { user, password };
  if (tls) out.tls = tls;
  return out;
}

/** `state-machine.states[]` → pause per state (Kea: unknown state, duplicate state, bad pause value refused). */
function pauses(raw: unknown, p: JsonPath, problems: Problems): Map<HaState, HaPause> {
  const out = new Map<HaState, HaPause>();
  if (raw === undefined) return out;
  if (!isMap(raw)) {
    problems.add(p, "'state-machine' parameter must be a map");
    return out;
  }
  new MapReader(raw, p, problems).keys(["states", ...ANNOTATIONS]);
  const states = raw.states;
  if (states === undefined) return out;
  if (!Array.isArray(states)) {
    problems.add([...p, "states"], "'states' parameter must be a list");
    return out;
  }
  states.forEach((s, i) => {
    const sp = [...p, "states", i];
    if (!isMap(s)) return problems.add(sp, "state configuration must be a map");
    const r = new MapReader(s, sp, problems);
    r.keys(["state", "pause", ...ANNOTATIONS]);
    const state = r.str("state", true);
    const pause = r.str("pause", false) ?? "never";
    if (state === undefined) return;
    if (!HA_STATES.includes(state as HaState)) return problems.add([...sp, "state"], `unknown state ${state}`);
    if (out.has(state as HaState)) {
      return problems.add([...sp, "state"], `duplicated configuration for the '${state}' state`);
    }
    if (!PAUSES.includes(pause as HaPause)) {
      return problems.add([...sp, "pause"], `unsupported value ${pause} of 'pause' parameter`);
    }
    out.set(state as HaState, pause as HaPause);
  });
  return out;
}

/**
 * Kea's HAConfig::validate, in its order, stopping at the first failure as Kea does: this server among the peers,
 * at most one primary/secondary/standby, the roles the mode allows and requires, wait-backup-ack.
 */
function checkRoles(c: HaConfig, p: JsonPath, peerPaths: Map<HaPeer, JsonPath>, problems: Problems): void {
  const words = {
    "load-balancing": "load balancing",
    "hot-standby": "hot standby",
    "passive-backup": "passive backup",
  };
  const w = words[c.mode];
  const byRole = (r: HaRole) => c.peers.filter((x) => x.role === r);
  const at = (peer: HaPeer) => [...peerPaths.get(peer)!, "role"];
  const checks: (() => [JsonPath, string] | undefined)[] = [
    () =>
      c.peers.some((x) => x.name === c.thisServerName) ? undefined : [
        [...p, "this-server-name"],
        `no peer configuration specified for the '${c.thisServerName}'`,
      ],
    ...(["primary", "secondary", "standby"] as const).map((r) => () => {
      const list = byRole(r);
      return list.length > 1 ? [at(list[1]), `multiple ${r} servers specified`] as [JsonPath, string] : undefined;
    }),
    ...(c.mode === "load-balancing" ? ["standby"] : c.mode === "hot-standby" ? ["secondary"] : ["secondary", "standby"])
      .map((r) => () => {
        const extra = byRole(r as HaRole)[0];
        return extra
          ? [at(extra), `${r} servers not allowed in the ${w} configuration`] as [JsonPath, string]
          : undefined;
      }),
    ...(c.mode === "load-balancing"
      ? ["secondary", "primary"]
      : c.mode === "hot-standby"
      ? ["standby", "primary"]
      : ["primary"])
      .map((r) => () =>
        byRole(r as HaRole).length
          ? undefined
          : [[...p, "peers"], `${r} server required in the ${w} configuration`] as [JsonPath, string]
      ),
    () =>
      c.mode !== "passive-backup" && c.waitBackupAck
        ? [[...p, "wait-backup-ack"], `'wait-backup-ack' must be set to false in the ${w} configuration`]
        : undefined,
  ];
  for (const check of checks) {
    const failed = check();
    if (failed) return problems.add(...failed);
  }
}

/** One `high-availability[]` entry → HaConfig, or undefined when anything in it is refused. */
function relationship(raw: unknown, p: JsonPath, problems: Problems): HaConfig | undefined {
  if (!isMap(raw)) {
    problems.add(p, "expected list of maps in the HA configuration");
    return undefined;
  }
  const before = problems.list.length;
  const r = new MapReader(raw, p, problems);
  r.keys(RELATIONSHIP_KEYS);
  const mode = r.str("mode", true);
  if (mode !== undefined && !MODES.includes(mode as HaMode)) {
    problems.add([...p, "mode"], `unsupported value '${mode}' for mode parameter`);
  }
  const name = r.str("this-server-name", true)?.trim();
  if (name === "") problems.add([...p, "this-server-name"], "'this-server-name' value must not be empty");
  for (const k of TLS_KEYS) r.str(k, false);
  const int = (k: string, def = INTS[k].def) => r.int(k, INTS[k].max, def);
  const bool = (k: string) => r.bool(k, BOOLS[k]);
  const mt = raw["multi-threading"] ?? {};
  const mtPath = [...p, "multi-threading"];
  let multiThreading;
  if (!isMap(mt)) problems.add(mtPath, "multi-threading configuration must be a map");
  else {
    const m = new MapReader(mt, mtPath, problems);
    m.keys([...MT_KEYS, ...ANNOTATIONS]);
    multiThreading = {
      enableMultiThreading: m.bool("enable-multi-threading", false),
      httpDedicatedListener: m.bool("http-dedicated-listener", false),
      httpListenerThreads: m.int("http-listener-threads", U32, 0),
      httpClientThreads: m.int("http-client-threads", U32, 0),
    };
  }
  const cfg: HaConfig = {
    thisServerName: name ?? "",
    mode: mode as HaMode,
    heartbeatDelayMs: int("heartbeat-delay"),
    maxResponseDelayMs: int("max-response-delay"),
    maxAckDelayMs: int("max-ack-delay"),
    maxUnackedClients: int("max-unacked-clients"),
    maxRejectedLeaseUpdates: int("max-rejected-lease-updates"),
    delayedUpdatesLimit: int("delayed-updates-limit", mode === "load-balancing" ? 100 : 0),
    sendLeaseUpdates: bool("send-lease-updates"),
    syncLeases: bool("sync-leases"),
    syncTimeoutMs: int("sync-timeout"),
    syncPageLimit: int("sync-page-limit"),
    waitBackupAck: bool("wait-backup-ack"),
    requireClientCerts: bool("require-client-certs"),
    restrictCommands: bool("restrict-commands"),
    peers: [],
    pauses: pauses(raw["state-machine"], [...p, "state-machine"], problems),
  };
  if (multiThreading) cfg.multiThreading = multiThreading;
  const peers = raw.peers;
  const peerPaths = new Map<HaPeer, JsonPath>();
  if (peers === undefined) problems.add(p, "'peers' parameter missing in HA configuration");
  else if (!Array.isArray(peers)) problems.add([...p, "peers"], "'peers' parameter must be a list");
  else {
    const seen = new Set<string>();
    peers.forEach((x, i) => {
      const pp = [...p, "peers", i];
      const one = peer(x, raw, pp, seen, problems);
      if (one) {
        cfg.peers.push(one);
        peerPaths.set(one, pp);
      }
    });
  }
  if (problems.list.length !== before) return undefined;
  checkRoles(cfg, p, peerPaths, problems);
  return problems.list.length === before ? cfg : undefined;
}

/**
 * Compiles `hooks-libraries[i].parameters` of libdhcp_ha.so (Kea 2.2's HAConfigParser and HAConfig::validate):
 * `high-availability` must be a list of exactly one relationship (Kea 2.2 supports one; the hub-and-spoke lists
 * of later Kea are refused as not supported by weka yet); mode and this-server-name are required and the name
 * must be a peer's; peers have unique names, an http(s) URL whose host is an IP literal, a valid role, and the
 * roles the mode needs (load-balancing: one primary + one secondary; hot-standby: one primary + one standby;
 * passive-backup: one primary, backups only); every timing key gets Kea's default. `basic-auth-*-file` keys are
 * refused (the compiler reads no files). Every problem goes to `problems` at its JSON path; undefined on any.
 */
export function compileHaParameters(params: unknown, path: JsonPath, problems: Problems): HaConfig | undefined {
  if (!isMap(params)) {
    problems.add(path, "the parameters of libdhcp_ha.so must be a map holding 'high-availability'");
    return undefined;
  }
  new MapReader(params, path, problems).keys(["high-availability", ...ANNOTATIONS]);
  const list = params["high-availability"];
  const lp = [...path, "high-availability"];
  if (list === undefined) {
    problems.add(path, "missing parameter 'high-availability' (HA configuration must not be null)");
    return undefined;
  }
  if (!Array.isArray(list)) {
    problems.add(lp, "HA configuration must be a list");
    return undefined;
  }
  if (list.length === 0) {
    problems.add(
      lp,
      "invalid number of configurations in the HA configuration list. Expected exactly one configuration",
    );
    return undefined;
  }
  if (list.length > 1) {
    problems.add(
      [...lp, 1],
      `${list.length} HA relationships (hub-and-spoke) are not supported by weka yet: configure exactly one relationship`,
    );
  }
  const cfg = relationship(list[0], [...lp, 0], problems);
  return list.length === 1 ? cfg : undefined;
}
