/**
 * Wiring of the D2 role (Kea's `D2Process`): NCR receiver → update manager → DNS client, for a compiled config.
 * `weka ddns` and `weka run` start it; tests start it directly on loopback.
 */
import type { Log } from "../../log/logger.ts";
import { listenNcr, type NcrReceiver } from "../ncr/udp.ts";
import type { D2Config } from "./config.ts";
import { openDnsClient, type UpdateSender } from "./dns_client.ts";
import { NcrJournal } from "./ncr_journal.ts";
import { D2Service, type D2ServiceOptions } from "./service.ts";

/** A running D2. `stop` follows Kea's shutdown types: `now`, `normal` (running ones finish), `drain_first`. */
export interface D2Daemon {
  service: D2Service;
  receiver: NcrReceiver;
  stop(type?: "now" | "normal" | "drain_first"): Promise<void>;
}

/**
 * Starts D2: opens the journal when `journalPath` is given and queues what it still holds, binds the NCR listener
 * on the config's ip-address/port (Kea logs DHCP_DDNS_STARTED once it listens), and answers each request with
 * signed DNS UPDATEs. A bind failure rejects with the OS reason.
 */
export async function startD2(
  cfg: D2Config,
  log: Log,
  opts: D2ServiceOptions & { sender?: UpdateSender; journalPath?: string } = {},
): Promise<D2Daemon> {
  const journal = opts.journalPath
    ? await NcrJournal.open(opts.journalPath, (e) => log.error("DHCP_DDNS_JOURNAL_WRITE_FAILED", e.message))
    : undefined;
  const sender = opts.sender ?? openDnsClient(cfg.dnsServerTimeout);
  const service = new D2Service(cfg, sender, log, { ...opts, journal });
  if (journal) {
    const pending = await journal.pending();
    for (const p of pending) service.submit(p.ncr, p.seq);
    log.info("DHCP_DDNS_QUEUE_RESTORED", `${pending.length} requests restored from the journal ${opts.journalPath}`);
  }
  let receiver: NcrReceiver;
  try {
    receiver = await listenNcr(cfg.ipAddress, cfg.port, {
      onRequest: (ncr) => service.submit(ncr),
      onInvalid: (reason, from) => service.invalid(reason, from),
      onError: (id, text) => log.error(id, text),
    });
  } catch (e) {
    await service.abandon();
    await sender.close();
    await journal?.close();
    throw new Error(`cannot listen for NameChangeRequests on ${cfg.ipAddress}:${cfg.port}: ${(e as Error).message}`);
  }
  log.info(
    "DHCP_DDNS_STARTED",
    `weka ddns listening for NameChangeRequests on ${cfg.ipAddress}:${receiver.port} (UDP, JSON)`,
  );
  return {
    service,
    receiver,
    async stop(type = "now") {
      await receiver.close();
      if (type !== "now") await service.quiesce(type);
      const abandoned = service.abandon();
      await sender.close();
      await abandoned;
      await journal?.close();
      log.info("DHCP_DDNS_SHUTDOWN", "weka ddns stopped");
    },
  };
}
