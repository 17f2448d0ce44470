/**
 * End to end, DHCPv6 HA with real Kea 2.2 (prefix `wk6h-`; issue 14 "Show"): weka dhcp6 on srv1 ("server1",
 * primary, HA listener http://198.18.0.1:8001/) and kea-dhcp6 2.2 with libdhcp_lease_cmds.so + libdhcp_ha.so on
 * srv2 ("server2", secondary) behind kea-ctrl-agent on 198.18.0.2:8000, in load-balancing; the pools are split by
 * `client-class` HA_server1 / HA_server2. DHCPv6 clients with chosen DUIDs (the RFC 3074 hash of the DUID decides
 * the scope, as Kea's QueryFilter does) send real multicast SOLICITs from cli1. (a) both reach load-balancing;
 * (b) each client is served by the server of its scope; (c) every lease is on both servers before the REPLY (Kea
 * receives weka's lease6-bulk-apply, weka Kea's); anonymous lease6-bulk-apply and dhcp-disable to weka's HA
 * listener get 401; (d) after SIGKILL of kea-dhcp6 weka is in partner-down within max-response-delay + heartbeat
 * and serves Kea's scope; (e) the restarted Kea synchronises from weka (lease6-get-page) and both return to
 * load-balancing; (f) a RELEASE taken by either server removes the lease on both.
 * Needs root, iproute2, kea-dhcp6-server + kea-ctrl-agent + the two hooks, curl; else skipped.
 */
import assert from "node:assert/strict";
import { Lab, type LabProcess } from "./lab.ts";
import {
  anonymousCommand,
  controlCommand,
  HA_TIMING,
  haHooks,
  heartbeatState,
  HOOKS,
  labFetch,
  labSkipReason,
  MAIN,
  outputTail,
  scenarioSteps,
  until,
  untilStates,
  writeConfig,
} from "./weka_proc.ts";
import { PeerClient } from "../../mod/ha/peer_client.ts";
import { duidsIn, haDhcp6, lease6Maps, lease6Pairs, release6, sarr6, wekaDuid } from "./ha6_lab.ts";

const KEA6 = "/usr/sbin/kea-dhcp6", KEA_CA = "/usr/sbin/kea-ctrl-agent";
const HB = HA_TIMING.heartbeatDelay, MRD = HA_TIMING.maxResponseDelay;
const W_URL = "http://198.18.0.1:8001/", K_URL = "http://198.18.0.2:8000/";
const AUTH = { server1: { user: "ha-weka6", password: "w3ka6-pw" }, server2: { user: "ha-kea6", password: "k3a6-pw" } };

const why = labSkipReason(
  [KEA6, KEA_CA, `${HOOKS}/libdhcp_ha.so`, `${HOOKS}/libdhcp_lease_cmds.so`, "/usr/bin/curl"],
  "apt-get install kea-dhcp6-server kea-ctrl-agent curl",
);
if (why) console.log(`SKIP e2e ha6_kea: ${why}`);

const tail = (p: LabProcess | undefined, n = 25) => outputTail(p, n, "(not run)");

Deno.test({
  name: "e2e HA6: weka dhcp6 (primary) and kea-dhcp6 2.2 (secondary) load-balance, replicate, fail over, resync",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "wk6h-" });
    const lab = await Lab.up("wk6h-");
    let weka: LabProcess | undefined, kea: LabProcess | undefined, ca: LabProcess | undefined;
    const keas: LabProcess[] = [];
    try {
      const peers: [string, string, string, Record<string, unknown>][] = [
        ["server1", W_URL, "primary", {
          "basic-auth-user": AUTH.server1.user,
          "basic-auth-password": AUTH.server1.password,
        }],
        ["server2", K_URL, "secondary", {
          "basic-auth-user": AUTH.server2.user,
          "basic-auth-password": AUTH.server2.password,
        }],
      ];
      const pools = [
        { pool: "2001:db8:a::1:0 - 2001:db8:a::1:ffff", "client-class": "HA_server1" },
        { pool: "2001:db8:a::2:0 - 2001:db8:a::2:ffff", "client-class": "HA_server2" },
      ];
      const wSock = `${dir}/weka6.sock`, kSock = `${dir}/kea6.sock`;
      await Deno.mkdir(`${dir}/w`);
      await Deno.mkdir(`${dir}/k`);
      const wCfg = await writeConfig(
        dir,
        haDhcp6(
          wSock,
          { type: "kv", name: `${dir}/w/leases6.kv` },
          pools,
          haHooks("server1", "load-balancing", peers),
          `${dir}/w`,
        ),
        "weka6.json",
      );
      const kLease = { type: "memfile", persist: true, name: `${dir}/k/kea-leases6.csv`, "lfc-interval": 0 };
      const kCfg = await writeConfig(
        dir,
        haDhcp6(kSock, kLease, pools, haHooks("server2", "load-balancing", peers), `${dir}/k`),
        "kea-dhcp6.json",
      );
      const caCfg = await writeConfig(dir, {
        "Control-agent": {
          "http-host": "198.18.0.2",
          "http-port": 8000,
          "control-sockets": { dhcp6: { "socket-type": "unix", "socket-name": kSock } },
          authentication: { type: "basic", realm: "kea-control-agent", clients: [AUTH.server2] },
          loggers: [{ name: "kea-ctrl-agent", output_options: [{ output: "stdout" }], severity: "INFO" }],
        },
      }, "kea-ca.json");
      const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
      const peer = (name: "server1" | "server2", url: string, role: "primary" | "secondary") =>
        new PeerClient(
          { name, url, role, autoFailover: true, basicAuth: AUTH[name] },
          { fetchFn: labFetch(lab, "cli", 3), service: "dhcp6" },
        );
      const wPeer = peer("server1", W_URL, "primary"), kPeer = peer("server2", K_URL, "secondary");
      const states = async () => ({ weka: await heartbeatState(wPeer), kea: await heartbeatState(kPeer) });
      const startKea = async () => {
        kea = lab.spawn("srv2", [KEA6, "-c", kCfg], { env });
        keas.push(kea);
        await kea.waitFor(/DHCP6_STARTED/, 15_000);
      };
      const step = scenarioSteps(t, async () => {
        const s = await states();
        return `HA states now: weka=${s.weka}; kea=${s.kea}\n--- weka:\n${tail(weka)}\n--- kea-dhcp6:\n${tail(kea)}\n` +
          `--- kea-ctrl-agent:\n${tail(ca, 8)}`;
      });
      const used = new Set<string>();
      let wDuid = "", kDuid = "";
      const granted: { duid: string; address: string; server: string }[] = [];
      const serverOf = (bucket: number) => bucket === 0 ? wDuid : kDuid; // server1 is primary: bucket 0
      const both = async () => ({
        weka: lease6Pairs(await controlCommand(wSock, "lease6-get-all")),
        kea: lease6Pairs(await kPeer.send("lease6-get-all")),
      });

      await step("kea-dhcp6 -t accepts the configuration; Kea, its Control Agent and weka start", async () => {
        const r = await lab.run("srv2", [KEA6, "-t", kCfg], { env });
        assert.equal(r.code, 0, `kea-dhcp6 -t refused the configuration:\n${r.stdout}${r.stderr}`);
        await new Promise((r) => setTimeout(r, 2500)); // usable link-local addresses
        await startKea();
        ca = lab.spawn("srv2", [KEA_CA, "-c", caCfg], { env });
        await ca.waitFor(/CTRL_AGENT_HTTP_SERVICE_STARTED/, 15_000);
        weka = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp6", "-c", wCfg]);
        await weka.waitFor(/DHCP6_STARTED/, 30_000);
        wDuid = wekaDuid(weka.output);
        kDuid = (await Deno.readTextFile(`${dir}/k/kea-dhcp6-serverid`)).trim();
      });

      await step("(a) both servers reach load-balancing", async () => {
        const s = await untilStates(states, { weka: "load-balancing", kea: "load-balancing" }, 60_000);
        assert.deepEqual(s, { weka: "load-balancing", kea: "load-balancing" });
      });

      await step("(b) each client is served by the server its DUID hashes to", async () => {
        for (const bucket of [0, 1]) {
          for (const duid of duidsIn(bucket, 2, used)) {
            const l = await sarr6(lab, "cli1", duid);
            assert.equal(l.server, serverOf(bucket), `${duid} (bucket ${bucket}) answered by ${l.server}`);
            assert.ok(l.address.startsWith(bucket === 0 ? "2001:db8:a::1:" : "2001:db8:a::2:"), l.address);
            granted.push({ duid, ...l });
          }
        }
      });

      await step(
        "(c) every lease is on both servers, field for field; anonymous writes to weka are refused",
        async () => {
          const fields = ["ip-address", "duid", "iaid", "subnet-id", "valid-lft", "preferred-lft", "type", "state"];
          const w = lease6Maps(await controlCommand(wSock, "lease6-get-all"));
          const k = lease6Maps(await kPeer.send("lease6-get-all"));
          for (const g of granted) {
            const a = w.find((x) => x["ip-address"] === g.address), b = k.find((x) => x["ip-address"] === g.address);
            assert.ok(a && b, `${g.address} missing on ${a ? "Kea" : "weka"}`);
            for (const f of fields) assert.deepEqual(a[f], b[f], `${g.address}: ${f}`);
            assert.ok(Math.abs(Number(a.cltt) - Number(b.cltt)) <= 1, `${g.address}: cltt`);
          }
          for (const [cmd, args] of [["lease6-bulk-apply", { leases: [] }], ["dhcp-disable", {}]] as const) {
            const r = await anonymousCommand(lab, "cli", W_URL, cmd, args);
            assert.equal(r.status, "401", `anonymous ${cmd}: ${r.status} ${r.body}`);
          }
        },
      );

      let downLease: { duid: string; address: string } | undefined;
      await step("(d) SIGKILL kea-dhcp6: weka reaches partner-down and serves Kea's scope", async () => {
        kea!.kill("SIGKILL");
        await kea!.status;
        const t0 = Date.now();
        const bound = MRD + HB + 10_000;
        const down = await until(async () => (await heartbeatState(wPeer)) === "partner-down", bound, 200);
        assert.ok(down, `weka not in partner-down ${bound} ms after Kea died`);
        const failover = Date.now() - t0;
        assert.ok(failover >= MRD - HB - 250, `partner-down only ${failover} ms after the kill`);
        const [duid] = duidsIn(1, 1, used);
        const l = await sarr6(lab, "cli1", duid);
        console.log(
          `  failover: weka in partner-down ${failover} ms after SIGKILL (max-response-delay ${MRD} + ` +
            `heartbeat-delay ${HB}); ${duid} (Kea's scope) served by weka`,
        );
        assert.equal(l.server, wDuid);
        assert.ok(l.address.startsWith("2001:db8:a::2:"), `${l.address} not from the HA_server2 pool`);
        downLease = { duid, address: l.address };
      });

      await step("(e) Kea restarts, synchronises weka's leases and both return to load-balancing", async () => {
        await startKea();
        const s = await untilStates(states, { weka: "load-balancing", kea: "load-balancing" }, 60_000);
        assert.deepEqual(s, { weka: "load-balancing", kea: "load-balancing" });
        const k = (await both()).kea;
        assert.ok(k.includes(`${downLease!.address} ${downLease!.duid}`), `Kea lacks the partner-down lease: ${k}`);
        for (const g of granted) assert.ok(k.includes(`${g.address} ${g.duid}`), `Kea lost ${g.address}`);
        assert.match(kea!.output, /HA_SYNC_SUCCESSFUL/);
      });

      await step("(f) a RELEASE taken by either server removes the lease on both", async () => {
        for (const bucket of [0, 1]) {
          const g = granted.find((x) => x.server === serverOf(bucket))!;
          const r = await release6(lab, "cli1", g.duid, g.address, g.server);
          assert.equal(r.status, 0, JSON.stringify(r));
          const gone = await until(async () => {
            const b = await both();
            return !b.weka.includes(`${g.address} ${g.duid}`) && !b.kea.includes(`${g.address} ${g.duid}`);
          }, 5_000);
          assert.ok(gone, `${g.address} still active after its release: ${JSON.stringify(await both())}`);
        }
        assert.deepEqual(await states(), { weka: "load-balancing", kea: "load-balancing" });
      });
    } finally {
      await weka?.stop("SIGTERM", 5000);
      for (const k of keas) await k.stop("SIGTERM", 5000);
      await ca?.stop("SIGTERM", 5000);
      await lab.down();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
