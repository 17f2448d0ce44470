/**
 * `weka run` with DhcpDdns: the DHCP roles hand their NameChangeRequests straight to the D2 running in the same
 * process (Kea's kea-dhcp4 sends them over UDP to kea-dhcp-ddns). Apart from the roles so that one role does not
 * load another to reach it (issue 16 item 5).
 */
import type { D2Daemon } from "../ddns/d2/daemon.ts";

/** NCRs handed straight to a D2 running in this process (`weka run`); a refusal (D2's queue full) is an error. */
export function inProcessSink(d2: D2Daemon) {
  return (ncr: Parameters<D2Daemon["service"]["submit"]>[0]) => {
    if (!d2.service.submit(ncr)) throw new Error("the in-process D2 refused the request (its queue is full)");
  };
}
