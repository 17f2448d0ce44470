/**
 * The DDNS name rules of the engine (Kea's processClientName / adjustFqdnFlags / adjustDomainName /
 * processHostnameOption / generateFqdn), table-driven: each ddns-replace-client-name mode × what the client sent
 * (option 81, option 12, nothing) × the override flags, plus sanitising, qualification and reservations.
 */
import assert from "node:assert/strict";
import { Opt } from "../../../mod/packet4/packet.ts";
import type { DdnsParams, ReplaceClientName } from "../../../mod/config/model.ts";
import { defaultDdnsParams } from "../../../mod/config/compile_ddns4.ts";
import {
  generatedName,
  qualifyName,
  readClientFqdn,
  resolveClientName,
  sanitizeName,
  serverFqdnFlags,
} from "../../../mod/dhcp4/engine/ddns_names.ts";
import { encodeClientFqdn, parseClientFqdn } from "../../../mod/options/client_fqdn.ts";
import { ip, MsgType, query } from "../engine/builders.ts";

const ADDR = ip("198.18.1.7");
const params = (over: Partial<DdnsParams> = {}): DdnsParams => ({
  ...defaultDdnsParams(),
  generatedPrefix: "prefix",
  qualifyingSuffix: "lab.test",
  ...over,
});

/** Option 81 as dhclient sends it: flags S=1 E=1, rcodes 0, partial wire name "cli1". */
const FQDN_S_PARTIAL: [number, Uint8Array] = [
  Opt.CLIENT_FQDN,
  new Uint8Array([
    0x05, // flags: S (0x01) | E (0x04)
    0x00, // RCODE1
    0x00, // RCODE2
    0x04,
    0x63,
    0x6c,
    0x69,
    0x31, // label "cli1", no root label: a partial name
  ]),
];
const HOSTNAME: [number, Uint8Array] = [Opt.HOST_NAME, new TextEncoder().encode("cli1")];

type Sent = "81" | "12" | "none";
const sentOptions: Record<Sent, [number, Uint8Array][]> = { "81": [FQDN_S_PARTIAL], "12": [HOSTNAME], none: [] };

/** Expected hostname per mode and what was sent (Kea: replace on always/when-present, supply on always/when-not-present). */
const NAME_TABLE: Record<ReplaceClientName, Record<Sent, string>> = {
  never: { "81": "cli1.lab.test.", "12": "cli1.lab.test", none: "" },
  always: {
    "81": "prefix-198-18-1-7.lab.test.",
    "12": "prefix-198-18-1-7.lab.test",
    none: "prefix-198-18-1-7.lab.test",
  },
  "when-present": { "81": "prefix-198-18-1-7.lab.test.", "12": "prefix-198-18-1-7.lab.test", none: "" },
  "when-not-present": { "81": "cli1.lab.test.", "12": "cli1.lab.test", none: "prefix-198-18-1-7.lab.test" },
};

for (const mode of Object.keys(NAME_TABLE) as ReplaceClientName[]) {
  for (const sent of ["81", "12", "none"] as Sent[]) {
    for (const [ocu, onu] of [[false, false], [true, false], [false, true], [true, true]]) {
      const want = NAME_TABLE[mode][sent];
      Deno.test(`names: replace ${mode}, client sends ${sent}, override-client ${ocu}, override-no ${onu} → "${want}"`, () => {
        const p = params({ replaceClientName: mode, overrideClientUpdate: ocu, overrideNoUpdate: onu });
        const q = query(MsgType.REQUEST, { options: sentOptions[sent] });
        const r = resolveClientName(q, ADDR, p, true, undefined);
        assert.equal(r.hostname, want);
        if (sent === "81") {
          // client S=1: the server does both directions whatever the overrides (O stays 0)
          assert.equal(r.options.length, 1);
          const f = parseClientFqdn(r.options[0][1]);
          assert.equal(r.options[0][0], Opt.CLIENT_FQDN);
          assert.deepEqual(f.flags, { s: true, o: false, e: true, n: false });
          assert.equal(f.name, want);
          assert.equal(f.partial, false, "the reply's name is always fully qualified");
          assert.deepEqual([r.fqdnFwd, r.fqdnRev], [true, true]);
        } else if (want) {
          assert.deepEqual(r.options, [[Opt.HOST_NAME, new TextEncoder().encode(want)]]);
          assert.deepEqual([r.fqdnFwd, r.fqdnRev], [true, true]);
        } else {
          assert.deepEqual(r.options, []);
          assert.deepEqual([r.fqdnFwd, r.fqdnRev], [false, false]);
        }
      });
    }
  }
}

/** Server flags for each client N/S and override combination (Kea's analyzeFqdn; RFC 4702 §3.2–3.4). */
const FLAG_TABLE: [
  clientS: boolean,
  clientN: boolean,
  ocu: boolean,
  onu: boolean,
  enabled: boolean,
  s: boolean,
  n: boolean,
][] = [
  [false, false, false, false, true, false, false], // client does A itself: server does PTR only
  [false, false, true, false, true, true, false], // override-client-update: server does both (O set)
  [true, false, false, false, true, true, false], // client asks the server to do A
  [false, true, false, false, true, false, true], // client wants no updates
  [false, true, false, true, true, true, false], // override-no-update: server updates both
  [true, false, true, true, false, false, true], // updates disabled: N=1 always
  [false, false, true, false, false, false, true],
];
for (const [cs, cn, ocu, onu, en, s, n] of FLAG_TABLE) {
  Deno.test(`names: client S=${+cs} N=${+cn}, overrides ${+ocu}/${+onu}, updates ${en ? "on" : "off"} → S=${+s} N=${+n}`, () => {
    const p = params({ overrideClientUpdate: ocu, overrideNoUpdate: onu });
    assert.deepEqual(serverFqdnFlags(cs, cn, p, en), { s, n });
    const opt: [number, Uint8Array] = [
      Opt.CLIENT_FQDN,
      encodeClientFqdn({ flags: { s: cs, o: false, e: true, n: cn }, name: "host.example.org." }),
    ];
    const r = resolveClientName(query(MsgType.REQUEST, { options: [opt] }), ADDR, p, en, undefined);
    const f = parseClientFqdn(r.options[0][1]);
    assert.deepEqual(f.flags, { s, n, o: cs !== s, e: true });
    assert.equal(f.name, "host.example.org.", "a full client name is kept as sent");
    assert.deepEqual([r.fqdnFwd, r.fqdnRev], [s, !n]);
  });
}

Deno.test("names: option 81 with N=1 and S=1 is invalid (the engine drops the packet)", () => {
  const bad: [number, Uint8Array] = [Opt.CLIENT_FQDN, new Uint8Array([0x09, 0, 0])]; // N (0x08) | S (0x01)
  assert.equal(readClientFqdn(query(MsgType.REQUEST, { options: [bad] })), "invalid");
  assert.equal(readClientFqdn(query(MsgType.REQUEST)), undefined);
});

Deno.test("names: ASCII option 81 (E=0) is answered in ASCII with the client's rcodes", () => {
  const opt: [number, Uint8Array] = [
    Opt.CLIENT_FQDN,
    new Uint8Array([0x01, 0xff, 0xff, ...new TextEncoder().encode("Laptop")]), // S, RCODE 255/255, "Laptop"
  ];
  const r = resolveClientName(query(MsgType.REQUEST, { options: [opt] }), ADDR, params(), true, undefined);
  assert.deepEqual([...r.options[0][1]], [0x01, 0xff, 0xff, ...new TextEncoder().encode("laptop.lab.test.")]);
});

Deno.test("names: a reserved host name wins over the client's and is qualified", () => {
  const p = params({ replaceClientName: "always" });
  const r12 = resolveClientName(query(MsgType.REQUEST, { options: [HOSTNAME] }), ADDR, p, true, "Printer");
  assert.equal(r12.hostname, "printer.lab.test");
  const r81 = resolveClientName(query(MsgType.REQUEST, { options: [FQDN_S_PARTIAL] }), ADDR, p, true, "Printer");
  assert.equal(r81.hostname, "printer.lab.test.");
  const rNone = resolveClientName(query(MsgType.REQUEST), ADDR, params(), false, "Printer");
  assert.equal(rNone.hostname, "printer.lab.test", "sent even when the client sent no name");
  assert.deepEqual([rNone.fqdnFwd, rNone.fqdnRev], [false, false], "no DNS with updates off");
});

Deno.test("names: option 12 with several labels is not qualified; invalid characters are replaced per label", () => {
  const p = params({ hostnameCharReplacement: "x" });
  const q = query(MsgType.REQUEST, { options: [[Opt.HOST_NAME, new TextEncoder().encode(" My_Box.Home ")]] });
  const r = resolveClientName(q, ADDR, p, true, undefined);
  assert.equal(r.hostname, "myxbox.home");
  assert.equal(sanitizeName("a_b.c d", p), "axb.cxd");
  assert.equal(sanitizeName("a_b", params()), "ab", "default replacement removes");
});

Deno.test("names: an empty option 12 gets a generated name even with replace never (Kea: fewer than 2 labels)", () => {
  const q = query(MsgType.REQUEST, { options: [[Opt.HOST_NAME, new Uint8Array([0])]] });
  assert.equal(resolveClientName(q, ADDR, params(), true, undefined).hostname, "prefix-198-18-1-7.lab.test");
});

Deno.test("names: qualifyName and generatedName follow Kea (suffix with or without its dot)", () => {
  assert.equal(qualifyName("host", "example.com", true), "host.example.com.");
  assert.equal(qualifyName("host", "example.com.", false), "host.example.com");
  assert.equal(qualifyName("host.", "example.com", true), "host.");
  assert.equal(qualifyName("host", "", false), "host");
  assert.equal(
    generatedName(ip("172.17.6.6"), params({ qualifyingSuffix: "demodomain.lmtest.de" }), true),
    "prefix-172-17-6-6.demodomain.lmtest.de.",
  );
  assert.equal(generatedName(ip("10.0.0.1"), defaultDdnsParams(), true), "myhost-10-0-0-1.");
});
