/**
 * libdhcp_flex_option.so in the DHCPv6 engine (mod/dhcp6/engine/flex_option6.ts, Kea's `pkt6_send` callout): on
 * every response (ADVERTISE, REPLY), `add` only when the option is absent and the value not empty, `supersede`
 * replacing it, `remove` when the test is true, each under its `client-class`; expressions read the DHCPv6 query
 * and its relay layers; sub-options use two-byte codes and lengths; the relay layers are left alone.
 */
import assert from "node:assert/strict";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import { basic, Bed, iaNa, iaPd, msg, oro, relay, replyOf, sid, T, text6 } from "./helpers.ts";

const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_flex_option.so";
const flex = (options: unknown[], extra: Record<string, unknown> = {}) =>
  basic({ "hooks-libraries": [{ library: HOOK, parameters: { options } }], ...extra });
const ascii = (d: Uint8Array | undefined) => d && new TextDecoder().decode(d);

Deno.test("flex_option (DHCPv6): add, supersede and remove on ADVERTISE and REPLY, as Kea's pkt6_send", () => {
  const bed = new Bed(flex([
    { name: "bootfile-url", add: "'tftp://[2001:db8::1]/boot'" },
    { name: "dns-servers", add: "'never'" }, // the response has dns-servers (asked for): left alone
    { code: 31, "csv-format": true, supersede: "'2001:db8::123'" }, // sntp-servers: added by supersede
    { code: 65000, add: "ifelse(option[1].exists, '', 'x')" }, // empty value: nothing added
    { name: "dns-servers", remove: "pkt6.msgtype == 0x00000001" }, // SOLICIT only: removed from ADVERTISE
  ]));
  const adv = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1)], [oro(23)]))).m;
  assert.equal(adv.msgType, T.ADVERTISE);
  assert.equal(ascii(getOption6(adv.options, 59)), "tftp://[2001:db8::1]/boot");
  assert.equal(text6(getOption6(adv.options, 31)!), "2001:db8::123");
  assert.equal(getOption6(adv.options, 65000), undefined, "an empty value adds nothing");
  assert.equal(getOption6(adv.options, 23), undefined, "removed: the query is a SOLICIT");
  const rep = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid(), oro(23)]))).m;
  assert.equal(rep.msgType, T.REPLY);
  assert.equal(ascii(getOption6(rep.options, 59)), "tftp://[2001:db8::1]/boot");
  assert.equal(text6(getOption6(rep.options, 23)!), "2001:db8::53", "kept: add never replaces, remove is false");
  assert.equal(rep.ias[0]?.addresses.length, 1, "the lease itself is untouched");
  const info = replyOf(bed.run(msg(T.INFORMATION_REQUEST, [], [oro(23)]))).m;
  assert.equal(ascii(getOption6(info.options, 59)), "tftp://[2001:db8::1]/boot", "every REPLY, not only leases");
});

Deno.test("flex_option (DHCPv6): client-class guards and relay6 expressions; the relay layers are left alone", () => {
  const bed = new Bed(flex([
    { code: 65001, add: "relay6[0].peeraddr", "client-class": "relayed" },
    { code: 65002, add: "'only-lab'", "client-class": "lab" },
    { code: 65003, supersede: "hexstring(option[1].hex, ':')" },
  ], { "client-classes": [{ name: "relayed", test: "relay6[0].peeraddr == fe80::1" }, { name: "lab" }] }));
  const q = relay(msg(T.SOLICIT, [iaNa(1)]), "2001:db8:1::1", "fe80::1", [{ code: 18, data: Uint8Array.of(7) }]);
  const out = replyOf(bed.run(q));
  assert.equal(text6(getOption6(out.m.options, 65001)!), "fe80::1");
  assert.equal(getOption6(out.m.options, 65002), undefined, "not in class lab");
  assert.equal(ascii(getOption6(out.m.options, 65003)), "00:01:00:01:2a:00:00:01:52:54:00:aa:bb:cc");
  assert.equal(out.out.reply.kind, "relay");
  if (out.out.reply.kind === "relay") {
    assert.deepEqual(out.out.reply.options.map((o) => o.code), [18], "RELAY-REPL keeps only its Interface-Id");
  }
  const direct = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1)]))).m;
  assert.equal(getOption6(direct.options, 65001), undefined, "not relayed: not in class relayed");
});

Deno.test("flex_option (DHCPv6): sub-options with 16-bit codes and lengths; IA_PD removed like any option", () => {
  const bed = new Bed(flex([
    { code: 25, remove: "option[25].exists and not option[3].exists" },
    {
      name: "lab-container",
      "sub-options": [
        { name: "greeting", add: "'hello'", "csv-format": true },
        { code: 301, add: "0x0102" },
        { code: 301, remove: "'a' == 'a'", "container-remove": true },
      ],
    },
  ], {
    "option-def": [
      { name: "lab-container", code: 65010, type: "empty", encapsulate: "lab6" },
      { name: "greeting", code: 300, type: "string", space: "lab6" },
    ],
  }));
  const pd = replyOf(bed.run(msg(T.SOLICIT, [iaPd(1)]))).m;
  assert.equal(pd.ias.length, 0, "IA_PD removed from the ADVERTISE");
  // 01 2c (code 300) 00 05 (length 5) "hello"; sub-option 301 added, then removed again
  assert.deepEqual([...getOption6(pd.options, 65010)!], [0x01, 0x2c, 0x00, 0x05, ...new TextEncoder().encode("hello")]);
  const both = replyOf(bed.run(msg(T.SOLICIT, [iaNa(2), iaPd(2)]))).m;
  assert.deepEqual(both.ias.map((ia) => ia.kind), ["na", "pd"], "the test is false: IA_PD kept");
});

Deno.test("flex_option (DHCPv6): a failing expression stops the entries and is logged as FLEX_OPTION_PROCESS_ERROR", () => {
  const bed = new Bed(flex([
    { code: 65020, add: "'first'" },
    { code: 65021, add: "addrtotext(option[1].hex)" }, // a 14-byte DUID is no address: EvalError
    { code: 65022, add: "'never'" },
  ]));
  const out = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1)])));
  assert.equal(ascii(getOption6(out.m.options, 65020)), "first");
  assert.equal(getOption6(out.m.options, 65022), undefined);
  assert.ok(out.out.log.some((l) => l.id === "FLEX_OPTION_PROCESS_ERROR"), JSON.stringify(out.out.log));
});
