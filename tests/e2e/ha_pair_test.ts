/**
 * End to end, in the namespace lab (prefix `wkk-`): two weka servers in a hot-standby HA pair (kea-features §1d),
 * weka on srv1 (primary "server1", HA listener http://198.18.0.1:8001/) and weka on srv2 (standby "server2",
 * http://198.18.0.2:8001/), one pool. Real udhcpc clients are served by the primary and their leases are on the
 * standby before the ACK; SIGKILLing the primary puts the standby in partner-down, where it serves a new client;
 * the restarted primary syncs the standby's leases and the pair returns to hot-standby. The peers authenticate
 * each other with Kea's `basic-auth-user`/`basic-auth-password`: an anonymous lease4-update (force-create) or
 * dhcp-disable to an HA listener gets HTTP 401 and changes nothing.
 * Needs root, iproute2, busybox udhcpc and curl; else skipped.
 */
import assert from "node:assert/strict";
import { Lab, type LabProcess } from "./lab.ts";
import {
  anonymousCommand,
  controlCommand,
  HA_TIMING,
  haDhcp4,
  haHooks,
  heartbeatState,
  labFetch,
  labSkipReason,
  leaseMaps,
  leasePairs,
  outputTail,
  scenarioSteps,
  setMac,
  startWeka,
  udhcpcBindAndRelease,
  udhcpcLease,
  udhcpcOnce,
  until,
  untilStates,
  writeConfig,
} from "./weka_proc.ts";
import { PeerClient } from "../../mod/ha/peer_client.ts";

const URL1 = "http://198.18.0.1:8001/", URL2 = "http://198.18.0.2:8001/";

const tail = (p: LabProcess | undefined, n = 25) => outputTail(p, n);

const why = labSkipReason(["/usr/sbin/udhcpc", "/usr/bin/curl"], "apt-get install udhcpc curl");
if (why) console.log(`SKIP e2e ha_pair: ${why}`);

Deno.test({
  name: "e2e HA: weka + weka hot-standby: primary serves, standby replicates, takes over on SIGKILL, primary resyncs",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "wkk-pair-" });
    const lab = await Lab.up("wkk-");
    let w1: LabProcess | undefined, w2: LabProcess | undefined;
    const primaries: LabProcess[] = [];
    try {
      // each server's entry holds the credentials its partner sends to it (and its own listener demands)
      const auth1 = { user: "ha-server1", password: "pw-one" }, auth2 = { user: "ha-server2", password: "pw-two" };
      const peers: [string, string, string, Record<string, unknown>][] = [
        ["server1", URL1, "primary", { "basic-auth-user": auth1.user, "basic-auth-password": auth1.password }],
        ["server2", URL2, "standby", { "basic-auth-user": auth2.user, "basic-auth-password": auth2.password }],
      ];
      const pools = [{ pool: "198.18.1.1 - 198.18.1.250" }];
      const sock1 = `${dir}/w1.sock`, sock2 = `${dir}/w2.sock`;
      const cfg = (me: string, sock: string) =>
        haDhcp4(
          sock,
          { type: "kv", name: `${dir}/${me}-leases4.kv` },
          pools,
          haHooks(me, "hot-standby", peers),
          "kea-dhcp4",
        );
      const cfg1 = await writeConfig(dir, cfg("server1", sock1), "server1.json");
      const cfg2 = await writeConfig(dir, cfg("server2", sock2), "server2.json");
      const client = (name: string, url: string, role: "primary" | "standby", basicAuth: typeof auth1) =>
        new PeerClient({ name, url, role, autoFailover: true, basicAuth }, { fetchFn: labFetch(lab, "cli", 3) });
      const p1 = client("server1", URL1, "primary", auth1), p2 = client("server2", URL2, "standby", auth2);
      const states = async () => ({ primary: await heartbeatState(p1), standby: await heartbeatState(p2) });
      const both = async (primary: string, standby: string, ms: number) => {
        const s = await untilStates(states, { primary, standby }, ms);
        assert.deepEqual(s, { primary, standby }, `not primary=${primary}, standby=${standby} within ${ms} ms`);
      };
      const step = scenarioSteps(t, async () => {
        const s = await states();
        return `HA states now: primary(server1)=${s.primary}; standby(server2)=${s.standby}\n--- primary weka ` +
          `output:\n${tail(w1)}\n--- standby weka output:\n${tail(w2)}`;
      });
      let n = 0;
      const serve = async () => {
        const mac = `02:4b:50:00:00:${(++n).toString(16).padStart(2, "0")}`;
        await setMac(lab, "cli1", "eth0", mac);
        const out = await udhcpcOnce(lab, "cli1");
        const l = udhcpcLease(out);
        assert.ok(l, `client ${mac} got no lease; udhcpc said:\n${out}`);
        return { mac, ...l };
      };
      const has = async (sock: string, l: { address: string; mac: string }) =>
        leasePairs(await controlCommand(sock, "lease4-get-all")).some(([a, m]) => a === l.address && m === l.mac);
      /** the lease of `address` on both servers is the same, field for field (what lease4-update carried) */
      const same = async (address: string) => {
        const fields = ["ip-address", "hw-address", "client-id", "subnet-id", "valid-lft", "cltt", "state", "hostname"];
        const get = async (sock: string) => {
          const l = leaseMaps(await controlCommand(sock, "lease4-get-all")).find((x) => x["ip-address"] === address);
          return l && Object.fromEntries(fields.map((f) => [f, l[f]]));
        };
        const [a, b] = [await get(sock1), await get(sock2)];
        assert.ok(a && b, `${address}: primary has ${JSON.stringify(a)}, standby has ${JSON.stringify(b)}`);
        assert.deepEqual(b, a, `${address} differs between the primary and the standby`);
      };
      const granted: { mac: string; address: string }[] = [];

      await step("both wekas start and reach hot-standby", async () => {
        w1 = await startWeka(lab, "srv1", cfg1);
        primaries.push(w1);
        w2 = await startWeka(lab, "srv2", cfg2);
        const t0 = Date.now();
        await both("hot-standby", "hot-standby", 60_000);
        console.log(`  both in hot-standby ${Date.now() - t0} ms after start`);
      });

      await step("clients are served by the primary; each lease is on the standby", async () => {
        for (let i = 0; i < 3; i++) {
          const l = await serve();
          assert.equal(l.server, "198.18.0.1", `${l.mac} was served by ${l.server}, not the primary`);
          assert.ok(await has(sock1, l), `the primary lacks its own lease ${l.address} ${l.mac}`);
          assert.ok(await has(sock2, l), `the standby lacks ${l.address} ${l.mac} after the client's ACK`);
          await same(l.address);
          granted.push(l);
        }
      });

      await step(
        "anonymous lease4-update and dhcp-disable to the standby's HA listener: 401, nothing changed",
        async () => {
          const forged = {
            "ip-address": "198.18.1.200",
            "hw-address": "02:ba:d0:00:00:01",
            "subnet-id": 1,
            "valid-lft": 3600,
            "force-create": true,
          };
          const up = await anonymousCommand(lab, "cli", URL2, "lease4-update", forged);
          assert.equal(up.status, "401", `anonymous lease4-update answered ${up.status}: ${up.body}`);
          const off = await anonymousCommand(lab, "cli", URL2, "dhcp-disable", {});
          assert.equal(off.status, "401", `anonymous dhcp-disable answered ${off.status}: ${off.body}`);
          const wrong = new PeerClient(
            { name: "server2", url: URL2, role: "standby", autoFailover: true, basicAuth: auth1 },
            { fetchFn: labFetch(lab, "cli", 3) },
          );
          await assert.rejects(wrong.send("dhcp-disable"), /HTTP 401/); // server1's credentials are not server2's
          const l2 = leaseMaps(await controlCommand(sock2, "lease4-get-all")).map((x) => x["ip-address"]);
          assert.ok(!l2.includes(forged["ip-address"]), "the forged lease reached the standby's database");
          const st = (await controlCommand(sock2, "status-get")).arguments as Record<string, Record<string, unknown>>;
          assert.equal(st["dhcp-state"]["disabled-by-user"], false, JSON.stringify(st["dhcp-state"]));
          assert.equal(st["dhcp-state"]["globally-disabled"], false, JSON.stringify(st["dhcp-state"]));
          assert.deepEqual(await states(), { primary: "hot-standby", standby: "hot-standby" });
          assert.match(w2!.output, /HTTP_CLIENT_REQUEST_NOT_AUTHORIZED/);
          // and the pair still replicates: a new client's lease is on the standby
          const l = await serve();
          assert.ok(await has(sock2, l), `after the refused requests the standby lacks ${l.address}`);
          granted.push(l);
        },
      );

      await step("a DHCPRELEASE to the primary reaches the standby (no active lease left on either)", async () => {
        await setMac(lab, "cli1", "eth0", "02:4b:50:00:01:00");
        const out = await udhcpcBindAndRelease(lab, "cli1", dir);
        assert.match(out, /unicasting a release/, `udhcpc sent no DHCPRELEASE:\n${out}`);
        const l = udhcpcLease(out)!;
        const find = async (sock: string) =>
          leaseMaps(await controlCommand(sock, "lease4-get-all")).find((x) => x["ip-address"] === l.address);
        const released = await until(
          async () => (await find(sock1))?.state === 3 && (await find(sock2)) === undefined,
          3000,
        );
        assert.ok(
          released,
          `after the release: primary ${JSON.stringify(await find(sock1))}, standby ${
            JSON.stringify(await find(sock2))
          }`,
        );
        // the primary keeps the lease as released (state 3, valid-lft 0); the standby was sent lease4-del, as Kea
        // 2.2 sends and expects for a release, so it has no lease for the address any more
        const [l1, l2] = [await find(sock1), await find(sock2)];
        assert.equal(l1?.state, 3, `primary: ${JSON.stringify(l1)}`);
        assert.equal(l2, undefined, `standby: ${JSON.stringify(l2)}`);
      });

      let late: { mac: string; address: string } | undefined;
      await step("SIGKILL the primary: the standby reaches partner-down and serves a new client", async () => {
        w1!.kill("SIGKILL");
        await w1!.status;
        const t0 = Date.now();
        const bound = HA_TIMING.maxResponseDelay + HA_TIMING.heartbeatDelay + 10_000;
        const down = await until(async () => (await heartbeatState(p2)) === "partner-down", bound, 200);
        assert.ok(down, `standby not in partner-down ${bound} ms after the primary died: ${await heartbeatState(p2)}`);
        const failover = Date.now() - t0;
        // the last contact was at most one heartbeat-delay before the kill: partner-down any earlier is premature
        assert.ok(
          failover >= HA_TIMING.maxResponseDelay - HA_TIMING.heartbeatDelay - 250,
          `partner-down only ${failover} ms after the kill, before max-response-delay`,
        );
        const l = await serve();
        console.log(
          `  failover: standby in partner-down ${failover} ms after SIGKILL; new client served ` +
            `${Date.now() - t0} ms after SIGKILL`,
        );
        assert.equal(l.server, "198.18.0.2", `${l.mac} was served by ${l.server}, not the standby`);
        assert.ok(await has(sock2, l), `the standby lacks its own lease ${l.address}`);
        late = l;
      });

      await step("restart the primary: it syncs, the pair returns to hot-standby, the new lease is on it", async () => {
        w1 = await startWeka(lab, "srv1", cfg1);
        primaries.push(w1);
        const t0 = Date.now();
        await both("hot-standby", "hot-standby", 60_000);
        console.log(`  back in hot-standby ${Date.now() - t0} ms after the primary's restart`);
        assert.ok(await has(sock1, late!), `the primary did not sync ${late!.address} ${late!.mac}`);
        await same(late!.address);
        for (const g of granted) assert.ok(await has(sock1, g), `the primary lost ${g.address} across its restart`);
        const l = await serve();
        assert.equal(l.server, "198.18.0.1", `after the return ${l.mac} was served by ${l.server}`);
        assert.ok(await has(sock2, l), `after the return the standby lacks ${l.address} ${l.mac}`);
      });
    } finally {
      await lab.down();
      const logDir = Deno.env.get("WKK_LOG"); // keep both servers' output for a post-mortem
      if (logDir) {
        Deno.writeTextFileSync(`${logDir}/primary.log`, primaries.map((p) => p.output).join("\n--- restart ---\n"));
        Deno.writeTextFileSync(`${logDir}/standby.log`, w2?.output ?? "");
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
