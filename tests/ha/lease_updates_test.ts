/**
 * Tests of the HA lease JSON (Kea's CommandCreator::createLease4Update / createLease4Delete) and of weka's
 * lease4-update / lease4-del handlers receiving it from a Kea partner.
 */
import assert from "node:assert/strict";
import { leaseDeleteArgs, leaseFromPartnerJson, leaseUpdateArgs } from "../../mod/ha/lease_updates.ts";
import { registerLeaseCommands } from "../../mod/control/lease_cmds.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { type Lease4, LeaseState } from "../../mod/lease/types.ts";
import { updateCommands } from "../../mod/ha/service_updates.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";
import { testContext } from "../control/helpers.ts";

const LEASE: Lease4 = {
  address: parseIpv4("198.18.1.100")!,
  hwaddr: "aa:bb:cc:dd:ee:ff",
  clientId: "01:aa:bb:cc:dd:ee:ff",
  validLifetime: 600,
  cltt: 1_700_000_000,
  subnetId: 1,
  fqdnFwd: true,
  fqdnRev: false,
  hostname: "host1.example.org",
  state: 0,
  userContext: { site: "a" },
};

Deno.test("leaseUpdateArgs: lease JSON with expire instead of cltt, force-create and origin", () => {
  assert.deepEqual(leaseUpdateArgs(LEASE), {
    "ip-address": "198.18.1.100",
    "hw-address": "aa:bb:cc:dd:ee:ff",
    "client-id": "01:aa:bb:cc:dd:ee:ff",
    "valid-lft": 600,
    expire: 1_700_000_600,
    "subnet-id": 1,
    "fqdn-fwd": true,
    "fqdn-rev": false,
    hostname: "host1.example.org",
    state: 0,
    "user-context": { site: "a" },
    "force-create": true,
    origin: "ha-partner",
  });
});

Deno.test("leaseDeleteArgs: same lease JSON and origin, no force-create, no cltt", () => {
  const a = leaseDeleteArgs({ ...LEASE, clientId: "", userContext: undefined });
  assert.equal(a.origin, "ha-partner");
  assert.equal(a.expire, 1_700_000_600);
  assert.ok(!("cltt" in a) && !("force-create" in a) && !("client-id" in a) && !("user-context" in a));
});

Deno.test("leaseFromPartnerJson reads Kea 2.2's lease4-get-page lease (cltt) and an update (expire)", () => {
  // verbatim from a Kea 2.2.0 lease4-get-page answer
  const kea = {
    cltt: 1899999400,
    "fqdn-fwd": false,
    "fqdn-rev": false,
    hostname: "h",
    "hw-address": "aa:bb:cc:dd:ee:ff",
    "ip-address": "198.18.1.100",
    state: 0,
    "subnet-id": 1,
    "valid-lft": 600,
  };
  const l = leaseFromPartnerJson(kea);
  assert.equal(l.address, parseIpv4("198.18.1.100"));
  assert.equal(l.cltt, 1899999400);
  assert.equal(l.clientId, "");
  assert.equal(l.hostname, "h");
  assert.deepEqual(leaseFromPartnerJson(leaseUpdateArgs(LEASE)), LEASE);
  assert.throws(() => leaseFromPartnerJson({ ...kea, "valid-lft": -1 }), /lease 198\.18\.1\.100: 'valid-lft'/);
  assert.throws(() => leaseFromPartnerJson({ ...kea, "ip-address": "x" }), /'ip-address' is not an IPv4 address/);
  assert.throws(() => leaseFromPartnerJson({ ...kea, "hw-address": "zz" }), /'hw-address' must be colon-separated/);
});

Deno.test("weka's lease4-update applies a partner's update (force-create, expire, origin) durably", async () => {
  const ctx = await testContext();
  const reg = new CommandRegistry();
  registerLeaseCommands(reg, ctx);
  try {
    const cmd = { command: "lease4-update", service: ["dhcp4"], arguments: leaseUpdateArgs(LEASE) };
    assert.deepEqual(await reg.dispatch(cmd), { result: 0, text: "IPv4 lease added." });
    const got = ctx.store.byAddress(LEASE.address)!;
    assert.equal(got.cltt, LEASE.cltt);
    assert.equal(got.hwaddr, LEASE.hwaddr);
    const newer = leaseUpdateArgs({ ...LEASE, cltt: LEASE.cltt + 60, hwaddr: "aa:bb:cc:dd:ee:01" });
    assert.deepEqual(await reg.dispatch({ command: "lease4-update", arguments: newer }), {
      result: 0,
      text: "IPv4 lease updated.",
    });
    assert.equal(ctx.store.byAddress(LEASE.address)!.hwaddr, "aa:bb:cc:dd:ee:01");
    const del = { command: "lease4-del", service: ["dhcp4"], arguments: leaseDeleteArgs(LEASE) };
    assert.deepEqual(await reg.dispatch(del), { result: 0, text: "IPv4 lease deleted." });
    assert.equal(ctx.store.byAddress(LEASE.address), undefined);
    assert.equal((await reg.dispatch(del)).result, 3);
    // a lease of a subnet this server does not have is refused with result 1, as Kea refuses it
    const foreign = leaseUpdateArgs({ ...LEASE, address: parseIpv4("203.0.113.5")!, subnetId: 9 });
    const a = await reg.dispatch({ command: "lease4-update", arguments: foreign });
    assert.equal(a.result, 1);
    assert.match(a.text!, /subnet-id=9/);
  } finally {
    await ctx.store.close();
  }
});

Deno.test("updateCommands: a released lease (state 3) goes to the partner as lease4-del, as Kea 2.2 itself does", () => {
  const base = {
    address: 0xc6120196, // 198.18.1.150
    hwaddr: "aa:bb:cc:00:00:30",
    clientId: "",
    validLifetime: 0,
    cltt: 1_800_000_000,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    poolId: 0,
  };
  const cmds = updateCommands([
    { op: "put", lease: { ...base, state: LeaseState.DEFAULT, validLifetime: 600 } as Lease4 },
    { op: "put", lease: { ...base, state: LeaseState.RELEASED } as Lease4 },
    { op: "del", address: base.address },
  ]);
  assert.deepEqual(cmds.map((c) => c.command), ["lease4-update", "lease4-del", "lease4-del"]);
  assert.equal(cmds[1].args["ip-address"], "198.18.1.150");
  assert.equal(cmds[1].args.origin, "ha-partner");
  assert.equal(cmds[1].args["force-create"], undefined);
  assert.equal(cmds[0].args["force-create"], true);
});
