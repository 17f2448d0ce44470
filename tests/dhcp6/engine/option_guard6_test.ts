/**
 * Kea 3's `client-classes` on option-data in the DHCPv6 engine, over configs compiled by the real loader
 * (CfgOption::allowedForClientClasses): a guarded option goes only to a client in one of its classes; one that does
 * not apply lets the outer scope's option of the same code through; several entries of one code in one scope are
 * tried in order. The classes here are Kea's built-in KNOWN / UNKNOWN (the client has a reservation, or not), and
 * a configuration with no `client-classes` of its own still classifies because an option is guarded.
 */
import assert from "node:assert/strict";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import { Bed, CLIENT_DUID, iaNa, load6, msg, oro, replyOf, sid, T, text6 } from "./helpers.ts";

const OTHER = "00:03:00:01:00:00:00:00:00:02";

const config = () =>
  load6({
    "option-data": [
      { name: "dns-servers", data: "2001:db8::53" },
      // first allowed wins: an UNKNOWN client gets ::1, a KNOWN one falls to the unguarded ::2
      { name: "sntp-servers", data: "2001:db8::1", "client-classes": ["UNKNOWN"] },
      { name: "sntp-servers", data: "2001:db8::2" },
      // an empty list guards nothing (Kea: the option applies to every client)
      { name: "information-refresh-time", data: "3600", "always-send": true, "client-classes": [] },
      // always-send counts only for the clients the guard admits
      { name: "nis-servers", data: "2001:db8::99", "always-send": true, "client-classes": ["KNOWN"] },
    ],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::1f" }],
      // the subnet's own value only for KNOWN clients; others get the global one behind it
      "option-data": [{ name: "dns-servers", data: "2001:db8:1::53", "client-classes": ["KNOWN"] }],
      reservations: [{ duid: CLIENT_DUID, "ip-addresses": ["2001:db8:1::99"] }],
    }],
  });

Deno.test("option client-classes (DHCPv6): the known client gets the subnet's guarded value, others the global", () => {
  const bed = new Bed(config());
  const ask = [sid(), oro(23, 31)];
  const known = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], ask))).m;
  const other = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], ask, OTHER))).m;
  const addr = (m: typeof known, code: number) => text6(getOption6(m.options, code)!);
  assert.equal(addr(known, 23), "2001:db8:1::53");
  assert.equal(addr(other, 23), "2001:db8::53");
  assert.equal(addr(known, 31), "2001:db8::2");
  assert.equal(addr(other, 31), "2001:db8::1");
  assert.ok(getOption6(known.options, 32), "an empty client-classes list guards nothing");
  assert.ok(getOption6(known.options, 27), "always-send for the class it names");
  assert.equal(getOption6(other.options, 27), undefined, "always-send does not reach a client outside its classes");
});
