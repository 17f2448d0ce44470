import assert from "node:assert/strict";
import {
  decodeNcr,
  encodeNcr,
  frameNcr,
  type NameChangeRequest,
  NCR_JSON_SCHEMA,
  NcrError,
  ncrToJson,
  parseNcrJson,
  quickNcrJson,
  unframeNcr,
} from "../../../mod/ddns/ncr/ncr.ts";
import { listenNcr, openNcrSender } from "../../../mod/ddns/ncr/udp.ts";
import { UdpSocket4 } from "../../../mod/net/udp4.ts";
import * as v from "valibot";
import { parseHex } from "../../../mod/wire/addr.ts";
import { dhcidForV4 } from "../../../mod/ddns/dns/dhcid.ts";
import { loadHex } from "../fixture.ts";

// The JSON Kea 2.2's kea-dhcp4 sends (field order of NameChangeRequest::toJSON), as lab/ncrblast.py reproduces it.
const KEA22 = '{"change-type":0,"forward-change":true,"reverse-change":true,"fqdn":"h0.lab.test.",' +
  '"ip-address":"198.18.9.1","dhcid":"000101A2B3","lease-expires-on":"20301127180000","lease-length":1200,' +
  '"use-conflict-resolution":true}';

const SAMPLE: NameChangeRequest = {
  changeType: "add",
  forwardChange: true,
  reverseChange: true,
  fqdn: "h0.lab.test.",
  ipAddress: "198.18.9.1",
  dhcid: parseHex("000101a2b3")!,
  leaseExpiresOn: "20301127180000",
  leaseLength: 1200,
  conflictResolutionMode: "check-with-dhcid",
};

Deno.test("Kea 2.2 JSON parses into a request; legacy use-conflict-resolution maps to a mode", () => {
  assert.deepEqual(parseNcrJson(KEA22), SAMPLE);
  const off = parseNcrJson(KEA22.replace('"use-conflict-resolution":true', '"use-conflict-resolution":false'));
  assert.equal(off.conflictResolutionMode, "no-check-with-dhcid");
  const none = parseNcrJson(KEA22.replace(',"use-conflict-resolution":true', ""));
  assert.equal(none.conflictResolutionMode, "check-with-dhcid");
  const mode = parseNcrJson(KEA22.replace("}", ',"conflict-resolution-mode":"no-check-without-dhcid","extra":1}'));
  assert.equal(mode.conflictResolutionMode, "no-check-without-dhcid");
  assert.equal(parseNcrJson(KEA22.replace('"h0.lab.test."', '"h0.lab.test"')).fqdn, "h0.lab.test.");
  assert.equal(parseNcrJson(KEA22.replace('"change-type":0', '"change-type":1')).changeType, "remove");
});

Deno.test("frame: 2-byte big-endian length then JSON; encode/decode round-trip", () => {
  const f = frameNcr("{}");
  assert.deepEqual([...f], [0, 2, 0x7b, 0x7d]);
  const wire = encodeNcr(SAMPLE);
  assert.equal((wire[0] << 8) | wire[1], wire.length - 2);
  assert.deepEqual(decodeNcr(wire), SAMPLE);
  const json = JSON.parse(ncrToJson(SAMPLE));
  assert.deepEqual(Object.keys(json).slice(0, 9), [
    "change-type",
    "forward-change",
    "reverse-change",
    "fqdn",
    "ip-address",
    "dhcid",
    "lease-expires-on",
    "lease-length",
    "use-conflict-resolution",
  ]);
  assert.equal(json.dhcid, "000101A2B3");
  const noExpiry = { ...SAMPLE, leaseExpiresOn: "" };
  assert.equal("lease-expires-on" in JSON.parse(ncrToJson(noExpiry)), false);
  assert.deepEqual(decodeNcr(encodeNcr(noExpiry)), noExpiry);
});

Deno.test("bad NCRs are refused with a message naming the problem", () => {
  const bad: [string, RegExp][] = [
    ["not json", /not valid JSON/],
    [KEA22.replace('"change-type":0', '"change-type":2'), /change-type/],
    [KEA22.replace('"fqdn":"h0.lab.test."', '"fqdn":""'), /fqdn/],
    [KEA22.replace('"dhcid":"000101A2B3"', '"dhcid":""'), /dhcid/],
    [KEA22.replace('"dhcid":"000101A2B3"', '"dhcid":"xyz"'), /dhcid/],
    [KEA22.replace('"198.18.9.1"', '"198.18.9"'), /ip-address/],
    [
      KEA22.replace('"forward-change":true,"reverse-change":true', '"forward-change":false,"reverse-change":false'),
      /both false/,
    ],
    [KEA22.replace('"lease-length":1200', '"lease-length":-1'), /lease-length/],
    [KEA22.replace(',"lease-length":1200', ""), /lease-length/],
    [KEA22.replace('"h0.lab.test."', `"${"x".repeat(64)}.lab.test."`), /63 octets/],
    [KEA22.replace('"h0.lab.test."', `"${"abcdefgh.".repeat(6000)}lab.test."`), /longer than 255 octets/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseNcrJson(text), (e) => e instanceof NcrError && re.test(e.message), text);
  }
  assert.throws(() => unframeNcr(new Uint8Array([0])), /no length prefix/);
  assert.throws(() => unframeNcr(new Uint8Array([0, 9, 1, 2])), /says 9 bytes but only 2 follow/);
  assert.throws(() => unframeNcr(new Uint8Array([0, 2, 0xff, 0xfe])), /UTF-8/);
  assert.throws(() => frameNcr("x".repeat(70000)), /does not fit/);
});

Deno.test("UDP receiver on loopback: good request delivered, bad datagrams reported, receiver keeps going", async () => {
  const got: NameChangeRequest[] = [];
  const invalid: string[] = [];
  let wake = () => {};
  const rx = await listenNcr("127.0.0.1", 0, {
    onRequest: (n) => {
      got.push(n);
      wake();
    },
    onInvalid: (r) => {
      invalid.push(r);
      wake();
    },
  });
  const tx = openNcrSender("127.0.0.1", rx.port);
  const raw = (await import("node:dgram")).default.createSocket("udp4");
  const wait = (n: number) =>
    new Promise<void>((res) => {
      const check = () => (got.length + invalid.length >= n ? res() : (wake = check));
      check();
    });
  raw.send(new Uint8Array([0, 3, 1]), rx.port, "127.0.0.1");
  await wait(1);
  await tx.send(SAMPLE);
  await wait(2);
  assert.equal(invalid.length, 1);
  assert.deepEqual(got, [SAMPLE]);
  raw.close();
  tx.close();
  await rx.close();
});

Deno.test("real kea-dhcp4 2.2 NCRs (add on ACK, remove on RELEASE) decode, and their DHCID is ours for the same client", () => {
  const add = decodeNcr(loadHex("kea_dhcp4_ncr_add.txt"));
  const remove = decodeNcr(loadHex("kea_dhcp4_ncr_remove.txt"));
  assert.equal(add.changeType, "add");
  assert.equal(remove.changeType, "remove");
  assert.equal(add.fqdn, "erin.lab.test.");
  assert.equal(add.ipAddress, "198.18.50.100");
  assert.equal(add.leaseLength, 1200); // the TTL: a third of valid-lifetime 3600
  assert.equal(add.leaseExpiresOn, "20261127182758");
  assert.equal(add.conflictResolutionMode, "check-with-dhcid");
  // no client-id from dhclient: Kea uses type 0, htype 1 + chaddr
  assert.deepEqual(add.dhcid, dhcidForV4(1, parseHex("ba:1f:94:2c:fc:16")!, undefined, "erin.lab.test."));
  assert.deepEqual(remove.dhcid, add.dhcid);
  // our encoder writes Kea 2.2's bytes exactly
  assert.equal(ncrToJson(add), unframeNcr(loadHex("kea_dhcp4_ncr_add.txt")));
  assert.deepEqual(encodeNcr(remove), loadHex("kea_dhcp4_ncr_remove.txt"));
  // a mode Kea 2.2's boolean cannot say is added as Kea ≥ 2.5's conflict-resolution-mode
  const exists = JSON.parse(ncrToJson({ ...add, conflictResolutionMode: "check-exists-with-dhcid" }));
  assert.equal(exists["conflict-resolution-mode"], "check-exists-with-dhcid");
  assert.equal(exists["use-conflict-resolution"], true);
});

/** Sends `n` framed NCRs to 127.0.0.1:port in one synchronous loop (the receiver cannot run meanwhile). */
function blast(port: number, n: number): void {
  const tx = UdpSocket4.open({ port: 0, bindAddr: 0x7f000001, bindToDevice: false, broadcast: true });
  try {
    for (let i = 0; i < n; i++) tx.send(encodeNcr({ ...SAMPLE, fqdn: `b${i}.lab.test.` }), 0x7f000001, port);
  } finally {
    tx.close();
  }
}

for (const native of [true, false]) {
  Deno.test(`UDP receiver (${native ? "Deno's socket, drained through its descriptor" : "FFI socket"}): a 2 000-NCR burst queued at once is received whole, in order`, async () => {
    const got: string[] = [];
    let wake = () => {};
    const h = {
      onRequest: (n: NameChangeRequest) => {
        got.push(n.fqdn);
        if (got.length === 2000) wake();
      },
      onInvalid: () => {},
    };
    // the FFI socket needs a fixed port (as D2's 53001); Deno's takes an ephemeral one
    let rx;
    for (let i = 0; !rx; i++) {
      try {
        rx = await listenNcr("127.0.0.1", native ? 0 : 40000 + Math.floor(Math.random() * 20000), h, { native });
      } catch (e) {
        if (i > 20) throw e;
      }
    }
    try {
      const all = new Promise<void>((r) => wake = r);
      // ~2.5 MB of kernel buffer: more than the default receive buffer (~208 KiB) holds
      blast(rx.port, 2000);
      let timer;
      await Promise.race([all, new Promise((r) => timer = setTimeout(r, 5000))]);
      clearTimeout(timer);
      assert.equal(got.length, 2000, "every datagram of the burst was kept and read");
      assert.deepEqual(got.slice(0, 3), ["b0.lab.test.", "b1.lab.test.", "b2.lab.test."]);
      assert.equal(got[1999], "b1999.lab.test.");
    } finally {
      await rx.close();
    }
  });
}

Deno.test("NCR JSON: the quick check accepts exactly what the valibot schema accepts, with the same output", () => {
  const good = JSON.parse(KEA22);
  const variants: unknown[] = [
    0,
    1,
    2,
    -1,
    1.5,
    0xffffffff,
    2 ** 32,
    "1",
    "",
    "x",
    true,
    false,
    null,
    [],
    {},
    undefined,
  ];
  const fields = [...Object.keys(good), "conflict-resolution-mode", "lease-expires-on"];
  const cases: unknown[] = [good, null, [], "text", 5, { ...good, extra: 1 }];
  for (const f of fields) {
    for (const x of [...variants, "20301127180000", "2030112718000", "check-exists-with-dhcid", "check"]) {
      const c = { ...good, [f]: x };
      if (x === undefined) delete c[f];
      cases.push(c);
    }
  }
  let accepted = 0;
  for (const c of cases) {
    const quick = quickNcrJson(c);
    const ref = v.safeParse(NCR_JSON_SCHEMA, c);
    if (quick === undefined) continue; // the schema then decides (and words the error)
    accepted++;
    assert.ok(ref.success, `quick check accepted what the schema refuses: ${JSON.stringify(c)}`);
    for (const k of Object.keys(quick) as (keyof typeof quick)[]) {
      assert.deepEqual(quick[k], ref.output[k], `field ${k} of ${JSON.stringify(c)}`);
    }
  }
  // every case the schema accepts is taken by the quick path too (nothing falls back needlessly)
  const schemaOk = cases.filter((c) => v.safeParse(NCR_JSON_SCHEMA, c).success).length;
  assert.equal(accepted, schemaOk);
  assert.ok(accepted > 10 && accepted < cases.length - 50, `${accepted} of ${cases.length} accepted`);
});

Deno.test("UDP receiver on ::1 (Deno's IPv6 socket): a request is delivered with its sender as address:port", async () => {
  const got: [string, string][] = [];
  let wake = () => {};
  const rx = await listenNcr("::1", 0, {
    onRequest: (n, from) => {
      got.push([n.fqdn, from]);
      wake();
    },
    onInvalid: () => {},
  });
  const tx = openNcrSender("::1", rx.port);
  try {
    const one = new Promise<void>((r) => wake = r);
    await tx.send(SAMPLE);
    await one;
    assert.equal(got.length, 1);
    assert.equal(got[0][0], SAMPLE.fqdn);
    assert.match(got[0][1], /^::1:\d+$/);
  } finally {
    tx.close();
    await rx.close();
  }
});
