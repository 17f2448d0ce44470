/**
 * The compiler of `libdhcp_ha.so`'s `parameters` (Kea ARM "High Availability", ha_config_parser.cc and
 * ha_config.cc of Kea 2.2): the schema (schema_ha.ts) first, then Kea's cross-field rules — unique peer names, peer
 * URLs whose scheme matches the TLS setting, TLS files all or none, state pauses, the roles each mode needs — and
 * Kea's defaults (defaults.ts) into the immutable {@link HaConfig}. Messages use Kea 2.2's own words (checked against
 * kea-dhcp4 2.2.0 loading the hook), prefixed by weka's JSON path and file:line:col. Pure.
 */
import { HA_DEFAULTS, HA_LOAD_BALANCING_DELAYED_UPDATES_LIMIT } from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import { parseHaUrl } from "./ha_url.ts";
import {
  HA_PAUSES,
  HA_STATES,
  type HaConfig,
  type HaPause,
  type HaPeer,
  type HaRole,
  type HaState,
  type HaTls,
} from "./model_ha.ts";
import {
  HA_WORDS,
  haParametersSchema,
  type PeerIn,
  type RelationshipIn,
  relationshipSchema,
  type StateMachineIn,
} from "./schema_ha.ts";
import { checkSchema } from "./schema_issues.ts";

const TLS_KEYS = ["trust-anchor", "cert-file", "key-file"] as const;

/** The TLS files in force for one peer: each key from the peer, else the relationship; "" means unset. */
function tlsOf(peer: PeerIn, rel: RelationshipIn, path: JsonPath, problems: Problems): HaTls | undefined | null {
  const pick = (k: typeof TLS_KEYS[number]) => peer[k] ?? rel[k] ?? "";
  const [trustAnchor, certFile, keyFile] = TLS_KEYS.map(pick);
  if (!trustAnchor && !certFile && !keyFile) return undefined;
  const missing = TLS_KEYS.find((k) => pick(k) === "");
  if (missing) {
    problems.add(
      path,
      `bad TLS config for server ${peer.name}: ${missing} parameter is missing or empty: all or none of TLS parameters must be set`,
    );
    return null;
  }
  return { trustAnchor, certFile, keyFile };
}

/** One schema-valid `peers[]` entry → HaPeer; undefined when Kea's rules refuse it (its problems are recorded). */
function peer(
  raw: PeerIn,
  rel: RelationshipIn,
  p: JsonPath,
  seen: Set<string>,
  problems: Problems,
): HaPeer | undefined {
  const { name, url } = raw;
  if (seen.has(name)) problems.add([...p, "name"], `peer with name '${name}' already specified`);
  seen.add(name);
  let ok = true;
  const tls = tlsOf(raw, rel, p, problems);
  if (tls === null) ok = false;
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
    // Kea's HTTP client uses TLS whenever the peer has a TLS context, whatever the scheme says (Kea's own
    // ha-load-balancing-server1-mt-with-tls.json example writes http:// with certificates)
    problems.warn(
      [...p, "url"],
      `the URL says http but TLS is configured: Kea talks TLS to server ${name} anyway, and so does weka (https)`,
    );
  }
  const user = raw["basic-auth-user"];
  if (user?.includes(":")) {
    problems.add([...p, "basic-auth-user"], `user '${user}' must not contain a ':' in peer '${name}'`);
    ok = false;
  }
  if (!ok) return undefined;
  const out: HaPeer = {
    name,
    url: tls && !("error" in u) && u.scheme === "http" ? url.replace(/^http:/i, "https:") : url,
    role: raw.role as HaRole,
    autoFailover: raw["auto-failover"] ?? HA_DEFAULTS["auto-failover"],
  };
  if (user) out.basicAuth = { user, password: raw["basic-auth-password"] ?? "" };
  if (tls) out.tls = tls;
  return out;
}

/** `state-machine.states[]` → pause per state (Kea: unknown state, duplicate state, bad pause value refused). */
function pauses(sm: StateMachineIn | undefined, p: JsonPath, problems: Problems): Map<HaState, HaPause> {
  const out = new Map<HaState, HaPause>();
  (sm?.states ?? []).forEach(({ state, pause = HA_DEFAULTS.pause }, i) => {
    const sp = [...p, "states", i];
    if (!HA_STATES.includes(state as HaState)) return problems.add([...sp, "state"], `unknown state ${state}`);
    if (out.has(state as HaState)) {
      return problems.add([...sp, "state"], `duplicated configuration for the '${state}' state`);
    }
    if (!HA_PAUSES.includes(pause as HaPause)) {
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

/** One `high-availability[]` entry → HaConfig with Kea's defaults, or undefined when anything in it is refused. */
function relationship(raw: unknown, p: JsonPath, problems: Problems): HaConfig | undefined {
  const r = checkSchema(relationshipSchema, raw, p, problems, HA_WORDS);
  if (!r) return undefined;
  const before = problems.list.length;
  const seen = new Set<string>();
  const peerPaths = new Map<HaPeer, JsonPath>();
  const peers: HaPeer[] = [];
  r.peers.forEach((x, i) => {
    const pp = [...p, "peers", i];
    if (x["require-client-certs"] !== undefined) {
      problems.warn(
        [...pp, "require-client-certs"],
        "ignored, as Kea's HA hook ignores it in a peer entry: the relationship's require-client-certs applies " +
          `(${r["require-client-certs"] ?? HA_DEFAULTS["require-client-certs"]})`,
        true,
      );
    }
    const one = peer(x, r, pp, seen, problems);
    if (one) {
      peers.push(one);
      peerPaths.set(one, pp);
    }
  });
  const D = HA_DEFAULTS;
  const mt = r["multi-threading"] ?? {};
  const cfg: HaConfig = {
    thisServerName: r["this-server-name"],
    mode: r.mode as HaConfig["mode"],
    heartbeatDelayMs: r["heartbeat-delay"] ?? D["heartbeat-delay"],
    maxResponseDelayMs: r["max-response-delay"] ?? D["max-response-delay"],
    maxAckDelayMs: r["max-ack-delay"] ?? D["max-ack-delay"],
    maxUnackedClients: r["max-unacked-clients"] ?? D["max-unacked-clients"],
    maxRejectedLeaseUpdates: r["max-rejected-lease-updates"] ?? D["max-rejected-lease-updates"],
    delayedUpdatesLimit: r["delayed-updates-limit"] ??
      (r.mode === "load-balancing" ? HA_LOAD_BALANCING_DELAYED_UPDATES_LIMIT : D["delayed-updates-limit"]),
    sendLeaseUpdates: r["send-lease-updates"] ?? D["send-lease-updates"],
    syncLeases: r["sync-leases"] ?? D["sync-leases"],
    syncTimeoutMs: r["sync-timeout"] ?? D["sync-timeout"],
    syncPageLimit: r["sync-page-limit"] ?? D["sync-page-limit"],
    waitBackupAck: r["wait-backup-ack"] ?? D["wait-backup-ack"],
    requireClientCerts: r["require-client-certs"] ?? D["require-client-certs"],
    restrictCommands: r["restrict-commands"] ?? D["restrict-commands"],
    peers,
    pauses: pauses(r["state-machine"], [...p, "state-machine"], problems),
    multiThreading: {
      enableMultiThreading: mt["enable-multi-threading"] ?? D["enable-multi-threading"],
      httpDedicatedListener: mt["http-dedicated-listener"] ?? D["http-dedicated-listener"],
      httpListenerThreads: mt["http-listener-threads"] ?? D["http-listener-threads"],
      httpClientThreads: mt["http-client-threads"] ?? D["http-client-threads"],
    },
  };
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
  const checked = checkSchema(haParametersSchema, params, path, problems, HA_WORDS);
  if (!checked) return undefined;
  const list = checked["high-availability"];
  const lp = [...path, "high-availability"];
  if (list.length > 1) {
    problems.add(
      [...lp, 1],
      `${list.length} HA relationships (hub-and-spoke) are not supported by weka yet: configure exactly one relationship`,
    );
  }
  const cfg = relationship(list[0], [...lp, 0], problems);
  return list.length === 1 ? cfg : undefined;
}
