/**
 * A DHCP server's DDNS edge (Kea's D2ClientMgr), for both families: when `dhcp-ddns.enable-updates` is true it owns
 * the bounded NCR queue and its sink, a UDP sender towards `server-ip:server-port` from `sender-ip:sender-port`, or,
 * inside `weka run`, an in-process D2. The server hands it the NCRs of each durable outcome; the reclaimer hands
 * it the leases it expired, which become removes (the family's {@link DdnsFamily} makes them: DHCPv4's by default,
 * DHCPv6's from mod/dhcp6/ddns6.ts).
 */
import type { Dhcp4Config, DhcpDdnsSpec } from "../config/model.ts";
import type { Lease4 } from "../lease/types.ts";
import { DBG, type Log } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import type { NameChangeRequest } from "../ddns/ncr/ncr.ts";
import { openNcrSender } from "../ddns/ncr/udp.ts";
import { NCR_QUEUE_STATS, NcrQueue, type NcrSink } from "../ddns/ncr/queue.ts";
import { leaseNameProblem, removeNcrs } from "./engine/ddns_ncr.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** A running DDNS sender of configuration type `C` and lease type `L`. */
export interface DdnsSender<C = Dhcp4Config, L = Lease4> {
  readonly queue: NcrQueue;
  /** queue the NCRs of a committed outcome (the server's `onNcrs`) */
  submit(ncrs: readonly NameChangeRequest[]): void;
  /** queue removes for reclaimed leases (the reclaimer's `onEvents`) */
  reclaimed(events: readonly { kind: string; lease: L; removed?: boolean }[]): void;
  /** use a reloaded configuration for the DDNS parameters of later removes */
  setConfig(config: C): void;
  /** waits up to `graceMs` for the queue to drain, then closes the socket */
  close(graceMs?: number): Promise<void>;
}

/** What differs between the families: log ids, the removes of a reclaimed lease, and how a lease is named. */
export interface DdnsFamily<C, L> {
  /** "DHCP4" or "DHCP6": the prefix of the log ids */
  prefix: "DHCP4" | "DHCP6";
  /** the remove NCRs of a reclaimed lease (none when it had no DNS records) */
  removes(config: C, lease: L): NameChangeRequest[];
  /** why the lease's stored name cannot be an NCR's FQDN, or undefined */
  problem(lease: L): string | undefined;
  /** the lease's address as text, for log lines */
  address(lease: L): string;
}

/** DHCPv4's family: kea-dhcp4's removes (engine/ddns_ncr.ts). */
export const DDNS_FAMILY4: DdnsFamily<Dhcp4Config, Lease4> = {
  prefix: "DHCP4",
  removes: removeNcrs,
  problem: leaseNameProblem,
  address: (l) => formatIpv4(l.address),
};

/** Where NCRs go instead of UDP (an in-process D2), and the services the sender reports to. */
export interface DdnsSenderDeps {
  stats: Stats;
  log: Log;
  /** in-process sink (weka run with a DhcpDdns map); default: UDP to dhcp-ddns.server-ip:server-port */
  sink?: NcrSink;
  /** a label for the log line, e.g. "in-process D2" */
  sinkName?: string;
}

/**
 * Starts the DDNS sender for a configuration, or returns undefined when `dhcp-ddns.enable-updates` is false
 * (Kea sends nothing then). Queue statistics (`ncr-sent`, `ncr-queue-full`, `ncr-send-error`) start at 0.
 */
export function startDdnsSender<C extends { dhcpDdns?: DhcpDdnsSpec } = Dhcp4Config, L = Lease4>(
  config: C,
  deps: DdnsSenderDeps,
  family: DdnsFamily<C, L> = DDNS_FAMILY4 as unknown as DdnsFamily<C, L>,
): DdnsSender<C, L> | undefined {
  const dd = config.dhcpDdns;
  const id = family.prefix;
  if (!dd?.enableUpdates) return undefined;
  const { stats, log } = deps;
  const udp = deps.sink ? undefined : openNcrSender(dd.serverIp, dd.serverPort, dd.senderIp, dd.senderPort);
  const sink: NcrSink = deps.sink ?? ((n) => udp!.send(n));
  for (const s of NCR_QUEUE_STATS) stats.add(s, 0);
  const queue = new NcrQueue({
    sink,
    maxSize: dd.maxQueueSize,
    stat: (name, delta) => stats.add(name, delta),
    log: (level, id, text) => {
      if (level === "info") {
        if (log.debugEnabled) log.debug(id, text, DBG.TRACE_DETAIL);
      } else log[level](id, text);
    },
  });
  let current = config;
  log.info(
    `${id}_DDNS_SENDER_STARTED`,
    `DDNS updates enabled: NameChangeRequests go to ${
      deps.sink ? deps.sinkName ?? "an in-process D2" : `${dd.serverIp}:${dd.serverPort} (UDP, JSON)`
    }, queue of at most ${dd.maxQueueSize}`,
  );
  return {
    queue,
    submit: (ncrs) => void queue.enqueue(ncrs),
    reclaimed(events) {
      const ncrs: NameChangeRequest[] = [];
      for (const e of events) {
        if (e.kind !== "expired") continue;
        try {
          const bad = family.problem(e.lease); // the removes skip such a lease quietly: say why here
          if (bad) throw new Error(bad);
          ncrs.push(...family.removes(current, e.lease));
        } catch (err) {
          // a stored name DNS cannot carry (imported, or from a partner): Kea's DHCP4_NCR_CREATION_FAILED, and
          // the other leases of the cycle still get their removes
          const why = JSON.stringify(String((err as Error).message ?? err).slice(0, 160));
          log.error(
            `${id}_NCR_CREATION_FAILED`,
            `no DNS remove for reclaimed lease ${family.address(e.lease)}: ${why}`,
          );
        }
      }
      if (ncrs.length) queue.enqueue(ncrs);
    },
    setConfig(next) {
      const a = current.dhcpDdns, b = next.dhcpDdns;
      if (b && (!b.enableUpdates || a?.serverIp !== b.serverIp || a?.serverPort !== b.serverPort)) {
        log.warn(`${id}_DDNS_RECONFIGURE`, "dhcp-ddns connectivity changes take effect after a restart of weka");
      }
      current = next;
    },
    async close(graceMs = 1000) {
      const left = await queue.close(graceMs);
      if (left) log.warn(`${id}_DDNS_QUEUE_DISCARDED`, `${left} NameChangeRequest(s) not sent at shutdown`);
      udp?.close();
    },
  };
}
