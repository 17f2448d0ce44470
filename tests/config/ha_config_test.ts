/**
 * The HA hook's parameters (mod/config/compile_ha.ts) through the whole loader: article listing 9 compiles to the
 * expected HaConfig, every omitted key gets Kea 2.2's default (defaults.ts), explicit values are kept, and
 * HA_<peer> pool guards count as defined classes. The refusals are in ha_refusals_test.ts.
 */
import assert from "node:assert/strict";
import { formatProblem } from "../../mod/config/errors.ts";

import { doc, load, P1, peer, positionOf, rel } from "../ha/config_helpers.ts";

Deno.test("ha config: article listing 9 compiles to the expected relationship", () => {
  const listing = doc(`[{
      "this-server-name": "server1",
      "mode": "load-balancing",
      "heartbeat-delay": 10000,
      "max-response-delay": 60000,
      "max-ack-delay": 5000,
      "max-unacked-clients": 5,
      "delayed-updates-limit": 100,
      "peers": [{
        "name": "server1",
        "url": "http://172.17.1.43:8000/",
        "role": "primary",
        "auto-failover": true
      }, {
        "name": "server2",
        "url": "http://172.17.1.44:8000/",
        "role": "secondary",
        "auto-failover": true
      }]
    }]`);
  assert.deepEqual(load(listing).dhcp4!.ha, {
    thisServerName: "server1",
    mode: "load-balancing",
    heartbeatDelayMs: 10000,
    maxResponseDelayMs: 60000,
    maxAckDelayMs: 5000,
    maxUnackedClients: 5,
    maxRejectedLeaseUpdates: 10,
    delayedUpdatesLimit: 100,
    sendLeaseUpdates: true,
    syncLeases: true,
    syncTimeoutMs: 60000,
    syncPageLimit: 10000,
    waitBackupAck: false,
    requireClientCerts: true,
    restrictCommands: true,
    peers: [
      { name: "server1", url: "http://172.17.1.43:8000/", role: "primary", autoFailover: true },
      { name: "server2", url: "http://172.17.1.44:8000/", role: "secondary", autoFailover: true },
    ],
    pauses: new Map(),
    multiThreading: {
      enableMultiThreading: false,
      httpDedicatedListener: false,
      httpListenerThreads: 0,
      httpClientThreads: 0,
    },
  });
});

Deno.test("ha config: every timing key defaults as Kea 2.2's HA parser sets it", () => {
  const lb = load(doc(rel(""))).dhcp4!.ha!;
  assert.equal(lb.heartbeatDelayMs, 10000);
  assert.equal(lb.maxResponseDelayMs, 60000);
  assert.equal(lb.maxAckDelayMs, 10000);
  assert.equal(lb.maxUnackedClients, 10);
  assert.equal(lb.maxRejectedLeaseUpdates, 10);
  assert.equal(lb.delayedUpdatesLimit, 100, "load-balancing default");
  assert.equal(lb.sendLeaseUpdates, true);
  assert.equal(lb.syncLeases, true);
  assert.equal(lb.syncTimeoutMs, 60000);
  assert.equal(lb.syncPageLimit, 10000);
  assert.equal(lb.waitBackupAck, false);
  assert.deepEqual(lb.peers.map((p) => p.autoFailover), [true, true]);
  const hs = load(doc(rel("", `${P1}, ${peer("s2", "http://192.0.2.2:8000/", "standby")}`, "hot-standby")));
  assert.equal(hs.dhcp4!.ha!.delayedUpdatesLimit, 0, "0 outside load-balancing");
  const pb = load(
    doc(rel(`, "wait-backup-ack": true`, `${P1}, ${peer("b", "http://192.0.2.3:8000/", "backup")}`, "passive-backup")),
  );
  assert.equal(pb.dhcp4!.ha!.waitBackupAck, true, "allowed in passive-backup");
  assert.equal(pb.dhcp4!.ha!.delayedUpdatesLimit, 0);
});

Deno.test("ha config: explicit values, auth, TLS, IPv6 URL, backups and state pauses are kept", () => {
  const tls = `, "trust-anchor": "/etc/kea/ca.pem", "cert-file": "/etc/kea/c.pem", "key-file": "/etc/kea/k.pem"`;
  const c = load(doc(rel(
    `, "sync-leases": false, "send-lease-updates": false, "sync-page-limit": 5, "max-rejected-lease-updates": 0` +
      `, "state-machine": {"states": [{"state": "ready", "pause": "once"}, {"state": "waiting"}]}` + tls,
    `${
      peer("s1", "https://[2001:db8::1]:8443/", "primary", `, "basic-auth-user": "kea", "basic-auth-password": "pw"`)
    }, ` +
      `${peer("s2", "https://192.0.2.2:8443/", "secondary", `, "auto-failover": false`)}, ` +
      `${peer("b1", "https://192.0.2.3:8443/", "backup")}, ${peer("b2", "https://192.0.2.4:8443/", "backup")}`,
  ))).dhcp4!.ha!;
  assert.equal(c.syncLeases, false);
  assert.equal(c.sendLeaseUpdates, false);
  assert.equal(c.syncPageLimit, 5);
  assert.equal(c.maxRejectedLeaseUpdates, 0);
  assert.deepEqual([...c.pauses], [["ready", "once"], ["waiting", "never"]]);
  assert.deepEqual(c.peers[0].basicAuth, { user: "kea", password: "pw" });
  assert.equal(c.peers[1].autoFailover, false);
  assert.deepEqual(c.peers.map((p) => p.role), ["primary", "secondary", "backup", "backup"]);
  assert.deepEqual(c.peers[3].tls, {
    trustAnchor: "/etc/kea/ca.pem",
    certFile: "/etc/kea/c.pem",
    keyFile: "/etc/kea/k.pem",
  });
});

Deno.test("ha config: HA_<peer> guards count as defined; an HA_ guard naming no scope is warned about", () => {
  const sub = (cls: string) =>
    `, "subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "192.0.2.10 - 192.0.2.20", "client-class": "${cls}"}]}]`;
  assert.deepEqual(load(doc(rel(""), sub("HA_s2"))).warnings, []);
  const text = doc(rel(""), sub("HA_s3"));
  const w = load(text).warnings.map(formatProblem);
  assert.deepEqual(w, [
    `ha.json:${
      positionOf(text, `[|{"pool"`)
    }: Dhcp4.subnet4[0].pools[0]: class 'HA_s3' is not an HA scope class of this load-balancing relationship (HA_s1, HA_s2); no client will be able to use this scope`,
  ]);
  // hot-standby: only the primary's scope class exists
  const hs = load(
    doc(rel("", `${P1}, ${peer("s2", "http://192.0.2.2:8000/", "standby")}`, "hot-standby"), sub("HA_s2")),
  );
  assert.equal(hs.warnings.length, 1);
  assert.match(hs.warnings[0].message, /'HA_s2' is not an HA scope class of this hot-standby relationship \(HA_s1\)/);
});

Deno.test("ha config: libdhcp_ha.so without libdhcp_lease_cmds.so loads with a warning at the HA hook", () => {
  const text = doc(rel("")).replace(`{"library": "/usr/lib/kea/hooks/libdhcp_lease_cmds.so"},\n`, "");
  const c = load(text);
  assert.ok(c.dhcp4!.ha);
  assert.deepEqual(c.warnings.map((w) => `${w.path}: ${w.message}`), [
    "Dhcp4.hooks-libraries[0].library: libdhcp_ha.so without libdhcp_lease_cmds.so: the partner's lease updates and lease syncs will be refused (Kea needs both on every peer)",
  ]);
});
