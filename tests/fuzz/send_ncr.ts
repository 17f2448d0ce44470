/**
 * `deno run -A tests/fuzz/send_ncr.ts SERVER PORT FQDN IP`: sends one valid NameChangeRequest (an add, both
 * directions, Kea 2.2's JSON and framing) to D2 at SERVER:PORT from inside a lab host — the "a real request is
 * still served" check after a fuzz run. Prints `sent`.
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { encodeNcr } from "../../mod/ddns/ncr/ncr.ts";
import { computeDhcid } from "../../mod/ddns/dns/dhcid.ts";

const [server, port, fqdn, ip] = Deno.args;
const bytes = encodeNcr({
  changeType: "add",
  forwardChange: true,
  reverseChange: true,
  fqdn,
  ipAddress: ip,
  dhcid: computeDhcid(1, new TextEncoder().encode(fqdn), fqdn),
  leaseExpiresOn: "20301127180000",
  leaseLength: 600,
  conflictResolutionMode: "check-with-dhcid",
});
const sock = dgram.createSocket("udp4");
await new Promise<void>((r, j) => sock.send(Buffer.from(bytes), Number(port), server, (e) => (e ? j(e) : r())));
sock.close();
console.log("sent");
