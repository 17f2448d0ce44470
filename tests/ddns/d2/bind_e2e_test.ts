/**
 * End to end against a real BIND 9 started by the test on 127.0.0.1 (loopback only): NCRs in over UDP, signed
 * updates out, `dig` checks the zone. Forward zone signed with HMAC-MD5, reverse with HMAC-SHA256 behind a dead
 * first server (as Listing 10's second reverse server). Skipped when named is missing or we are not root.
 */
import assert from "node:assert/strict";
import { BIND_KEYS, bindAvailable, startBind } from "../bind_harness.ts";
import { compileD2Config } from "../../../mod/config/compile_d2.ts";
import { startD2 } from "../../../mod/ddns/d2/daemon.ts";
import { computeDhcid } from "../../../mod/ddns/dns/dhcid.ts";
import type { NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import { openNcrSender } from "../../../mod/ddns/ncr/udp.ts";
import dgram from "node:dgram";
import { loadHex, memoryLog } from "../fixture.ts";

const PORT = 15354;
const ignore = !(await bindAvailable());

function ncr(changeType: "add" | "remove", fqdn: string, ip: string, clientId: number[]): NameChangeRequest {
  return {
    changeType,
    forwardChange: true,
    reverseChange: true,
    fqdn,
    ipAddress: ip,
    dhcid: computeDhcid(1, new Uint8Array(clientId), fqdn),
    leaseExpiresOn: "20301127180000",
    leaseLength: 1200,
    conflictResolutionMode: "check-with-dhcid",
  };
}

Deno.test(
  { name: "weka ddns against real BIND: add, conflict refused, remove, bad input, wrong key", ignore },
  async () => {
    const bind = await startBind("127.0.0.1", PORT);
    const cfg = compileD2Config({
      "ip-address": "127.0.0.1",
      port: 0,
      "dns-server-timeout": 500, // long enough that a loaded machine never times out the live BIND
      "tsig-keys": [
        { name: "ddns-md5", algorithm: "HMAC-MD5", secret: BIND_KEYS["ddns-md5"][1] },
        { name: "ddns-sha256", algorithm: "HMAC-SHA256", secret: BIND_KEYS["ddns-sha256"][1] },
        { name: "ddns-sha1", algorithm: "HMAC-SHA1", secret: "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==" },
      ],
      "forward-ddns": {
        "ddns-domains": [
          { name: "lab.test.", "key-name": "ddns-md5", "dns-servers": [{ "ip-address": "127.0.0.1", port: PORT }] },
          {
            name: "wrongkey.lab.test.",
            "key-name": "ddns-sha1",
            "dns-servers": [{ "ip-address": "127.0.0.1", port: PORT }],
          },
        ],
      },
      "reverse-ddns": {
        "ddns-domains": [{
          name: "18.198.in-addr.arpa.",
          "key-name": "ddns-sha256",
          "dns-servers": [{ "ip-address": "127.0.0.1", port: PORT + 40 }, { "ip-address": "127.0.0.1", port: PORT }],
        }, {
          name: "a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
          "key-name": "ddns-md5",
          "dns-servers": [{ "ip-address": "127.0.0.1", port: PORT }],
        }],
      },
    });
    const log = memoryLog();
    const d2 = await startD2(cfg, log);
    const tx = openNcrSender("127.0.0.1", d2.receiver.port);
    const raw2 = (b: Uint8Array) =>
      new Promise<void>((res) => {
        const s = dgram.createSocket("udp4");
        s.send(b, d2.receiver.port, "127.0.0.1", () => {
          s.close();
          res();
        });
      });
    let expected = 0;
    /** waits until `more` further datagrams have arrived (good or bad), then until no request is queued or running */
    const settle = async (more = 1) => {
      expected += more;
      const arrived = () => d2.service.stats.get("ncr-received") + d2.service.stats.get("ncr-invalid");
      for (let i = 0; i < 500 && arrived() < expected; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(arrived(), expected, "datagrams that reached weka ddns");
      await d2.service.idle();
    };
    try {
      // 1. a named client: A, DHCID and PTR appear (reverse server 1 is dead: 3 timeouts, then server 2)
      const alice = ncr("add", "alice.lab.test.", "198.18.1.7", [1, 0xaa, 0, 0, 0, 0, 1]);
      await tx.send(alice);
      await settle();
      assert.deepEqual(await bind.dig("alice.lab.test", "A"), ["198.18.1.7"]);
      const dhcidText = (await bind.dig("alice.lab.test", "DHCID")).join("").replace(/\s/g, "");
      assert.equal(dhcidText, btoa(String.fromCharCode(...alice.dhcid)));
      assert.deepEqual(await bind.dig("7.1.18.198.in-addr.arpa", "PTR"), ["alice.lab.test."]);
      assert.equal((await bind.dig("7.1.18.198.in-addr.arpa", "DHCID")).length, 1);
      const s = d2.service.stats;
      assert.equal(s.get("update-timeout"), 3, "three tries on the dead reverse server");
      assert.equal(s.get("key[ddns-sha256.].update-success"), 1);
      assert.equal(s.get("key[ddns-md5.].update-success"), 1);

      // 2. the same client again (renew): YXDOMAIN → replace with our DHCID → still fine
      await tx.send({ ...alice, ipAddress: "198.18.1.7" });
      await settle();
      assert.deepEqual(await bind.dig("alice.lab.test", "A"), ["198.18.1.7"]);

      // 3. a second client claiming the same name is refused its A record
      const errorsBefore = s.get("ncr-error");
      await tx.send(ncr("add", "alice.lab.test.", "198.18.1.8", [1, 0xbb, 0, 0, 0, 0, 2]));
      await settle();
      assert.deepEqual(await bind.dig("alice.lab.test", "A"), ["198.18.1.7"]);
      assert.deepEqual(await bind.dig("8.1.18.198.in-addr.arpa", "PTR"), []);
      assert.equal(s.get("ncr-error"), errorsBefore + 1);
      assert.ok(log.lines.some((l) => /DHCP_DDNS_FORWARD_REPLACE_REJECTED .*NXRRSET/.test(l)), log.lines.join("\n"));

      // 4. bad input is counted and logged, and the next good request is served
      const raw = dgram.createSocket("udp4");
      for (
        const junk of [
          new Uint8Array([0, 5, 0x7b]),
          new TextEncoder().encode("\u0000\u0004nope"),
          new Uint8Array([0, 2, 0x7b, 0x7d]),
        ]
      ) {
        raw.send(junk, d2.receiver.port, "127.0.0.1");
      }
      await settle(3);
      raw.close();
      assert.equal(s.get("ncr-invalid"), 3);
      assert.equal(log.lines.filter((l) => l.includes("DHCP_DDNS_INVALID_NCR")).length, 3);
      const bob = ncr("add", "bob.lab.test.", "198.18.1.9", [1, 0xcc, 0, 0, 0, 0, 3]);
      await tx.send(bob);
      await settle();
      assert.deepEqual(await bind.dig("bob.lab.test", "A"), ["198.18.1.9"]);

      // 5. a key BIND does not accept: BIND answers BADSIG unsigned; we count errors and never write
      const errs = s.get("update-error");
      await tx.send({
        ...ncr("add", "eve.wrongkey.lab.test.", "198.18.1.10", [1, 0xdd, 0, 0, 0, 0, 4]),
        reverseChange: false,
      });
      await settle();
      assert.equal(s.get("update-error"), errs + 3);
      assert.ok(log.lines.some((l) => /TSIG check of the answer failed/.test(l)));
      assert.equal(s.get("update-unsigned"), 0, "an update for a keyed zone is never sent unsigned");

      // 6. an IPv6 lease: AAAA, DHCID and an ip6.arpa PTR
      await tx.send(ncr("add", "v6host.lab.test.", "2001:db8:a::77", [1, 0xee, 0, 0, 0, 0, 5]));
      await settle();
      assert.deepEqual(await bind.dig("v6host.lab.test", "AAAA"), ["2001:db8:a::77"]);
      assert.deepEqual(
        await bind.dig("7.7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR"),
        ["v6host.lab.test."],
      );

      // 7. the datagrams real kea-dhcp4 sent for a dhclient lease (tests/fixtures/ddns/kea_dhcp4_ncr_*.txt)
      await raw2(loadHex("kea_dhcp4_ncr_add.txt"));
      await settle();
      assert.deepEqual(await bind.dig("erin.lab.test", "A"), ["198.18.50.100"]);
      assert.deepEqual(await bind.dig("100.50.18.198.in-addr.arpa", "PTR"), ["erin.lab.test."]);
      assert.equal(
        (await bind.dig("erin.lab.test", "DHCID"))[0].replace(/\s/g, ""),
        "AAABgO6Ocik/a+IPfZkMV3rG6UZFf8qILtRAyVNJT0NNyW4=",
      );
      await raw2(loadHex("kea_dhcp4_ncr_remove.txt"));
      await settle();
      assert.deepEqual(await bind.dig("erin.lab.test", "A"), []);
      assert.deepEqual(await bind.dig("100.50.18.198.in-addr.arpa", "PTR"), []);

      // 8. release: all three records of alice are gone
      await tx.send({ ...alice, changeType: "remove" });
      await settle();
      assert.deepEqual(await bind.dig("alice.lab.test", "A"), []);
      assert.deepEqual(await bind.dig("alice.lab.test", "DHCID"), []);
      assert.deepEqual(await bind.dig("7.1.18.198.in-addr.arpa", "PTR"), []);
      assert.deepEqual(await bind.dig("bob.lab.test", "A"), ["198.18.1.9"]);
    } finally {
      tx.close();
      await d2.stop();
      await bind.stop();
    }
  },
);
