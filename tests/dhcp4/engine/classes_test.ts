/**
 * Client classes in the engine, over a config compiled by the real loader: pool guards in allocation and in
 * accepting a requested address, subnet guards in selection, class option-data in Kea's precedence (reservation >
 * pool > subnet > class > global), class boot fields and lifetimes, KNOWN/UNKNOWN after the host lookup, and the
 * DROP class.
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { formatIpv4 } from "../../../mod/wire/addr.ts";
import { ctxOf, MsgType, o, Opt, query, world } from "./builders.ts";

const PHONE_MAC = "aa:bb:cc:00:00:01";
const OTHER_MAC = "aa:bb:cc:00:00:02";
const HOST_MAC = "aa:bb:cc:00:00:03";

const CONFIG = {
  Dhcp4: {
    "option-data": [
      { name: "domain-name-servers", data: "9.9.9.9" },
      { name: "domain-name", data: "global.example" },
      { name: "ntp-servers", data: "9.9.9.123" },
    ],
    "client-classes": [
      {
        name: "phones",
        test: "substring(option[60].hex,0,4) == 'SIP/'",
        "option-data": [
          { name: "domain-name-servers", data: "10.1.1.1" },
          { name: "routers", data: "10.1.1.254" },
          { name: "ntp-servers", data: "10.1.1.123" },
        ],
        "next-server": "10.1.1.69",
        "boot-file-name": "phone.cfg",
        "valid-lifetime": 600,
      },
      { name: "DROP", test: "option[60].hex == 'evil' or (member('UNKNOWN') and option[60].hex == 'stranger')" },
    ],
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      "option-data": [{ name: "routers", data: "192.0.2.1" }],
      pools: [
        {
          pool: "192.0.2.10 - 192.0.2.11",
          "client-class": "phones",
          "option-data": [{ name: "ntp-servers", data: "192.0.2.123" }],
        },
        { pool: "192.0.2.20 - 192.0.2.21", "client-class": "KNOWN" },
        { pool: "192.0.2.100 - 192.0.2.101" },
      ],
      reservations: [{ "hw-address": HOST_MAC, hostname: "known-host" }],
    }, {
      id: 2,
      subnet: "198.51.100.0/24",
      "client-class": "phones",
      pools: [{ pool: "198.51.100.10 - 198.51.100.20" }],
    }],
  },
};

function setup() {
  const loaded = parseConfigText(JSON.stringify(CONFIG), "classes.json", () => "");
  return world({ config: loaded.dhcp4! });
}

const vendor = (s: string) => o.text(Opt.VENDOR_CLASS_ID, s);
const PRL = o.prl(Opt.ROUTERS, Opt.DNS_SERVERS, Opt.DOMAIN_NAME, 42);

function offer(out: Outcome) {
  assert.equal(out.kind, "reply", out.kind === "drop" ? out.log.map((l) => l.text).join("; ") : "");
  assert(out.kind === "reply");
  const opt = (c: number) => out.reply.options.get(c);
  const addr = (c: number) => (opt(c) ? formatIpv4(ip4(opt(c)!)) : undefined);
  return { out, yiaddr: formatIpv4(out.reply.yiaddr), opt, addr };
}
const ip4 = (b: Uint8Array) => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;

Deno.test("classes: a phone gets the guarded pool with class options under pool and subnet ones", () => {
  const w = setup();
  const r = offer(
    handle4(query(MsgType.DISCOVER, { mac: PHONE_MAC, options: [vendor("SIP/2.0 phone"), PRL] }), ctxOf(w)),
  );
  assert.equal(r.yiaddr, "192.0.2.10");
  assert.equal(r.addr(Opt.ROUTERS), "192.0.2.1", "subnet beats class");
  assert.equal(r.addr(Opt.DNS_SERVERS), "10.1.1.1", "class beats global");
  assert.equal(r.addr(42), "192.0.2.123", "pool beats class");
  assert.equal(new TextDecoder().decode(r.opt(Opt.DOMAIN_NAME)), "global.example", "global when no one else sets it");
  assert.equal(ip4(r.opt(Opt.LEASE_TIME)!), 600, "class valid-lifetime");
  assert.equal(formatIpv4(r.out.reply.siaddr), "10.1.1.69");
  assert.equal(r.out.reply.file, "phone.cfg");
});

Deno.test("classes: a client outside the pool's class skips that pool, even when it asks for an address in it", () => {
  const w = setup();
  const plain = offer(handle4(query(MsgType.DISCOVER, { mac: OTHER_MAC, options: [PRL] }), ctxOf(w)));
  assert.equal(plain.yiaddr, "192.0.2.100");
  assert.equal(plain.addr(Opt.DNS_SERVERS), "9.9.9.9");
  assert.equal(ip4(plain.opt(Opt.LEASE_TIME)!), 7200);
  assert.equal(plain.out.reply.siaddr, 0);
  const hinted = offer(handle4(
    query(MsgType.DISCOVER, { mac: OTHER_MAC, options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.10")] }),
    ctxOf(w),
  ));
  assert.equal(hinted.yiaddr, "192.0.2.100");
  const req = handle4(
    query(MsgType.REQUEST, {
      mac: OTHER_MAC,
      options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.10"), o.addr(Opt.SERVER_ID, "192.0.2.1")],
    }),
    ctxOf(w),
  );
  assert(req.kind === "reply");
  assert.equal(req.reply.options.get(Opt.MESSAGE_TYPE)![0], MsgType.NAK);
});

Deno.test("classes: a reserved client is KNOWN and may use the KNOWN pool; unknown clients may not", () => {
  const w = setup();
  assert.equal(offer(handle4(query(MsgType.DISCOVER, { mac: HOST_MAC }), ctxOf(w))).yiaddr, "192.0.2.20");
  assert.equal(offer(handle4(query(MsgType.DISCOVER, { mac: OTHER_MAC }), ctxOf(w))).yiaddr, "192.0.2.100");
});

Deno.test("classes: DROP drops before and after the host lookup", () => {
  const w = setup();
  const evil = handle4(query(MsgType.DISCOVER, { options: [vendor("evil")] }), ctxOf(w));
  assert.equal(evil.kind, "drop");
  assert(evil.kind === "drop");
  assert.ok(evil.stats.some(([n]) => n === "pkt4-receive-drop"));
  assert.ok(evil.log.some((l) => /DROP class/.test(l.text)));
  const stranger = handle4(query(MsgType.DISCOVER, { mac: OTHER_MAC, options: [vendor("stranger")] }), ctxOf(w));
  assert.equal(stranger.kind, "drop");
  // a known client with the same vendor class is not dropped
  assert.equal(
    handle4(query(MsgType.DISCOVER, { mac: HOST_MAC, options: [vendor("stranger")] }), ctxOf(w)).kind,
    "reply",
  );
});

Deno.test("classes: a subnet guarded by a class is selected only for its members", () => {
  const w = setup();
  const relayed = (opts: [number, Uint8Array][]) =>
    handle4(query(MsgType.DISCOVER, { mac: OTHER_MAC, giaddr: "198.51.100.1", options: opts }), ctxOf(w));
  const out = relayed([]);
  assert.equal(out.kind, "drop");
  assert(out.kind === "drop");
  assert.ok(out.log.some((l) => l.id === "DHCP4_SUBNET_SELECTION_FAILED"));
  assert.equal(offer(relayed([vendor("SIP/x")])).yiaddr, "198.51.100.10");
});
