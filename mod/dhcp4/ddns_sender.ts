/**
 * The DHCPv4 server's DDNS edge (Kea's D2ClientMgr): when `dhcp-ddns.enable-updates` is true it owns the bounded
 * NCR queue and its sink, a UDP sender towards `server-ip:server-port` from `sender-ip:sender-port`, or, inside
 * `weka run`, an in-process D2. The server hands it the NCRs of each durable outcome; the reclaimer hands it the
 * leases it expired, which become removes.
 */
import type { Dhcp4Config } from "../config/model.ts";
import type { ReclaimEvent } from "../lease/reclaim_plan.ts";
import { DBG, type Log } from "../log/logger.ts";
import type { Stats } from "../stats/stats.ts";
import type { NameChangeRequest } from "../ddns/ncr/ncr.ts";
import { openNcrSender } from "../ddns/ncr/udp.ts";
import { NCR_QUEUE_STATS, NcrQueue, type NcrSink } from "../ddns/ncr/queue.ts";
import { leaseNameProblem, removeNcrs } from "./engine/ddns_ncr.ts";
import { formatIpv4 } from "../wire/addr.ts";

/** A running DDNS sender. */
export interface DdnsSender {
  readonly queue: NcrQueue;
  /** queue the NCRs of a committed outcome (the server's `onNcrs`) */
  submit(ncrs: readonly NameChangeRequest[]): void;
  /** queue removes for reclaimed leases (the reclaimer's `onEvents`) */
  reclaimed(events: readonly ReclaimEvent[]): void;
  /** use a reloaded configuration for the DDNS parameters of later removes */
  setConfig(config: Dhcp4Config): void;
  /** waits up to `graceMs` for the queue to drain, then closes the socket */
  close(graceMs?: number): Promise<void>;
}

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
export function startDdnsSender(config: Dhcp4Config, deps: DdnsSenderDeps): DdnsSender | undefined {
  const dd = config.dhcpDdns;
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
    "DHCP4_DDNS_SENDER_STARTED",
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
          const bad = leaseNameProblem(e.lease); // removeNcrs skips such a lease quietly: say why here
          if (bad) throw new Error(bad);
          ncrs.push(...removeNcrs(current, e.lease));
        } catch (err) {
          // a stored name DNS cannot carry (imported, or from a partner): Kea's DHCP4_NCR_CREATION_FAILED, and
          // the other leases of the cycle still get their removes
          const why = JSON.stringify(String((err as Error).message ?? err).slice(0, 160));
          log.error(
            "DHCP4_NCR_CREATION_FAILED",
            `no DNS remove for reclaimed lease ${formatIpv4(e.lease.address)}: ${why}`,
          );
        }
      }
      if (ncrs.length) queue.enqueue(ncrs);
    },
    setConfig(next) {
      const a = current.dhcpDdns, b = next.dhcpDdns;
      if (b && (!b.enableUpdates || a?.serverIp !== b.serverIp || a?.serverPort !== b.serverPort)) {
        log.warn("DHCP4_DDNS_RECONFIGURE", "dhcp-ddns connectivity changes take effect after a restart of weka");
      }
      current = next;
    },
    async close(graceMs = 1000) {
      const left = await queue.close(graceMs);
      if (left) log.warn("DHCP4_DDNS_QUEUE_DISCARDED", `${left} NameChangeRequest(s) not sent at shutdown`);
      udp?.close();
    },
  };
}
