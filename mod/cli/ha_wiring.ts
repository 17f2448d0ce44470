/**
 * The HA wiring of `weka dhcp4` and `weka dhcp6` (Kea's libdhcp_ha.so loaded by kea-dhcp4 or kea-dhcp6; `weka run`
 * with both maps runs one relationship per family): builds the HA service of the role's `ha` for its family
 * (mod/ha/family.ts, family6.ts), registers the HA commands on the control channel, and opens the HA listener on
 * this server's own peer URL — Kea 2.2 with multi-threading runs a dedicated HTTP listener there; weka always does,
 * so the partner reaches it without a Control Agent — unless a configured http control socket already listens on
 * that address and port (it serves the same registry). With `restrict-commands` (Kea's default) the listener
 * accepts only what HA peers send: the HA commands and the family's partner commands (lease4-update/del/get-page/
 * get-all, or lease6-bulk-apply/get-page/…; dhcp-disable/enable and status-get). Both authenticate the partner the
 * same way (basic auth, mutual TLS).
 */
import type { ControlSocketSpec } from "../config/model.ts";
import { type Answer, answer, Result } from "../control/answer.ts";
import type { DhcpState } from "../control/dhcp_state.ts";
import { type BasicAuth, fixedBasicAuth } from "../control/basic_auth.ts";
import { HttpControlListener } from "../control/http_listener.ts";
import { readConfiguredFile, readTrustAnchor } from "../control/tls_files.ts";
import { type CommandRegistry, parseRequest } from "../control/registry.ts";
import { HA_COMMANDS, registerHaCommands, unregisterHaCommands } from "../ha/commands.ts";
import { HaService } from "../ha/service.ts";
import type { HaConfig } from "../config/model_ha.ts";
import { thisPeer } from "../config/model_ha.ts";
import { parseHaUrl } from "../config/ha_url.ts";
import type { Lease4, LeaseMutation } from "../lease/types.ts";
import type { Log } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import type { Packet4 } from "../packet4/packet.ts";
import { HA_FAMILY4, type HaFamily } from "../ha/family.ts";
import type { SyncStore } from "../ha/sync.ts";
export { haReloadBlocker } from "./ha_reload.ts";

/** What the HA listener accepts with `restrict-commands` for a family (what Kea's HA peers send each other). */
export function haListenerCommands(family: { partnerCommands: readonly string[] }): ReadonlySet<string> {
  return new Set([...HA_COMMANDS, ...family.partnerCommands]);
}

/** The DHCPv4 listener's commands (HA_FAMILY4). */
export const HA_LISTENER_COMMANDS: ReadonlySet<string> = haListenerCommands(HA_FAMILY4);

/** The running HA pieces of one server. */
export interface HaRuntime<Q = Packet4, L = Lease4, M = LeaseMutation> {
  service: HaService<Q, L, M>;
  /** the HA listener's URL, when weka opened one */
  listenerUrl?: string;
  /** stops the service (timers, peer clients), closes the listener, removes the HA commands */
  stop(): Promise<void>;
}

/** What the HA wiring needs from the role's wiring. */
export interface HaWiringDeps<Q = Packet4, L = Lease4, M = LeaseMutation> {
  /** the role's configuration (its control sockets decide whether the HA listener is shared) */
  config: { controlSockets: readonly ControlSocketSpec[]; tuning?: { parkedPacketLimit: number } };
  ha: HaConfig;
  store: SyncStore<M>;
  /** the server family (DHCPv4's when absent) */
  family?: HaFamily<Q, L, M>;
  stats: Stats;
  log: Log;
  dhcpState: DhcpState;
  /** the current configuration's subnet ids (leases of other subnets are skipped by the synchronisation) */
  subnetKnown: (id: number) => boolean;
}

/** Builds the HA service (not started: the server must exist first, then `openHa` and `service.start()`). */
export function buildHaService<Q, L, M>(d: HaWiringDeps<Q, L, M>): HaService<Q, L, M> {
  return new HaService<Q, L, M>({
    config: d.ha,
    store: d.store,
    ...(d.family ? { family: d.family } : {}),
    stats: d.stats,
    log: d.log,
    dhcpState: d.dhcpState,
    subnetKnown: d.subnetKnown,
    // Kea's parked-packet-limit: replies parked until the partner acknowledges their lease updates
    maxUpdatesInFlight: d.config.tuning?.parkedPacketLimit,
  });
}

/**
 * Registers the HA commands on `registry` and opens the HA listener on this server's peer URL (unless an http
 * control socket of `config` listens there already). Throws when the listener cannot be opened: a partner that
 * cannot reach this server would declare it down, so weka refuses to run half an HA pair.
 */
export async function openHa<Q, L, M>(
  service: HaService<Q, L, M>,
  d: HaWiringDeps<Q, L, M>,
  registry: CommandRegistry,
): Promise<HaRuntime<Q, L, M>> {
  registerHaCommands(registry, service);
  const allowed = haListenerCommands(d.family ?? HA_FAMILY4);
  const me = thisPeer(d.ha);
  const url = parseHaUrl(me.url);
  if ("error" in url) throw new Error(`HA peer '${me.name}': ${url.error}`);
  const port = url.port ?? (url.scheme === "https" ? 443 : 80);
  const shared = d.config.controlSockets.some((s) =>
    (s.type === "http" || s.type === "https") && (s.address ?? "127.0.0.1") === url.host && (s.port ?? 8000) === port
  );
  let listener: HttpControlListener | undefined;
  if (!shared) {
    const { tls, auth } = haListenerSecurity(d.ha, d.log);
    const restrict = d.ha.restrictCommands !== false;
    const dispatch = (text: string): Promise<Answer> => {
      if (!restrict) return registry.dispatch(text);
      let req: unknown;
      try {
        req = parseRequest(text);
      } catch {
        return registry.dispatch(text); // the registry words the syntax error
      }
      const cmd = (req as Record<string, unknown> | null)?.command;
      if (typeof cmd === "string" && !allowed.has(cmd)) {
        return Promise.resolve(answer(
          Result.UNSUPPORTED,
          `'${cmd}' command not supported on the HA listener (restrict-commands is on); use the control socket`,
        ));
      }
      return registry.dispatch(req);
    };
    try {
      listener = await HttpControlListener.open({
        hostname: url.host,
        port,
        tls,
        auth,
        name: "HA listener",
        log: (level, id, text) => {
          if (level !== "debug" || d.log.debugEnabled) d.log[level](id, text);
        },
      }, dispatch);
    } catch (e) {
      unregisterHaCommands(registry);
      throw new Error(`cannot open the HA listener on ${me.url} (this server's peer url): ${(e as Error).message}`);
    }
    d.log.info("HA_LISTENER_STARTED", `${me.name}: HA listener on ${listener.url}`);
  } else {
    d.log.info("HA_LISTENER_SHARED", `${me.name}: the http control socket on ${me.url} serves the HA commands`);
    if (me.basicAuth) {
      d.log.info(
        "HA_LISTENER_SHARED_AUTH",
        `${me.name}: the partner sends user '${me.basicAuth.user}' (this server's basic-auth-user); the control ` +
          "socket's 'authentication' must list that client, or the partner's requests are refused",
      );
    }
  }
  return {
    service,
    listenerUrl: listener?.url,
    stop: async () => {
      await service.stop();
      await listener?.close();
      unregisterHaCommands(registry);
    },
  };
}

/** The HA relationship as a comparable text (the pause table is a Map). */
/**
 * How the HA listener authenticates the partner, as Kea's HA peers do it: the partner sends this server's own
 * `basic-auth-user` / `basic-auth-password` (the peer entry naming this server — both servers share the peers
 * list, and a Kea HA client sends the credentials of the peer it talks to), and with TLS and
 * `require-client-certs` (Kea's default) it must present a certificate signed by the trust anchor (mutual TLS).
 * A listener with neither admits anyone who reaches the address: a WARN says so at start-up.
 */
export function haListenerSecurity(
  ha: HaConfig,
  log: Log,
): { tls?: { cert: string; key: string; ca?: string[] }; auth?: BasicAuth } {
  const me = thisPeer(ha);
  let tls: { cert: string; key: string; ca?: string[] } | undefined;
  if (me.url.startsWith("https:")) {
    if (!me.tls) throw new Error(`HA peer '${me.name}': an https:// url needs cert-file and key-file`);
    tls = {
      cert: readConfiguredFile(me.tls.certFile, "cert-file"),
      key: readConfiguredFile(me.tls.keyFile, "key-file"),
    };
    if (ha.requireClientCerts !== false) tls.ca = readTrustAnchor(me.tls.trustAnchor);
  }
  const auth = me.basicAuth ? fixedBasicAuth(me.basicAuth.user, me.basicAuth.password, "kea-ha") : undefined;
  if (!auth && !tls?.ca) {
    log.warn(
      "HA_LISTENER_UNAUTHENTICATED",
      `${me.name}: the HA listener on ${me.url} has no basic-auth-user and no client certificates: anyone who ` +
        "reaches it can send lease updates and disable DHCP service; set basic-auth-user/basic-auth-password on " +
        "the peers, or TLS with require-client-certs",
    );
  }
  return { tls, auth };
}

/**
 * Opens the HA listener and starts the relationship of a role; a failure stops the role with exit code 1 (a partner
 * that cannot reach this server would declare it down, so weka refuses to run half an HA pair).
 */
export async function startHa<Q, L, M>(
  role: {
    log: Log;
    onStop(fn: () => unknown): void;
    life: { exitCode: number; stopped: { resolve(v: string): void } };
  },
  service: HaService<Q, L, M>,
  deps: HaWiringDeps<Q, L, M>,
  registry: CommandRegistry,
): Promise<void> {
  try {
    const ha = await openHa(service, deps, registry);
    role.onStop(() => ha.stop());
    service.start();
  } catch (e) {
    role.log.error("HA_SERVICE_START_FAILED", (e as Error).message);
    role.life.exitCode = 1;
    role.life.stopped.resolve("HA start-up failure");
  }
}
