/**
 * Client text never raises for DHCPv6 either (docs/ARCHITECTURE.md rule 8): a Client FQDN option 39 whose name
 * cannot be a DNS name — a label over 63 octets, a name over 255, a length octet running past the option, a
 * compression pointer, data after the name — is ignored as if the client
 * had sent none (NUL, control bytes and underscores are sanitised by hostname-char-set, as Kea does): the client gets its REPLY (with a generated name under `when-not-present`), nothing is logged at
 * ERROR, the reason is logged at debug with the client's text escaped, and every NCR is one D2 accepts. An option
 * with N and S both set is what Kea drops as unparsable, and so does weka (`pkt6-parse-failed`).
 */
import assert from "node:assert/strict";
import { decodeNcr, encodeNcr, parseNcrJson } from "../../../mod/ddns/ncr/ncr.ts";
import { decode6 } from "../../../mod/packet6/codec.ts";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import { parseHex } from "../../../mod/wire/addr.ts";
import { Stats } from "../../../mod/stats/stats.ts";
import { memoryLog } from "../../ddns/fixture.ts";
import { dhcp6Map, fqdn6, type Step6 } from "./scenarios6.ts";
import { runOnWeka6 } from "./weka6_harness.ts";
import { inner } from "../fixtures6.ts";

const SERVER = parseHex("00:01:00:01:2a:00:00:00:02:00:00:00:00:ff")!;

/** Raw option 39 payloads a hostile client can send (flags S=1, then the "name"). */
const HOSTILE: [string, Uint8Array][] = [
  ["a label of 64 octets", Uint8Array.of(1, 64, ...new Uint8Array(64).fill(0x61))],
  [
    "a name over 255 octets",
    Uint8Array.of(1, ...Array.from({ length: 5 }, () => [60, ...new Uint8Array(60).fill(0x62)]).flat(), 0),
  ],
  ["a length octet past the end", Uint8Array.of(1, 10, 0x61, 0x62)],
  ["a compression pointer", Uint8Array.of(1, 0xc0, 0x00)],
  ["NUL and control bytes", Uint8Array.of(1, 5, 0x00, 0x07, 0x1b, 0x0a, 0x61)],
  ["only underscores", Uint8Array.of(1, 3, 0x5f, 0x5f, 0x5f)],
  ["data after the root label", Uint8Array.of(1, 1, 0x61, 0, 0xff)],
];

/** Names the sanitiser (hostname-char-set [^A-Za-z0-9.-] → "x") makes legal, as Kea's does. */
const SANITISED: Record<string, RegExp> = {
  "NUL and control bytes": /^xxxa\.lab\.test\.$/,
  "only underscores": /^xxx\.lab\.test\.$/,
};

Deno.test("ddns6: hostile option 39 names are ignored, the client is answered, nothing raises", async () => {
  const dhcp6 = dhcp6Map("listing", "127.0.0.1");
  const steps: Step6[] = HOSTILE.map(([what, fqdn], i) => ({ what, client: 20 + i, op: "sarr", fqdn }));
  const log = memoryLog();
  const stats = new Stats();
  const recs = await runOnWeka6({ dhcp6, serverDuid: SERVER, steps, log, stats });
  recs.forEach((r) => {
    assert.equal(r.replies.length, 2, `${r.what}: ADVERTISE and REPLY`);
    const reply = inner(decode6(parseHex(r.replies[1])!));
    assert.equal(reply.ias[0].addresses.length, 1, `${r.what}: an address`);
    // ignored as if absent: when-not-present supplies a generated name
    const o = getOption6(reply.options, 39)!;
    assert.ok(o, `${r.what}: option 39 in the reply`);
    assert.deepEqual(r.ncrs.length, 1, `${r.what}: one add`);
    const n = parseNcrJson(r.ncrs[0]);
    const want = SANITISED[r.what] ?? /^prefix-2001-db8-a--[0-9a-f]+\.lab\.test\.$/;
    assert.match(n.fqdn, want, `${r.what}: ${n.fqdn}`);
    assert.deepEqual(decodeNcr(encodeNcr(n)), n);
  });
  assert.deepEqual(log.lines.filter((l) => l.startsWith("ERROR")), []);
  const notes = log.lines.filter((l) => l.includes("DHCP6_CLIENT_FQDN_MALFORMED"));
  // one line per query (SOLICIT and REQUEST) of each ignored name
  assert.equal(notes.length, 2 * (HOSTILE.length - Object.keys(SANITISED).length), notes.join("\n"));
  for (const l of notes) {
    assert.ok(![...l].some((c) => c.charCodeAt(0) < 0x20), `client bytes are escaped in the log: ${JSON.stringify(l)}`);
  }
  assert.equal(stats.get("pkt6-processing-failed"), 0);
});

Deno.test("ddns6: option 39 with N and S both set is dropped as unparsable, as Kea drops it", async () => {
  const stats = new Stats();
  const steps: Step6[] = [{ what: "N+S", client: 30, op: "sarr", fqdn: fqdn6("nands", 0x05) }];
  const [r] = await runOnWeka6({ dhcp6: dhcp6Map("listing", "127.0.0.1"), serverDuid: SERVER, steps, stats });
  assert.deepEqual(r.replies, [""], "no ADVERTISE");
  assert.equal(stats.get("pkt6-parse-failed"), 1);
  assert.equal(stats.get("pkt6-receive-drop"), 1);
});

Deno.test("ddns6: with dhcp-ddns off the name is kept on the lease, N=1 in the reply, and no NCR", async () => {
  const dhcp6 = { ...dhcp6Map("listing", "127.0.0.1"), "dhcp-ddns": { "enable-updates": false } };
  const steps: Step6[] = [{ what: "off", client: 31, op: "sarr", fqdn: fqdn6("quiet") }];
  const [r] = await runOnWeka6({ dhcp6, serverDuid: SERVER, steps });
  const o = getOption6(inner(decode6(parseHex(r.replies[1])!)).options, 39)!;
  assert.equal(o[0], 0x04 | 0x02, "N=1, O=1 (the client asked S=1)");
  assert.deepEqual(r.ncrs, []);
});
