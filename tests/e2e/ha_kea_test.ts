/**
 * End to end, in the namespace lab (prefix `wkk-`): a weka server pairs with a real Kea 2.2 server in a
 * load-balancing HA relationship, the migration story "a weka server can pair with a Kea server during the move".
 * weka runs on srv1 ("server1", HA listener http://198.18.0.1:8001/), kea-dhcp4 2.2 with libdhcp_lease_cmds.so +
 * libdhcp_ha.so on srv2 ("server2") behind kea-ctrl-agent on 198.18.0.2:8000 (Kea 2.2 without multi-threading takes
 * HA commands through its Control Agent); the scenario runs twice, weka primary then weka secondary. The pools are
 * split with `client-class` HA_server1 / HA_server2 as Kea's ARM (and article Listing 9) does. Real udhcpc clients
 * with chosen MACs (hashed with the RFC 3074 Pearson hash, kea-features §1d) are served by the server whose scope
 * they fall in; each lease reaches the partner, field for field, before the ACK; SIGKILLing Kea puts weka in
 * partner-down, where it serves Kea's scope too; a restarted Kea syncs from weka (several lease4-get-page rounds)
 * and the pair returns to load-balancing; a DHCPRELEASE taken by either server leaves no active lease on the other;
 * ha-maintenance-start/cancel work from either side, and a client served right after a cancel leaves the pair either
 * in load-balancing or, when Kea 2.2 acts on its stale partner state, exactly where a Kea 2.2 pair ends up (g3).
 * The peers authenticate each other as a Kea pair does: the first scenario with `basic-auth-user` /
 * `basic-auth-password` (Kea's Control Agent checks them with its `authentication` map, weka's HA listener with the
 * credentials of its own peer entry), the second with mutual TLS (`trust-anchor`, `cert-file`, `key-file`,
 * `require-client-certs`, Kea's Control Agent with `cert-required`); in both, an anonymous lease4-update or
 * dhcp-disable to weka's HA listener is refused and changes nothing.
 * Needs root, iproute2, kea-dhcp4 + kea-ctrl-agent + the two hooks, busybox udhcpc and curl; else skipped.
 * WKK_LOG=<dir> keeps every server's output there.
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
  HOOKS,
  LAB_HA_PARAMS,
  labFetch,
  labSkipReason,
  type LabTls,
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
import { cancelThenClient, type KeaPairRig, maintenanceRoundTrip } from "./ha_kea_maintenance.ts";
import { pearsonHash } from "../../mod/ha/query_filter.ts";
import { makeTestCerts } from "../control/cert_helpers.ts";

const KEA4 = "/usr/sbin/kea-dhcp4", KEA_CA = "/usr/sbin/kea-ctrl-agent";
const HB = HA_TIMING.heartbeatDelay, MRD = HA_TIMING.maxResponseDelay;
/** How the peers authenticate each other in a scenario. */
type Security = "basic-auth" | "mutual-tls";

/** The credentials each server's peer entry holds (what its partner sends to it). */
const AUTH = { server1: { user: "ha-weka", password: "w3ka-pw" }, server2: { user: "ha-kea", password: "k3a-pw" } };

/**
 * The load-balancing scope udhcpc's query with `mac` falls in: its client-id (type 1 + MAC) hashed, % 2; bucket 0
 * is the primary's scope (`primary`), bucket 1 the other server's.
 */
function scopeOfMac(mac: string, primary: string): string {
  const key = Uint8Array.of(1, ...mac.split(":").map((h) => parseInt(h, 16)));
  return (pearsonHash(key) % 2 === 0) === (primary === "server1") ? "server1" : "server2";
}

/** `n` MACs (02:4b:4b:00:…) whose queries fall in `scope` when `primary` is primary, skipping those in `used`. */
function macsInScope(scope: string, primary: string, n: number, used: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const mac = `02:4b:4b:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`;
    if (!used.has(mac) && scopeOfMac(mac, primary) === scope) out.push(mac);
  }
  out.forEach((m) => used.add(m));
  return out;
}

const tail = (p: LabProcess | undefined, n = 25) => outputTail(p, n, "(not run)");

const why = labSkipReason(
  [KEA4, KEA_CA, `${HOOKS}/libdhcp_ha.so`, `${HOOKS}/libdhcp_lease_cmds.so`, "/usr/sbin/udhcpc", "/usr/bin/curl"],
  "apt-get install kea-dhcp4-server kea-ctrl-agent udhcpc curl",
);
if (why) console.log(`SKIP e2e ha_kea: ${why}`);

/**
 * The scenario with weka (server1, srv1) in `wekaRole` and Kea (server2, srv2) in the other role: the scopes keep
 * the server names (HA_server1 = weka's pool, HA_server2 = Kea's), only the hash buckets swap.
 */
function scenario(wekaRole: "primary" | "secondary", security: Security): void {
  const keaRole = wekaRole === "primary" ? "secondary" : "primary";
  const scheme = security === "mutual-tls" ? "https" : "http";
  const W_URL = `${scheme}://198.18.0.1:8001/`, K_URL = `${scheme}://198.18.0.2:8000/`;
  const primary = wekaRole === "primary" ? "server1" : "server2";
  const lbScope = (mac: string) => scopeOfMac(mac, primary);
  const macsIn = (scope: string, n: number, used: Set<string>) => macsInScope(scope, primary, n, used);
  Deno.test({
    name: `e2e HA (${security}): weka (${wekaRole}) and Kea 2.2 (${keaRole}) load-balance, replicate both ways, ` +
      "fail over, resync; anonymous writes refused",
    ignore: why !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const dir = await Deno.makeTempDir({ prefix: "wkk-" });
      const lab = await Lab.up("wkk-");
      let weka: LabProcess | undefined, kea: LabProcess | undefined, ca: LabProcess | undefined;
      const keas: LabProcess[] = [];
      try {
        // mutual TLS: one CA; each server's certificate names both lab addresses and serves both ends
        const tls: LabTls = { ca: `${dir}/ca.pem`, cert: `${dir}/peer.pem`, key: `${dir}/peer.key` };
        let haParams: Record<string, unknown> = LAB_HA_PARAMS;
        const peerExtra = (name: "server1" | "server2") =>
          security === "basic-auth"
            ? { "basic-auth-user": AUTH[name].user, "basic-auth-password": AUTH[name].password }
            : {};
        if (security === "mutual-tls") {
          await makeTestCerts(
            dir,
            "wkk HA CA",
            { peer: "ha-peer" },
            "subjectAltName=IP:198.18.0.1,IP:198.18.0.2\nbasicConstraints=CA:FALSE\n" +
              "extendedKeyUsage=serverAuth,clientAuth\n",
          );
          haParams = {
            ...LAB_HA_PARAMS,
            "trust-anchor": tls.ca,
            "cert-file": tls.cert,
            "key-file": tls.key,
            "require-client-certs": true,
          };
        }
        const peers: [string, string, string, Record<string, unknown>][] = [
          ["server1", W_URL, wekaRole, peerExtra("server1")],
          ["server2", K_URL, keaRole, peerExtra("server2")],
        ];
        const pools = [
          { pool: "198.18.1.1 - 198.18.1.250", "client-class": "HA_server1" },
          { pool: "198.18.2.1 - 198.18.2.250", "client-class": "HA_server2" },
        ];
        const wSock = `${dir}/weka.sock`, kSock = `${dir}/kea4.sock`;
        const wLease = { type: "kv", name: `${dir}/weka-leases4.kv` };
        const wCfg = await writeConfig(
          dir,
          haDhcp4(wSock, wLease, pools, haHooks("server1", "load-balancing", peers, haParams)),
        );
        const kLease = { type: "memfile", persist: true, name: `${dir}/kea-leases4.csv`, "lfc-interval": 0 };
        const kCfg = await writeConfig(
          dir,
          haDhcp4(kSock, kLease, pools, haHooks("server2", "load-balancing", peers, haParams)),
          "kea-dhcp4.json",
        );
        const caCfg = await writeConfig(dir, {
          "Control-agent": {
            "http-host": "198.18.0.2",
            "http-port": 8000,
            "control-sockets": { dhcp4: { "socket-type": "unix", "socket-name": kSock } },
            loggers: [{ name: "kea-ctrl-agent", output_options: [{ output: "stdout" }], severity: "INFO" }],
            ...(security === "basic-auth"
              ? {
                authentication: {
                  type: "basic",
                  realm: "kea-control-agent",
                  clients: [AUTH.server2, { user: "operator", password: "op-pw" }],
                },
              }
              : { "trust-anchor": tls.ca, "cert-file": tls.cert, "key-file": tls.key, "cert-required": true }),
          },
        }, "kea-ca.json");
        const env = { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
        // the test talks to each server as its partner does (same credentials or client certificate)
        const peer = (name: "server1" | "server2", url: string, role: "primary" | "secondary") =>
          new PeerClient(
            { name, url, role, autoFailover: true, ...(security === "basic-auth" ? { basicAuth: AUTH[name] } : {}) },
            { fetchFn: labFetch(lab, "cli", 3, security === "mutual-tls" ? tls : undefined) },
          );
        const wPeer = peer("server1", W_URL, wekaRole), kPeer = peer("server2", K_URL, keaRole);
        const states = async () => ({ weka: await heartbeatState(wPeer), kea: await heartbeatState(kPeer) });
        const startKea = async () => {
          kea = lab.spawn("srv2", [KEA4, "-c", kCfg], { env });
          keas.push(kea);
          await kea.waitFor(/DHCP4_STARTED/, 15_000);
        };
        const step = scenarioSteps(t, async () => {
          const s = await states();
          return `HA states now: weka(server1, ${wekaRole})=${s.weka}; kea(server2, ${keaRole})=${s.kea}\n` +
            `--- weka output:\n${tail(weka)}\n--- kea-dhcp4 output:\n${tail(kea)}\n` +
            `--- kea-ctrl-agent output:\n${tail(ca, 8)}`;
        });
        const used = new Set<string>();
        const granted: { mac: string; address: string; server: string }[] = [];
        const serve = async (mac: string) => {
          await setMac(lab, "cli1", "eth0", mac);
          const out = await udhcpcOnce(lab, "cli1");
          const l = udhcpcLease(out);
          assert.ok(l, `client ${mac} (scope ${lbScope(mac)}) got no lease; udhcpc said:\n${out}`);
          return l;
        };

        await step(
          "Kea's configuration passes kea-dhcp4 -t; Kea and its Control Agent start; weka starts",
          async () => {
            const r = await lab.run("srv2", [KEA4, "-t", kCfg], { env });
            assert.equal(r.code, 0, `kea-dhcp4 -t refused the configuration:\n${r.stdout}${r.stderr}`);
            await startKea();
            ca = lab.spawn("srv2", [KEA_CA, "-c", caCfg], { env });
            await ca.waitFor(/CTRL_AGENT_HTTPS?_SERVICE_STARTED/, 15_000);
            weka = await startWeka(lab, "srv1", wCfg);
            // Kea answers heartbeats through its CA in its own state from the start
            const k = await until(async () => /^[a-z-]+$/.test(await heartbeatState(kPeer)), 10_000);
            assert.ok(k, `Kea does not answer ha-heartbeat via its CA: ${await heartbeatState(kPeer)}`);
          },
        );

        await step("(a) both servers reach load-balancing", async () => {
          const t0 = Date.now();
          const s = await untilStates(states, { weka: "load-balancing", kea: "load-balancing" }, 60_000);
          assert.deepEqual(s, { weka: "load-balancing", kea: "load-balancing" }, "not both in load-balancing in 60 s");
          console.log(`  both in load-balancing ${Date.now() - t0} ms after start`);
        });

        await step(
          "(b) udhcpc clients get leases, each from the server whose scope its client-id hashes to",
          async () => {
            const macs = [...macsIn("server1", 3, used), ...macsIn("server2", 3, used)];
            for (const mac of macs) {
              const l = await serve(mac);
              const scope = lbScope(mac);
              const want = scope === "server1"
                ? { server: "198.18.0.1", net: "198.18.1." }
                : { server: "198.18.0.2", net: "198.18.2." };
              assert.equal(l.server, want.server, `${mac} hashes to ${scope} but was served by ${l.server}`);
              assert.ok(l.address.startsWith(want.net), `${mac} got ${l.address}, outside ${scope}'s pool`);
              granted.push({ mac, ...l });
            }
            console.log(`  granted: ${granted.map((g) => `${g.mac}→${g.address} by ${g.server}`).join(", ")}`);
          },
        );

        await step(
          "(c) every granted lease is on both servers, field for field (updates cross before the ACK)",
          async () => {
            const fields = [
              "ip-address",
              "hw-address",
              "client-id",
              "subnet-id",
              "valid-lft",
              "cltt",
              "state",
              "hostname",
            ];
            const pick = (l: Record<string, unknown> | undefined) =>
              l && Object.fromEntries(fields.map((f) => [f, l[f]]));
            const w = leaseMaps(await controlCommand(wSock, "lease4-get-all"));
            const k = leaseMaps(await kPeer.send("lease4-get-all"));
            for (const g of granted) {
              const wl = pick(w.find((l) => l["ip-address"] === g.address));
              const kl = pick(k.find((l) => l["ip-address"] === g.address));
              assert.ok(wl, `weka lacks ${g.address} (granted by ${g.server} to ${g.mac})`);
              assert.ok(kl, `Kea lacks ${g.address} (granted by ${g.server} to ${g.mac})`);
              assert.equal(wl["hw-address"], g.mac);
              assert.equal(wl["client-id"], `01:${g.mac}`);
              assert.deepEqual(kl, wl, `${g.address} (granted by ${g.server}) differs between Kea and weka`);
            }
          },
        );

        await step(
          "anonymous lease4-update and dhcp-disable to weka's HA listener are refused; nothing changes",
          async () => {
            const forged = {
              "ip-address": "198.18.1.200",
              "hw-address": "02:ba:d0:00:00:01",
              "subnet-id": 1,
              "valid-lft": 3600,
              "force-create": true,
            };
            for (const [cmd, args] of [["lease4-update", forged], ["dhcp-disable", {}]] as const) {
              const r = await anonymousCommand(lab, "cli", W_URL, cmd, args, tls.ca);
              if (security === "basic-auth") assert.equal(r.status, "401", `anonymous ${cmd}: ${r.status} ${r.body}`);
              else assert.ok(r.code !== 0 && r.body === "", `anonymous ${cmd} over TLS got an answer: ${r.body}`);
            }
            const w = leaseMaps(await controlCommand(wSock, "lease4-get-all")).map((x) => x["ip-address"]);
            assert.ok(!w.includes(forged["ip-address"]), "the forged lease reached weka's database");
            const st = (await controlCommand(wSock, "status-get")).arguments as Record<string, Record<string, unknown>>;
            assert.equal(st["dhcp-state"]["globally-disabled"], false, JSON.stringify(st["dhcp-state"]));
            assert.deepEqual(await states(), { weka: "load-balancing", kea: "load-balancing" });
            assert.match(
              weka!.output,
              security === "basic-auth" ? /HTTP_CLIENT_REQUEST_NOT_AUTHORIZED/ : /HTTP_TLS_HANDSHAKE_FAILED/,
            );
          },
        );

        let downLease: { mac: string; address: string } | undefined;
        await step("(d) SIGKILL kea-dhcp4: weka reaches partner-down and serves Kea's scope", async () => {
          kea!.kill("SIGKILL");
          await kea!.status;
          const t0 = Date.now();
          const bound = MRD + HB + 10_000;
          const down = await until(async () => (await heartbeatState(wPeer)) === "partner-down", bound, 200);
          assert.ok(down, `weka not in partner-down ${bound} ms after Kea died: ${await heartbeatState(wPeer)}`);
          const failover = Date.now() - t0;
          // the last contact was at most one heartbeat-delay before the kill: partner-down any earlier is premature
          assert.ok(
            failover >= MRD - HB - 250,
            `partner-down only ${failover} ms after the kill, before max-response-delay`,
          );
          const [mac] = macsIn("server2", 1, used);
          const l = await serve(mac);
          console.log(
            `  failover: weka in partner-down ${failover} ms after SIGKILL (max-response-delay ${MRD} + ` +
              `heartbeat-delay ${HB}); client ${mac} (Kea's scope) served ${Date.now() - t0} ms after SIGKILL`,
          );
          assert.equal(l.server, "198.18.0.1", `${mac} (scope server2) was not served by weka`);
          assert.ok(l.address.startsWith("198.18.2."), `${mac} got ${l.address}, not from the HA_server2 pool`);
          downLease = { mac, address: l.address };
        });

        await step("(e) Kea restarts, syncs weka's leases and both return to load-balancing", async () => {
          await startKea();
          const t0 = Date.now();
          const s = await untilStates(states, { weka: "load-balancing", kea: "load-balancing" }, 60_000);
          assert.deepEqual(s, { weka: "load-balancing", kea: "load-balancing" }, "not back in load-balancing in 60 s");
          console.log(`  back in load-balancing ${Date.now() - t0} ms after Kea's restart`);
          const k = leasePairs(await kPeer.send("lease4-get-all")).map((p) => p.join(" "));
          const want = `${downLease!.address} ${downLease!.mac}`;
          assert.ok(k.includes(want), `Kea did not sync ${want} (granted in partner-down); Kea has ${k.join(", ")}`);
          for (const g of granted) assert.ok(k.includes(`${g.address} ${g.mac}`), `Kea lost ${g.address}`);
          assert.match(kea!.output, /HA_SYNC_SUCCESSFUL/, "Kea logged no successful lease synchronisation");
        });

        await step("(f) back in load-balancing, each server serves its own scope again and updates cross", async () => {
          for (const scope of ["server2", "server1"]) {
            const [mac] = macsIn(scope, 1, used);
            const l = await serve(mac);
            const server = scope === "server1" ? "198.18.0.1" : "198.18.0.2";
            assert.equal(l.server, server, `${mac} (scope ${scope}) was served by ${l.server} after the return`);
            const w = leasePairs(await controlCommand(wSock, "lease4-get-all")).map((p) => p.join(" "));
            const k = leasePairs(await kPeer.send("lease4-get-all")).map((p) => p.join(" "));
            assert.ok(w.includes(`${l.address} ${mac}`), `weka lacks ${l.address} ${mac} (granted by ${l.server})`);
            assert.ok(k.includes(`${l.address} ${mac}`), `Kea lacks ${l.address} ${mac} (granted by ${l.server})`);
          }
        });

        await step(
          "(h) released leases: the partner learns each release, whichever server took it; HA survives",
          async () => {
            const lease = async (ip: string) => ({
              weka: leaseMaps(await controlCommand(wSock, "lease4-get-all")).find((x) => x["ip-address"] === ip),
              kea: leaseMaps(await kPeer.send("lease4-get-all")).find((x) => x["ip-address"] === ip),
            });
            const problems: string[] = [];
            for (const scope of ["server1", "server2"]) {
              const [mac] = macsIn(scope, 1, used);
              await setMac(lab, "cli1", "eth0", mac);
              const out = await udhcpcBindAndRelease(lab, "cli1", dir);
              assert.match(out, /unicasting a release/, `udhcpc ${mac} sent no DHCPRELEASE:\n${out}`);
              const l = udhcpcLease(out)!;
              // released = no longer an active lease (state 0) on either server: deleted (Kea 2.2) or kept released
              const gone = await until(async () => {
                const x = await lease(l.address);
                return x.weka?.state !== 0 && x.kea?.state !== 0;
              }, 3000);
              if (!gone) {
                problems.push(
                  `${l.address} (${mac}, scope ${scope}) released to ${l.server} is still active somewhere: ` +
                    JSON.stringify(await lease(l.address)),
                );
              }
            }
            // nine more releases at weka (distinct clients): a partner refusing them must not end HA (Kea's
            // max-rejected-lease-updates, default 10, counts conflicts only)
            for (const mac of macsIn("server1", 9, used)) {
              await setMac(lab, "cli1", "eth0", mac);
              await udhcpcBindAndRelease(lab, "cli1", dir);
            }
            await new Promise((r) => setTimeout(r, 2 * HB + 500)); // two heartbeats
            const s = await states();
            if (s.weka !== "load-balancing" || s.kea !== "load-balancing") {
              problems.push(`after 10 releases at weka the pair left load-balancing: ${JSON.stringify(s)}`);
            }
            assert.deepEqual(problems, [], problems.join("\n"));
          },
        );

        // the maintenance steps (tests/e2e/ha_kea_maintenance.ts) on this scenario's lab
        const rigK: KeaPairRig = {
          wSock,
          kPeer,
          states,
          serve,
          macsIn: (scope, n) => macsIn(scope, n, used),
          keaOutput: () => kea?.output ?? "",
        };
        await step(
          "(g1) ha-maintenance-start on Kea: weka in-maintenance, Kea serves weka's scope; cancel",
          () => maintenanceRoundTrip(rigK, "kea"),
        );
        await step(
          "(g2) ha-maintenance-start on weka: Kea in-maintenance, weka serves Kea's scope; cancel",
          () => maintenanceRoundTrip(rigK, "weka"),
        );
        await step(
          "(g3) a client of Kea's scope right after a cancel on weka: the pair stays in load-balancing or relapses " +
            "as two Kea 2.2 servers do; a quiet cancel then restores load-balancing, each server serving its scope",
          () => cancelThenClient(rigK),
        );
      } finally {
        await lab.down();
        const logDir = Deno.env.get("WKK_LOG"); // keep every server's output for a post-mortem
        if (logDir) {
          const sfx = `-weka-${wekaRole}`;
          Deno.writeTextFileSync(`${logDir}/weka${sfx}.log`, weka?.output ?? "");
          Deno.writeTextFileSync(
            `${logDir}/kea-dhcp4${sfx}.log`,
            keas.map((k) => k.output).join("\n--- restart ---\n"),
          );
          Deno.writeTextFileSync(`${logDir}/kea-ctrl-agent${sfx}.log`, ca?.output ?? "");
        }
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}

scenario("primary", "basic-auth");
scenario("secondary", "mutual-tls");
