/**
 * Kea's class keys beyond `test` in the DHCPv4 engine, over configs compiled by the real loader: a reservation's
 * `client-classes` (the host joins them before the KNOWN-dependent classes, and their options apply), additional
 * classes (`require-client-classes` / `evaluate-additional-classes` on pool, subnet and shared network, evaluated
 * once the address is chosen, pool → subnet → network, a class without a test joining outright), template classes
 * (`template-test` spawning `SPAWN_<name>_<value>`, usable as a pool guard), and a class's own `option-def`
 * (Kea's vendor-specific.json: option 43 encapsulating the class's sub-options).
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { formatIpv4 } from "../../../mod/wire/addr.ts";
import { ctxOf, MsgType, o, Opt, query, world } from "./builders.ts";

const HOST = "aa:bb:cc:00:00:03";
const OTHER = "aa:bb:cc:00:00:04";
const ip4 = (b: Uint8Array) => ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
const vendor = (s: string) => o.text(Opt.VENDOR_CLASS_ID, s);
const PRL = o.prl(Opt.ROUTERS, Opt.DNS_SERVERS, Opt.DOMAIN_NAME, 42, 43, 66, 67);

function load(dhcp4: Record<string, unknown>) {
  return world({ config: parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "c.json", () => "").dhcp4! });
}

function reply(out: Outcome) {
  assert.equal(out.kind, "reply", out.kind === "drop" ? out.log.map((l) => l.text).join("; ") : "");
  assert(out.kind === "reply");
  const opt = (c: number) => out.reply.options.get(c);
  return {
    yiaddr: formatIpv4(out.reply.yiaddr),
    opt,
    addr: (c: number) => (opt(c) ? formatIpv4(ip4(opt(c)!)) : undefined),
    text: (c: number) => (opt(c) ? new TextDecoder().decode(opt(c)) : undefined),
  };
}

Deno.test("host classes: a reservation's client-classes give their options and open pools guarded by them", () => {
  const w = load({
    "client-classes": [
      { name: "voip", "option-data": [{ name: "tftp-server-name", data: "voip.example" }] },
      // KNOWN-dependent: evaluated after the host's classes were added
      { name: "voip-known", test: "member('voip') and member('KNOWN')", "boot-file-name": "voip.cfg" },
    ],
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      pools: [{ pool: "192.0.2.10 - 192.0.2.19", "client-classes": ["voip"] }, { pool: "192.0.2.100 - 192.0.2.110" }],
      reservations: [{ "hw-address": HOST, "client-classes": ["voip"] }],
    }],
  });
  const host = reply(handle4(query(MsgType.DISCOVER, { mac: HOST, options: [PRL] }), ctxOf(w)));
  assert.equal(host.yiaddr, "192.0.2.10", "the voip pool is open to the host");
  assert.equal(host.text(66), "voip.example");
  const other = reply(handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [PRL] }), ctxOf(w)));
  assert.equal(other.yiaddr, "192.0.2.100");
  assert.equal(other.opt(66), undefined);
});

Deno.test("host classes: the KNOWN-dependent class sees the host's classes (its boot file is sent)", () => {
  const w = load({
    "client-classes": [
      { name: "voip" },
      { name: "voip-known", test: "member('voip') and member('KNOWN')", "boot-file-name": "voip.cfg" },
    ],
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      pools: [{ pool: "192.0.2.100 - 192.0.2.110" }],
      reservations: [{ "hw-address": HOST, "client-classes": ["voip"] }],
    }],
  });
  const out = handle4(query(MsgType.DISCOVER, { mac: HOST }), ctxOf(w));
  assert(out.kind === "reply");
  assert.equal(out.reply.file, "voip.cfg");
});

const ADDITIONAL = {
  "client-classes": [
    // evaluated only when a scope lists it; the test must hold
    {
      name: "lab",
      test: "substring(option[60].hex,0,3) == 'lab'",
      "only-if-required": true,
      "option-data": [{ name: "domain-name", data: "lab.example" }],
    },
    // no test: joins outright when listed (Kea ≥ 2.6)
    {
      name: "net-wide",
      "only-in-additional-list": true,
      "option-data": [{ name: "tftp-server-name", data: "net.example" }],
    },
    {
      name: "pool-only",
      "only-in-additional-list": true,
      "option-data": [{ name: "boot-file-name", data: "pool.bin" }],
    },
    // listed by the subnet, but its test does not hold for anyone
    {
      name: "never",
      test: "option[60].hex == 'nobody'",
      "only-if-required": true,
      "option-data": [{ name: "domain-name", data: "never.example" }],
    },
  ],
  "shared-networks": [{
    name: "net",
    "evaluate-additional-classes": ["net-wide"],
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      "require-client-classes": ["lab", "never"],
      pools: [
        { pool: "192.0.2.10 - 192.0.2.10", "evaluate-additional-classes": ["pool-only"] },
        { pool: "192.0.2.20 - 192.0.2.30" },
      ],
    }],
  }],
};

Deno.test("additional classes: pool, subnet and network lists are evaluated once the address is chosen", () => {
  const w = load(ADDITIONAL);
  const first = reply(handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [PRL, vendor("lab-1")] }), ctxOf(w)));
  assert.equal(first.yiaddr, "192.0.2.10");
  assert.equal(first.text(Opt.DOMAIN_NAME), "lab.example", "the subnet's required class whose test holds");
  assert.equal(first.text(66), "net.example", "the network's class without a test joins outright");
  assert.equal(first.text(67), "pool.bin", "the pool of the chosen address names pool-only");
});

Deno.test("additional classes: a class listed nowhere, or whose test fails, gives nothing", () => {
  const w = load(ADDITIONAL);
  const out = reply(handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [PRL, vendor("office")] }), ctxOf(w)));
  assert.equal(out.text(Opt.DOMAIN_NAME), undefined, "'lab' does not hold and 'never' never does");
  assert.equal(out.text(66), "net.example");
  // an additional-only class is not evaluated in the first pass: it cannot guard a subnet by itself
  const guarded = load({
    ...ADDITIONAL,
    "shared-networks": undefined,
    subnet4: [{ id: 1, subnet: "192.0.2.0/24", "client-class": "lab", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] }],
  });
  const none = handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [vendor("lab-1")] }), ctxOf(guarded));
  assert.equal(none.kind, "drop");
});

Deno.test("template classes: template-test spawns SPAWN_<name>_<value>, which a pool guard can name", () => {
  const w = load({
    "client-classes": [{ name: "vc", "template-test": "substring(option[60].hex,0,3)" }],
    subnet4: [{
      id: 1,
      subnet: "192.0.2.0/24",
      pools: [
        { pool: "192.0.2.10 - 192.0.2.19", "client-classes": ["SPAWN_vc_abc"] },
        { pool: "192.0.2.20 - 192.0.2.29", "client-classes": ["vc"] },
        { pool: "192.0.2.100 - 192.0.2.110" },
      ],
    }],
  });
  const abc = reply(handle4(query(MsgType.DISCOVER, { mac: HOST, options: [vendor("abcdef")] }), ctxOf(w)));
  assert.equal(abc.yiaddr, "192.0.2.10");
  const xyz = reply(handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [vendor("xyz")] }), ctxOf(w)));
  assert.equal(xyz.yiaddr, "192.0.2.20", "in the template class, not in SPAWN_vc_abc");
  const none = reply(handle4(query(MsgType.DISCOVER, { mac: "aa:bb:cc:00:00:09" }), ctxOf(w)));
  assert.equal(none.yiaddr, "192.0.2.100", "an empty value spawns nothing and joins nothing");
});

Deno.test("class option-def: option 43 encapsulates the class's sub-options (Kea's vendor-specific.json)", () => {
  const w = load({
    "option-def": [
      { name: "vlanid", code: 2, space: "339", type: "uint32" },
      { name: "dls", code: 3, space: "339", type: "string" },
    ],
    "client-classes": [{
      name: "VENDOR_CLASS_339",
      "option-def": [{ name: "vendor-encapsulated-options", code: 43, type: "empty", encapsulate: "339" }],
      "option-data": [
        { name: "vendor-encapsulated-options" },
        { name: "vlanid", space: "339", data: "123", "always-send": true },
        { name: "dls", space: "339", data: "sdlp://192.0.2.11:18443", "always-send": true },
      ],
    }],
    subnet4: [{ id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.50 - 192.0.2.50" }] }],
  });
  const out = reply(handle4(query(MsgType.DISCOVER, { mac: HOST, options: [PRL, vendor("339")] }), ctxOf(w)));
  const dls = new TextEncoder().encode("sdlp://192.0.2.11:18443");
  // sub-option 2 (uint32 123) then sub-option 3 (the string)
  assert.deepEqual([...out.opt(43)!], [2, 4, 0, 0, 0, 123, 3, dls.length, ...dls]);
  const other = reply(handle4(query(MsgType.DISCOVER, { mac: OTHER, options: [PRL] }), ctxOf(w)));
  assert.equal(other.opt(43), undefined);
});

Deno.test("early-global-reservations-lookup: a global host's classes can select a guarded subnet", () => {
  const doc = (early: boolean) => ({
    "early-global-reservations-lookup": early,
    "reservations-global": true,
    "client-classes": [{ name: "vip" }],
    reservations: [{ "hw-address": HOST, "client-classes": ["vip"] }],
    subnet4: [
      { id: 1, subnet: "192.0.2.0/24", "client-class": "vip", pools: [{ pool: "192.0.2.10 - 192.0.2.19" }] },
      { id: 2, subnet: "198.51.100.0/24", pools: [{ pool: "198.51.100.10 - 198.51.100.19" }] },
    ],
  });
  const relayed = (w: ReturnType<typeof load>) =>
    handle4(query(MsgType.DISCOVER, { mac: HOST, giaddr: "192.0.2.1" }), ctxOf(w));
  assert.equal(reply(relayed(load(doc(true)))).yiaddr, "192.0.2.10", "the vip subnet is selected");
  assert.equal(relayed(load(doc(false))).kind, "drop", "without the early lookup the guard is not met");
});
