/**
 * Client text never raises (issue 9 item 5): dhclient's DHCPREQUEST with hostile name and identity options
 * (tests/fixtures/hostile4/*.hex, annotated byte by byte) goes through the real server edge with DDNS on. In every
 * case the client gets its DHCPACK, nothing is logged at ERROR (no DHCP4_PACKET_PROCESS_EXCEPTION, no stack
 * trace), a name that cannot be a DNS name is ignored as if the client had sent none (Kea's
 * DHCP4_CLIENT_HOSTNAME_MALFORMED / DHCP4_CLIENT_FQDN_MALFORMED at debug, its text escaped and cut short), and every
 * NameChangeRequest produced is one D2 accepts.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp4Config } from "../../mod/config/model.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt } from "../../mod/packet4/packet.ts";
import { decodeNcr, encodeNcr } from "../../mod/ddns/ncr/ncr.ts";
import { fromClient, serverBed } from "./server_bed.ts";
import { startDdnsSender } from "../../mod/dhcp4/ddns_sender.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { memoryLog } from "../ddns/fixture.ts";

const DIR = new URL("../fixtures/hostile4/", import.meta.url);

/** Reads an annotated fixture: hex bytes, `#` comments. */
function fixture(name: string): Uint8Array {
  const text = Deno.readTextFileSync(new URL(`${name}.hex`, DIR));
  const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** 192.0.2.0/24 on eth0 with DDNS on (suffix lab.test), as the dhclient capture's server was configured. */
function config(replace = "never", extra: Record<string, unknown> = {}): Dhcp4Config {
  const doc = {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "dhcp-ddns": { "enable-updates": true },
      "ddns-qualifying-suffix": "lab.test",
      "ddns-generated-prefix": "gen",
      "ddns-replace-client-name": replace,
      // classes that read the hostile options, so the expression evaluator sees them too
      "client-classes": [
        { name: "msft", test: "substring(option[60].text, 0, 4) == 'MSFT'" },
        { name: "ipxe", test: "option[77].hex == 'iPXE'" },
        { name: "port1", test: "relay4[1].hex == 'eth0/1'" },
        { name: "named", test: "option[12].exists and option[81].exists" },
      ],
      subnet4: [{
        id: 1,
        subnet: "192.0.2.0/24",
        interface: "eth0",
        pools: [{ pool: "192.0.2.100 - 192.0.2.110" }],
        "option-data": [{ name: "routers", data: "192.0.2.1" }],
      }],
      ...extra,
    },
  };
  return parseConfigText(JSON.stringify(doc), "hostile.json", () => "").dhcp4!;
}

/** Serves one fixture and returns the ACK, the lease, the NCRs and the log lines. */
async function serve(name: string, cfg = config()) {
  const bed = await serverBed(cfg);
  try {
    assert.doesNotThrow(() => bed.server.process(fromClient(fixture(name)), 1_800_000_000));
    await bed.store.flush();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(bed.transport.sent.length, 1, `one reply to ${name}:\n${bed.log.lines.join("\n")}`);
    const ack = decode4(bed.transport.sent[0].data);
    assert.equal(ack.options.get(Opt.MESSAGE_TYPE)?.[0], MsgType.ACK, `${name} is answered with a DHCPACK`);
    assert.equal(ack.yiaddr, 0xc0000264, "192.0.2.100, as requested");
    const errors = bed.log.lines.filter((l) => l.startsWith("ERROR") || l.startsWith("WARN"));
    assert.deepEqual(errors, [], "nothing at ERROR or WARN");
    assert.equal(bed.stats.get("pkt4-processing-failed") ?? 0, 0);
    for (const line of bed.log.lines) {
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(line, /[\x00-\x1f\x7f]/, "no control character reaches a log line");
      assert.ok(line.length < 700, `a log line stays short (${line.length})`);
    }
    for (const n of bed.ncrs) assert.deepEqual(decodeNcr(encodeNcr(n)), n, "every NCR is one D2 accepts");
    const lease = bed.store.byAddress(0xc0000264);
    assert.ok(lease, "the lease is stored");
    return { ack, lease, ncrs: bed.ncrs, lines: bed.log.lines };
  } finally {
    await bed.close();
  }
}

const debugLine = (lines: string[], id: string) => lines.find((l) => l.startsWith(`DEBUG ${id} `));

Deno.test("hostile names: a 70-octet host name label is ignored (debug line), the client gets its ACK", async () => {
  const r = await serve("hostname_label64");
  const line = debugLine(r.lines, "DHCP4_CLIENT_HOSTNAME_MALFORMED");
  assert.ok(line, r.lines.join("\n"));
  assert.match(
    line,
    /\[hwtype=1 02:00:00:aa:bb:01\], cid=\[no info\], tid=0x7009493d: client hostname option malformed/,
  );
  assert.match(line, /longer than 63 octets \(70\)/);
  assert.equal(r.lease.hostname, "", "as if the client had sent no name (replace never)");
  assert.equal(r.ack.options.get(Opt.HOST_NAME), undefined, "no option 12 in the reply");
  assert.deepEqual(r.ncrs, [], "no DNS update for a name that is none");
});

Deno.test("hostile names: with ddns-replace-client-name when-not-present the ignored name is generated", async () => {
  const r = await serve("hostname_label64", config("when-not-present"));
  assert.equal(r.lease.hostname, "gen-192-0-2-100.lab.test");
  assert.equal(new TextDecoder().decode(r.ack.options.get(Opt.HOST_NAME)), "gen-192-0-2-100.lab.test");
  assert.deepEqual(r.ncrs.map((n) => [n.changeType, n.fqdn]), [["add", "gen-192-0-2-100.lab.test."]]);
  assert.ok(debugLine(r.lines, "DHCP4_CLIENT_HOSTNAME_MALFORMED"));
});

Deno.test("hostile names: a host name forging a log line is escaped in the one debug line about it", async () => {
  const r = await serve("hostname_escapes");
  const line = debugLine(r.lines, "DHCP4_CLIENT_HOSTNAME_MALFORMED")!;
  assert.ok(line, r.lines.join("\n"));
  assert.ok(line.includes(String.raw`pwn\x0d\x0a2026-01-01 INFO  DHCP4_LEASE_ALLOC forged line\x1b[2J\x07`), line);
  assert.equal(r.lines.filter((l) => l.includes("DHCP4_LEASE_ALLOC")).length, 2, "the forged id only inside it");
  assert.equal(r.lease.hostname, "");
});

Deno.test("hostile names: an empty label or a 256-octet host name is malformed; the client is answered", async () => {
  const empty = await serve("hostname_empty_label");
  assert.match(debugLine(empty.lines, "DHCP4_CLIENT_HOSTNAME_MALFORMED")!, /"printer\.\.lab\.test": empty label/);
  assert.equal(empty.lease.hostname, "");
  const long = await serve("hostname_over255");
  assert.match(
    debugLine(long.lines, "DHCP4_CLIENT_HOSTNAME_MALFORMED")!,
    /longer than 255 octets \(256 in wire form\)/,
  );
  assert.equal(long.lease.hostname, "");
});

Deno.test("hostile names: option 81 with a 64-octet ASCII label is ignored; no option 81 in the ACK", async () => {
  const r = await serve("fqdn_ascii_label64");
  const line = debugLine(r.lines, "DHCP4_CLIENT_FQDN_MALFORMED");
  assert.ok(line, r.lines.join("\n"));
  assert.match(
    line,
    /malformed: "k{64}\.\.\.\(\+10 chars\)": label "k{24}\.\.\.\(\+40 chars\)" is longer than 63 octets/,
  );
  assert.equal(r.ack.options.get(Opt.CLIENT_FQDN), undefined);
  assert.equal(r.lease.hostname, "");
  assert.deepEqual([r.lease.fqdnFwd, r.lease.fqdnRev], [false, false]);
});

Deno.test("hostile names: option 81 whose wire label claims 69 octets is ignored (Kea 2.2 drops the packet)", async () => {
  const r = await serve("fqdn_wire_bad_length");
  assert.match(debugLine(r.lines, "DHCP4_CLIENT_FQDN_MALFORMED")!, /bad label length 69 in domain name \(at byte 3\)/);
  assert.equal(r.ack.options.get(Opt.CLIENT_FQDN), undefined);
});

Deno.test("hostile names: a partial option 81 name too long once qualified is ignored; supplied mode generates", async () => {
  const r = await serve("fqdn_wire_qualified_over255");
  assert.match(
    debugLine(r.lines, "DHCP4_CLIENT_FQDN_MALFORMED")!,
    /once sanitised and qualified: longer than 255 octets/,
  );
  assert.equal(r.lease.hostname, "");
  assert.equal(r.ack.options.get(Opt.CLIENT_FQDN), undefined);
  const g = await serve("fqdn_wire_qualified_over255", config("when-not-present"));
  assert.equal(g.lease.hostname, "gen-192-0-2-100.lab.test", "option 81 ignored: the option 12 rules generate");
  assert.deepEqual(g.ncrs.map((n) => n.fqdn), ["gen-192-0-2-100.lab.test."]);
  // replace always never uses the client's name: option 81 is answered with the generated name, nothing to ignore
  const a = await serve("fqdn_wire_qualified_over255", config("always"));
  assert.equal(a.lease.hostname, "gen-192-0-2-100.lab.test.");
  assert.ok(a.ack.options.get(Opt.CLIENT_FQDN));
  assert.equal(debugLine(a.lines, "DHCP4_CLIENT_FQDN_MALFORMED"), undefined);
});

Deno.test("hostile names: junk identity options (255-byte client-id, vendor/user class, option 82) are answered", async () => {
  const r = await serve("identity_junk");
  assert.equal(r.lease.hostname, "kiosk-7.lab.test", "the valid host name is kept and qualified");
  assert.equal(r.lease.clientId.split(":").length, 255, "the lease keeps the whole client identifier");
  const alloc = r.lines.find((l) => l.includes("DHCP4_LEASE_ALLOC"))!;
  assert.match(alloc, /cid=\[ff:00:01:02:(?:[0-9a-f]{2}:){59}[0-9a-f]{2}\.\.\.\(255 bytes\)\]/, "the label is cut");
  assert.deepEqual(r.ncrs.map((n) => n.fqdn), ["kiosk-7.lab.test."]);
});

Deno.test('hostile names: with hostname-char-set "" a control character stays in the name but not in log lines', async () => {
  // a host name label holding ESC [2J and BEL is a valid DNS label (any octet is); nothing sanitises it here
  const cfg = config("never", { "hostname-char-set": "" });
  const name = "kiosk\x1b[2J\x07";
  const bed = await serverBed(cfg);
  const log = memoryLog();
  const sender = startDdnsSender(cfg, { stats: new Stats(), log, sink: () => {} })!;
  try {
    const q = fixture("hostname_label64").slice();
    const at = q.indexOf(0x0c, 240); // option 12 of the fixture: replace its payload with `name`
    const payload = new TextEncoder().encode(name);
    const bytes = new Uint8Array([
      ...q.subarray(0, at),
      12,
      payload.length,
      ...payload,
      ...q.subarray(at + 2 + q[at + 1]),
    ]);
    bed.server.process(fromClient(bytes), 1_800_000_000);
    await bed.store.flush();
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(bed.store.byAddress(0xc0000264)?.hostname, "kiosk\x1b[2j\x07.lab.test", "qualified, lower-cased");
    sender.submit(bed.ncrs);
    await sender.queue.drained();
    const sent = log.lines.find((l) => l.includes("DHCP4_DDNS_REQUEST_SENT"));
    assert.ok(sent, log.lines.join("\n"));
    assert.match(sent, /add kiosk\\x1b\[2j\\x07\.lab\.test\. 192\.0\.2\.100/);
  } finally {
    await sender.close();
    await bed.close();
  }
});
