/**
 * A Kea site's DHCPv6 leases move to weka at first start: the kea-leases6.csv that real kea-dhcp6 2.2 wrote under
 * `perfdhcp -6 -e address-and-prefix` (1 000 leases of 500 clients, 22 730 rows as memfile appended them;
 * tests/fixtures/dhcp6/capture_kea_csv6.ts) and Kea's server DUID file lie in the data directory of a memfile
 * configuration whose KV store does not exist yet. `weka dhcp6` imports every lease at start-up (and says so), keeps
 * Kea's server DUID, and then every client's RENEW — carrying its address and its prefix, sent to Kea's DUID — is
 * answered with the same address and prefix and fresh lifetimes: no client loses its lease in the move. The
 * file's times are moved to now, as if Kea had stopped a moment ago. `weka leases export -6` writes them back in
 * Kea's format, and `weka leases import -6` loads that into a fresh database.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { getOption6, type Message6, MsgType6, Opt6, type Relay6 } from "../../mod/packet6/packet.ts";
import { parseKeaCsv6 } from "../../mod/lease/kea_csv6.ts";
import { Lease6Type } from "../../mod/lease/types6.ts";
import { formatIpv6Big } from "../../mod/config/addr6.ts";
import { parseHex } from "../../mod/wire/addr.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { buildRequest, sendUnix } from "../../mod/control/client.ts";
import { inner } from "../dhcp6/fixtures6.ts";
import { MAIN, startCli, withTempDir } from "./cli_helpers.ts";
import { keaCaptureConfig } from "../fixtures/dhcp6/capture_kea_csv6.ts";

const FIXTURES = new URL("../fixtures/dhcp6/", import.meta.url).pathname;

/** The fixture's text with every expire moved so that the last row was written `now`. */
async function shiftedCsv(now: number): Promise<string> {
  const gz = await Deno.readFile(`${FIXTURES}/kea-leases6-perfdhcp.csv.gz`);
  const text = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  const lines = text.split("\n");
  const last = Math.max(...lines.slice(1).filter((l) => l).map((l) => Number(l.split(",")[3]) - 4000));
  return lines.map((l, i) => {
    if (i === 0 || !l) return l;
    const f = l.split(",");
    f[3] = String(Number(f[3]) + (now - last));
    return f.join(",");
  }).join("\n");
}

/** One client's RENEW of its IA_NA and IA_PD (RFC 8415 §18.2.4), relayed by 2001:db8:a::fe. */
function renew(xid: number, duid: Uint8Array, serverId: Uint8Array, na: [number, bigint], pd: [number, bigint]) {
  const addr = (v: bigint) => parseIpv6(formatIpv6Big(v))!;
  const msg: Message6 = {
    kind: "message",
    msgType: MsgType6.RENEW,
    transactionId: xid,
    options: [
      { code: Opt6.CLIENTID, data: duid },
      { code: Opt6.SERVERID, data: serverId },
      { code: Opt6.ELAPSED_TIME, data: new Uint8Array(2) },
    ],
    ias: [
      {
        kind: "na",
        iaid: na[0],
        t1: 0,
        t2: 0,
        addresses: [{ address: addr(na[1]), preferred: 0, valid: 0, options: [] }],
        prefixes: [],
        options: [],
      },
      {
        kind: "pd",
        iaid: pd[0],
        t1: 0,
        t2: 0,
        addresses: [],
        prefixes: [{ prefix: addr(pd[1]), prefixLen: 56, preferred: 0, valid: 0, options: [] }],
        options: [],
      },
    ],
  };
  const relay: Relay6 = {
    kind: "relay",
    msgType: 12,
    hopCount: 0,
    linkAddress: parseIpv6("2001:db8:a::fe")!,
    peerAddress: parseIpv6("fe80::1")!,
    options: [],
    inner: msg,
  };
  return encode6(relay);
}

Deno.test("Kea's kea-leases6.csv (1 000 leases by kea-dhcp6 2.2 under perfdhcp -6) is taken over at first start; every lease is renewed", () =>
  withTempDir("weka-csv6-", async (dir) => {
    const now = Math.floor(Date.now() / 1000);
    await Deno.writeTextFile(`${dir}/kea-leases6.csv`, await shiftedCsv(now));
    await Deno.copyFile(`${FIXTURES}/kea-perfdhcp-serverid`, `${dir}/kea-dhcp6-serverid`);
    const keaDuid = (await Deno.readTextFile(`${dir}/kea-dhcp6-serverid`)).trim();
    const expected = parseKeaCsv6(await Deno.readTextFile(`${dir}/kea-leases6.csv`));
    assert.equal(expected.errors.length, 0);
    assert.equal(expected.leases.length, 1000);
    // the configuration Kea ran with, its interface replaced by the relay's link (a loopback test)
    const cfg = keaCaptureConfig(dir) as { Dhcp6: Record<string, unknown> };
    delete cfg.Dhcp6["interfaces-config"];
    cfg.Dhcp6.loggers = [{ name: "kea-dhcp6", output_options: [{ output: "stdout" }], severity: "INFO" }];
    cfg.Dhcp6["control-socket"] = { "socket-type": "unix", "socket-name": `${dir}/ctrl6.sock` };
    (cfg.Dhcp6.subnet6 as Record<string, unknown>[])[0].relay = { "ip-addresses": ["2001:db8:a::fe"] };
    await Deno.writeTextFile(`${dir}/weka6.json`, JSON.stringify(cfg));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const w = await startCli(["dhcp6", "-c", `${dir}/weka6.json`, "-p", String(port)], /DHCP6_STARTED/, 60_000);
    try {
      const out = w.output();
      assert.match(out, /DHCPSRV_MEMFILE_CSV_IMPORTED the lease database was empty: imported 1000 lease\(s\)/);
      assert.match(out, new RegExp(`DHCP6_SERVERID server DUID ${keaDuid}`), "Kea's server DUID is kept");

      // every client renews: 500 RENEWs, each with its address and its prefix
      const byDuid = new Map<string, { na?: [number, bigint]; pd?: [number, bigint] }>();
      for (const l of expected.leases) {
        const e = byDuid.get(l.duid) ?? byDuid.set(l.duid, {}).get(l.duid)!;
        e[l.type === Lease6Type.PD ? "pd" : "na"] = [l.iaid, l.address];
      }
      assert.equal(byDuid.size, 500);
      const sock = dgram.createSocket("udp6");
      await new Promise<void>((r) => sock.bind(0, "::1", () => r()));
      const replies = new Map<number, Message6>();
      sock.on("message", (m: Uint8Array) => {
        const p = inner(decode6(new Uint8Array(m)));
        replies.set(p.transactionId, p);
      });
      const sent = new Map<number, { na: [number, bigint]; pd: [number, bigint] }>();
      let xid = 1;
      for (const [duid, e] of byDuid) {
        assert.ok(e.na && e.pd, `client ${duid} holds an address and a prefix`);
        sent.set(xid, { na: e.na, pd: e.pd });
        const q = renew(xid++, parseHex(duid)!, parseHex(keaDuid)!, e.na, e.pd);
        sock.send(Buffer.from(q), port, "::1");
        if (xid % 50 === 0) await new Promise((r) => setTimeout(r, 20)); // a paced client population
      }
      for (let i = 0; i < 100 && replies.size < sent.size; i++) await new Promise((r) => setTimeout(r, 100));
      sock.close();
      assert.equal(replies.size, 500, "every RENEW answered");
      for (const [x, want] of sent) {
        const r = replies.get(x)!;
        assert.equal(r.msgType, MsgType6.REPLY);
        assert.equal(getOption6(r.options, Opt6.SERVERID)?.length, parseHex(keaDuid)!.length);
        const na = r.ias.find((i) => i.kind === "na")!, pd = r.ias.find((i) => i.kind === "pd")!;
        assert.equal(na.iaid, want.na[0]);
        assert.deepEqual(na.addresses.map((a) => [a.address.join(","), a.valid]), [[
          parseIpv6(formatIpv6Big(want.na[1]))!.join(","),
          4000,
        ]], `xid ${x}: the same address, renewed`);
        assert.deepEqual(pd.prefixes.map((p) => [p.prefix.join(","), p.prefixLen, p.valid]), [[
          parseIpv6(formatIpv6Big(want.pd[1]))!.join(","),
          56,
          4000,
        ]], `xid ${x}: the same prefix, renewed`);
      }
      // the store holds the same 1 000 leases, each renewed now
      const all = JSON.parse(await sendUnix(`${dir}/ctrl6.sock`, JSON.stringify(buildRequest("lease6-get-all"))));
      const leases = all.arguments.leases as { "ip-address": string; cltt: number; duid: string }[];
      assert.equal(leases.length, 1000);
      assert.ok(leases.every((l) => l.cltt >= now), "every lease renewed after the take-over");
    } finally {
      assert.equal(await w.stop(), 0, w.output().slice(-3000));
    }

    // export -6 writes the same leases in Kea's format; import -6 loads them into a fresh database
    const exp = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "leases", "export", "-6", "-c", `${dir}/weka6.json`, "-o", `${dir}/out6.csv`],
    }).output();
    assert.equal(exp.code, 0, new TextDecoder().decode(exp.stderr));
    const back = parseKeaCsv6(await Deno.readTextFile(`${dir}/out6.csv`));
    assert.equal(back.errors.length, 0);
    assert.deepEqual(
      back.leases.map((l) => [l.address, l.type, l.duid, l.iaid, l.prefixLen]),
      expected.leases.map((l) => [l.address, l.type, l.duid, l.iaid, l.prefixLen]),
    );
    cfg.Dhcp6["lease-database"] = { type: "kv", name: `${dir}/fresh.kv` };
    await Deno.writeTextFile(`${dir}/fresh.json`, JSON.stringify(cfg));
    const imp = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "leases", "import", "-c", `${dir}/fresh.json`, "-i", `${dir}/out6.csv`],
    }).output();
    assert.equal(imp.code, 0, new TextDecoder().decode(imp.stderr));
    assert.match(new TextDecoder().decode(imp.stderr), /imported 1000 lease\(s\)/);
  }));
