/**
 * Kea 3's `client-classes` on option-data in the DHCPv4 engine, over configs compiled by the real loader
 * (Dhcpv4Srv::appendRequestedOptions with CfgOption::allowedForClientClasses): a guarded option goes only to a
 * client in one of its classes, an inner scope's guarded option that does not apply lets the outer one through, and
 * entries of one code in one scope are tried in order. The classes are a configured one (by vendor class) and
 * Kea's built-in KNOWN (a reservation matched).
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { formatIpv4 } from "../../../mod/wire/addr.ts";
import { ctxOf, MsgType, o, Opt, query, world } from "./builders.ts";

const HOST = "aa:bb:cc:00:00:03";
const OTHER = "aa:bb:cc:00:00:04";
const PRL = o.prl(Opt.ROUTERS, Opt.DNS_SERVERS, Opt.DOMAIN_NAME, 42, 66);

const w = world({
  config: parseConfigText(
    JSON.stringify({
      Dhcp4: {
        "client-classes": [{ name: "phones", test: "substring(option[60].hex,0,5) == 'phone'" }],
        "option-data": [
          { name: "domain-name-servers", data: "192.0.2.53" },
          { name: "ntp-servers", data: "192.0.2.1", "client-classes": ["phones"] },
          { name: "ntp-servers", data: "192.0.2.2" },
          { name: "tftp-server-name", data: "phones.example", "client-classes": ["phones"] },
        ],
        subnet4: [{
          id: 1,
          subnet: "192.0.2.0/24",
          pools: [{ pool: "192.0.2.100 - 192.0.2.110" }],
          "option-data": [{ name: "domain-name-servers", data: "192.0.2.153", "client-classes": ["KNOWN"] }],
          reservations: [{ "hw-address": HOST, "ip-address": "192.0.2.7" }],
        }],
      },
    }),
    "c.json",
    () => "",
  ).dhcp4!,
});

function opts(out: Outcome) {
  assert(out.kind === "reply", out.kind === "drop" ? out.log.map((l) => l.text).join("; ") : "");
  const addr = (c: number) => {
    const b = out.reply.options.get(c);
    return b && formatIpv4(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0);
  };
  return { addr, text: (c: number) => out.reply.options.get(c) && new TextDecoder().decode(out.reply.options.get(c)) };
}

Deno.test("option client-classes (DHCPv4): guarded options reach their classes; others fall through to the next", () => {
  const known = opts(handle4(query(MsgType.DISCOVER, { mac: HOST, options: [PRL] }), ctxOf(w)));
  assert.equal(known.addr(Opt.DNS_SERVERS), "192.0.2.153", "the subnet's KNOWN-only servers");
  assert.equal(known.addr(42), "192.0.2.2", "not a phone: the unguarded ntp-servers entry after the guarded one");
  assert.equal(known.text(66), undefined);
  const phone = opts(
    handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [PRL, o.text(Opt.VENDOR_CLASS_ID, "phone-x")] }), ctxOf(w)),
  );
  assert.equal(phone.addr(Opt.DNS_SERVERS), "192.0.2.53", "UNKNOWN: the global servers behind the subnet's");
  assert.equal(phone.addr(42), "192.0.2.1");
  assert.equal(phone.text(66), "phones.example");
});
