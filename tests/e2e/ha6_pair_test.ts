/**
 * End to end, a weka + weka DHCPv6 hot-standby pair (prefix `wk6p-`; issue 14 "Show"): weka dhcp6 on srv1 (primary
 * "server1", HA listener https://198.18.0.1:8001/) and on srv2 (standby "server2", https://198.18.0.2:8001/), one
 * pool, the peers authenticated by mutual TLS (`trust-anchor`, `cert-file`, `key-file`, `require-client-certs`):
 * (a) the pair reaches hot-standby; (b) the primary serves DHCPv6 clients and each lease is on the standby before
 * the REPLY; a client without a certificate gets no answer from an HA listener; (c) after SIGKILL of the primary
 * the standby is in partner-down within max-response-delay + heartbeat and serves a new client; (d) the restarted
 * primary synchronises the standby's leases (lease6-get-page) and the pair returns to hot-standby.
 * Needs root, iproute2, openssl and curl; else skipped.
 */
import assert from "node:assert/strict";
import { Lab, type LabProcess } from "./lab.ts";
import {
  anonymousCommand,
  controlCommand,
  HA_TIMING,
  haHooks,
  heartbeatState,
  LAB_HA_PARAMS,
  labFetch,
  labSkipReason,
  type LabTls,
  MAIN,
  outputTail,
  scenarioSteps,
  until,
  untilStates,
  writeConfig,
} from "./weka_proc.ts";
import { PeerClient } from "../../mod/ha/peer_client.ts";
import { makeTestCerts } from "../control/cert_helpers.ts";
import { duidsIn, haDhcp6, lease6Pairs, sarr6, wekaDuid } from "./ha6_lab.ts";

const URL1 = "https://198.18.0.1:8001/", URL2 = "https://198.18.0.2:8001/";
const HB = HA_TIMING.heartbeatDelay, MRD = HA_TIMING.maxResponseDelay;

const why = labSkipReason(["/usr/bin/curl", "/usr/bin/openssl"], "apt-get install curl openssl");
if (why) console.log(`SKIP e2e ha6_pair: ${why}`);

const tail = (p: LabProcess | undefined, n = 25) => outputTail(p, n);

Deno.test({
  name: "e2e HA6: weka + weka hot-standby (mutual TLS): primary serves, standby replicates, takes over, resyncs",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "wk6p-" });
    const lab = await Lab.up("wk6p-");
    let w1: LabProcess | undefined, w2: LabProcess | undefined;
    const primaries: LabProcess[] = [];
    try {
      const tls: LabTls = { ca: `${dir}/ca.pem`, cert: `${dir}/peer.pem`, key: `${dir}/peer.key` };
      await makeTestCerts(
        dir,
        "wk6p HA CA",
        { peer: "ha-peer" },
        "subjectAltName=IP:198.18.0.1,IP:198.18.0.2\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n",
      );
      const params = {
        ...LAB_HA_PARAMS,
        "trust-anchor": tls.ca,
        "cert-file": tls.cert,
        "key-file": tls.key,
        "require-client-certs": true,
      };
      const peers: [string, string, string][] = [["server1", URL1, "primary"], ["server2", URL2, "standby"]];
      const pools = [{ pool: "2001:db8:a::5:0 - 2001:db8:a::5:ffff" }];
      const cfgOf = async (n: 1 | 2) => {
        await Deno.mkdir(`${dir}/s${n}`);
        return await writeConfig(
          dir,
          haDhcp6(
            `${dir}/s${n}/ctrl.sock`,
            { type: "kv", name: `${dir}/s${n}/leases6.kv` },
            pools,
            haHooks(`server${n}`, "hot-standby", peers, params),
            `${dir}/s${n}`,
          ),
          `weka6-${n}.json`,
        );
      };
      const cfg1 = await cfgOf(1), cfg2 = await cfgOf(2);
      const peer = (name: string, url: string, role: "primary" | "standby") =>
        new PeerClient({ name, url, role, autoFailover: true }, {
          fetchFn: labFetch(lab, "cli", 3, tls),
          service: "dhcp6",
        });
      const p1 = peer("server1", URL1, "primary"), p2 = peer("server2", URL2, "standby");
      const states = async () => ({ primary: await heartbeatState(p1), standby: await heartbeatState(p2) });
      const start = async (host: string, cfg: string) => {
        const p = lab.spawn(host, ["deno", "run", "-A", MAIN, "dhcp6", "-c", cfg]);
        await p.waitFor(/DHCP6_STARTED/, 30_000);
        return p;
      };
      const step = scenarioSteps(t, async () => {
        const s = await states();
        return `HA states now: ${JSON.stringify(s)}\n--- primary:\n${tail(w1)}\n--- standby:\n${tail(w2)}`;
      });
      const used = new Set<string>();
      const granted: { duid: string; address: string }[] = [];
      let d1 = "", d2 = "";

      await step("(a) both start and reach hot-standby", async () => {
        await new Promise((r) => setTimeout(r, 2500)); // usable link-local addresses
        w1 = await start("srv1", cfg1);
        primaries.push(w1);
        w2 = await start("srv2", cfg2);
        d1 = wekaDuid(w1.output);
        d2 = wekaDuid(w2.output);
        const s = await untilStates(states, { primary: "hot-standby", standby: "hot-standby" }, 60_000);
        assert.deepEqual(s, { primary: "hot-standby", standby: "hot-standby" });
      });

      await step(
        "(b) the primary serves every client; each lease is on the standby; no certificate, no answer",
        async () => {
          for (const duid of [...duidsIn(0, 2, used), ...duidsIn(1, 2, used)]) {
            const l = await sarr6(lab, "cli1", duid);
            assert.equal(l.server, d1, `${duid} answered by ${l.server}, not the primary`);
            granted.push({ duid, address: l.address });
          }
          const s2 = lease6Pairs(await controlCommand(`${dir}/s2/ctrl.sock`, "lease6-get-all"));
          for (const g of granted) assert.ok(s2.includes(`${g.address} ${g.duid}`), `the standby lacks ${g.address}`);
          for (const [cmd, args] of [["lease6-bulk-apply", { leases: [] }], ["dhcp-disable", {}]] as const) {
            const r = await anonymousCommand(lab, "cli", URL2, cmd, args, tls.ca);
            assert.ok(r.code !== 0 && r.body === "", `${cmd} without a client certificate got an answer: ${r.body}`);
          }
          assert.match(w2!.output, /HTTP_TLS_HANDSHAKE_FAILED/);
        },
      );

      let downLease: { duid: string; address: string } | undefined;
      await step("(c) SIGKILL the primary: the standby reaches partner-down and serves", async () => {
        w1!.kill("SIGKILL");
        await w1!.status;
        const t0 = Date.now();
        const down = await until(async () => (await heartbeatState(p2)) === "partner-down", MRD + HB + 10_000, 200);
        assert.ok(down, "the standby is not in partner-down");
        const failover = Date.now() - t0;
        assert.ok(failover >= MRD - HB - 250, `partner-down only ${failover} ms after the kill`);
        console.log(
          `  failover: standby in partner-down ${failover} ms after SIGKILL (max-response-delay ${MRD} + ` +
            `heartbeat-delay ${HB})`,
        );
        const [duid] = duidsIn(0, 1, used);
        const l = await sarr6(lab, "cli1", duid);
        assert.equal(l.server, d2, "the standby answers in partner-down");
        downLease = { duid, address: l.address };
      });

      await step("(d) the primary restarts, synchronises, and the pair returns to hot-standby", async () => {
        w1 = await start("srv1", cfg1);
        primaries.push(w1);
        const s = await untilStates(states, { primary: "hot-standby", standby: "hot-standby" }, 60_000);
        assert.deepEqual(s, { primary: "hot-standby", standby: "hot-standby" });
        const s1 = lease6Pairs(await controlCommand(`${dir}/s1/ctrl.sock`, "lease6-get-all"));
        assert.ok(s1.includes(`${downLease!.address} ${downLease!.duid}`), `the primary did not sync: ${s1}`);
        assert.match(w1.output, /HA_SYNC_SUCCESSFUL/);
        assert.equal(wekaDuid(w1.output), d1, "the same server DUID after the restart");
        const [duid] = duidsIn(1, 1, used);
        assert.equal((await sarr6(lab, "cli1", duid)).server, d1, "the primary serves again");
      });
    } finally {
      for (const p of [...primaries, w2]) await p?.stop("SIGTERM", 5000);
      await lab.down();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
