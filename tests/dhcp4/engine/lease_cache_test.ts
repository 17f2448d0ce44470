/**
 * Kea's lease caching (`cache-threshold`, `cache-max-age`) in the DHCPv4 engine: a renewal soon after the lease was
 * written is ACKed with the remaining lifetime and writes nothing (`v4-lease-reuses`); past the threshold or the
 * max age, or without the keys, the lease is written again with a full lifetime.
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import { ctxOf, MsgType, Opt, query, world } from "./builders.ts";
import { LeaseState } from "../../../mod/lease/types.ts";

const MAC = "aa:bb:cc:00:00:42";
const T0 = 1_800_000_000;

function setup(extra: Record<string, unknown>) {
  const doc = {
    Dhcp4: {
      "valid-lifetime": 1000,
      subnet4: [{ id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }], ...extra }],
    },
  };
  const w = world({ config: parseConfigText(JSON.stringify(doc), "c.json", () => "").dhcp4! });
  // the client holds 192.0.2.10, written at T0
  w.leases.put({
    address: 0xc000020a,
    hwaddr: MAC,
    clientId: "",
    validLifetime: 1000,
    cltt: T0,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    state: LeaseState.DEFAULT,
  });
  return w;
}

function renew(w: ReturnType<typeof setup>, at: number) {
  const out = handle4(query(MsgType.REQUEST, { mac: MAC, ciaddr: "192.0.2.10" }), ctxOf(w, at));
  assert(out.kind === "reply");
  const lt = out.reply.options.get(Opt.LEASE_TIME)!;
  return { out, lifetime: new DataView(lt.buffer, lt.byteOffset).getUint32(0) };
}

Deno.test("lease caching: a renewal within cache-threshold reuses the lease with its remaining lifetime", () => {
  const w = setup({ "cache-threshold": 0.25 });
  const soon = renew(w, T0 + 100);
  assert.equal(soon.out.mutations.length, 0, "nothing is written");
  assert.equal(soon.lifetime, 900);
  assert.ok(soon.out.stats.some(([n]) => n === "v4-lease-reuses"));
  assert.ok(soon.out.stats.some(([n]) => n === "subnet[1].v4-lease-reuses"));
  const late = renew(w, T0 + 300); // 300 s ≥ 0.25 × 1000
  assert.equal(late.out.mutations.length, 1);
  assert.equal(late.lifetime, 1000);
});

Deno.test("lease caching: cache-max-age bounds the age; without the keys every renewal is written", () => {
  const w = setup({ "cache-max-age": 60 });
  assert.equal(renew(w, T0 + 30).out.mutations.length, 0);
  assert.equal(renew(w, T0 + 61).out.mutations.length, 1);
  const plain = setup({});
  assert.equal(renew(plain, T0 + 1).out.mutations.length, 1);
});
