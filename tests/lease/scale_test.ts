/**
 * The CI-sized version of `deno task bench:scale` (issue 16): `weka dhcp4` on loopback (`-p PORT`, no root) with
 * 50 000 leases in its KV store, 10 000 of them expired, reclaiming them all in one cycle (max-reclaim-leases 0,
 * max-reclaim-time 0) while clients run DORA at a modest rate: every client is answered (no drops) and no ACK waits
 * long behind the reclamation (it commits in batches), the expired leases are reclaimed, and `lease4-get-page`
 * walks every lease in strictly ascending order to the end.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { startCli, withTempDir } from "../cli/cli_helpers.ts";
import { buildRequest, sendUnix } from "../../mod/control/client.ts";
import { decode4 } from "../../mod/packet4/codec.ts";
import { relayedQuery } from "../../bench/relayed_query.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";
import { type Population, writeKv } from "./scale_data.ts";

const LEASES = 50_000, EXPIRED = 10_000, CLIENTS = 400, PER_SECOND = 100;

async function command(sock: string, cmd: string, args?: unknown): Promise<Record<string, unknown>> {
  const a = JSON.parse(await sendUnix(sock, JSON.stringify(buildRequest(cmd, args)), 30_000));
  return Array.isArray(a) ? a[0] : a;
}

/** DORA for `clients` clients, `perSecond` new ones a second; resolves with each client's REQUEST→ACK ms (or NaN). */
function dora(port: number, clients: number, perSecond: number, waitMs = 3000): Promise<number[]> {
  const sock = dgram.createSocket("udp4");
  const acked = new Array<number>(clients).fill(NaN);
  const requested = new Map<number, number>();
  return new Promise((resolve) => {
    sock.on("message", (m: Uint8Array) => {
      let p;
      try {
        p = decode4(m);
      } catch {
        return;
      }
      const type = p.options.get(53)?.[0], i = p.xid - 1;
      if (type === 2) {
        const yi = new Uint8Array(4);
        new DataView(yi.buffer).setUint32(0, p.yiaddr);
        const extra: [number, Uint8Array][] = [[50, yi], [54, p.options.get(54)!]];
        requested.set(i, performance.now());
        sock.send(relayedQuery(p.xid, 3, extra), port, "127.0.0.1");
      } else if (type === 5 && requested.has(i)) acked[i] = performance.now() - requested.get(i)!;
    });
    sock.bind(port + 1, "127.0.0.1", () => {
      let next = 0;
      const timer = setInterval(() => {
        for (let k = 0; k < perSecond / 20 && next < clients; k++, next++) {
          sock.send(relayedQuery(next + 1, 1), port, "127.0.0.1");
        }
        if (next >= clients) {
          clearInterval(timer);
          setTimeout(() => {
            sock.close();
            resolve(acked);
          }, waitMs);
        }
      }, 50);
    });
  });
}

Deno.test("50 000 leases: reclaiming 10 000 at once drops no client, and lease4-get-page walks them all in order", async () => {
  await withTempDir("weka-scale-", async (dir) => {
    const pop: Population = {
      first: parseIpv4("10.0.0.1")!,
      poolSize: 65534,
      count: LEASES,
      expired: EXPIRED,
      subnetId: 1,
      now: Math.floor(Date.now() / 1000),
      lifetime: 3600,
    };
    await writeKv(`${dir}/leases4.kv`, pop);
    const sock = `${dir}/ctrl`;
    await Deno.writeTextFile(
      `${dir}/c.json`,
      JSON.stringify({
        Dhcp4: {
          "interfaces-config": { interfaces: [] },
          "lease-database": { type: "kv", name: `${dir}/leases4.kv` },
          "control-socket": { "socket-type": "unix", "socket-name": sock },
          "valid-lifetime": 3600,
          "expired-leases-processing": {
            "reclaim-timer-wait-time": 1,
            "max-reclaim-leases": 0,
            "max-reclaim-time": 0,
            "unwarned-reclaim-cycles": 0,
          },
          subnet4: [{
            id: 1,
            subnet: "10.0.0.0/16",
            relay: { "ip-addresses": ["198.18.0.100"] },
            pools: [{ pool: "10.0.0.1 - 10.0.255.254" }],
          }],
          loggers: [{ name: "kea-dhcp4", "output_options": [{ output: "stdout" }], severity: "INFO" }],
        },
      }),
    );
    const port = 30000 + Math.floor(Math.random() * 20000);
    const srv = await startCli(["dhcp4", "-c", `${dir}/c.json`, "-p", String(port)], /DHCP4_STARTED/, 60_000);
    try {
      assert.match(srv.output(), /loaded 50000 IPv4 lease\(s\)/);
      // the first cycle starts a second after start-up, while the clients arrive (4 s of them)
      const acks = await dora(port, CLIENTS, PER_SECOND);
      await srv.waitFor(/ALLOC_ENGINE_V4_LEASES_RECLAMATION_COMPLETE reclaimed \d{4,}/);
      const answered = acks.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
      const p99 = answered[Math.floor(answered.length * 0.99)] ?? NaN;
      console.log(
        `${answered.length}/${CLIENTS} ACKed, REQUEST→ACK p99 ${p99.toFixed(1)} ms, max ${answered.at(-1)} ms`,
      );
      assert.equal(answered.length, CLIENTS, "every client got its ACK while the server reclaimed");
      assert.ok(answered.at(-1)! < 1500, `no ACK waited behind the whole reclamation (max ${answered.at(-1)} ms)`);
      const st = await command(sock, "statistic-get", { name: "reclaimed-leases" });
      const reclaimed = (st.arguments as Record<string, [number, string][]>)["reclaimed-leases"][0][0];
      assert.ok(reclaimed > EXPIRED * 0.9 && reclaimed <= EXPIRED, `reclaimed-leases ${reclaimed}`);
      // page through every lease
      let from = "start", last = -1, seen = 0;
      for (;;) {
        const a = await command(sock, "lease4-get-page", { from, limit: 1000 });
        if (a.result === 3) break;
        assert.equal(a.result, 0);
        const leases = (a.arguments as { leases: { "ip-address": string }[] }).leases;
        for (const l of leases) {
          const addr = parseIpv4(l["ip-address"])!;
          assert.ok(addr > last, `ascending at ${l["ip-address"]}`);
          last = addr;
        }
        seen += leases.length;
        from = leases[leases.length - 1]["ip-address"];
      }
      assert.ok(seen >= LEASES && seen <= LEASES + CLIENTS, `paged ${seen} leases`);
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
});
