/**
 * Kea 2.6's opt-in `offer-lifetime` (global, shared network, subnet, client class): the loader inherits it global →
 * shared network → subnet and keeps a class's own value; the DISCOVER outcome carries it as the offer's hold (the
 * first class of the client that sets it wins, else the subnet's; 0 or absent: no hold, as in Kea 2.2); option 51
 * still says `valid-lifetime`. Dhcp6 has no such key in Kea and refuses it.
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Dhcp4Config } from "../../../mod/config/model.ts";
import { ConfigError, formatProblem } from "../../../mod/config/errors.ts";
import { ctxOf, MsgType, o, Opt, query, world } from "./builders.ts";

function load4(dhcp4: Record<string, unknown>): Dhcp4Config {
  const r = parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", () => "");
  assert.ok(r.dhcp4);
  return r.dhcp4;
}

function problems(doc: Record<string, unknown>): string[] {
  try {
    parseConfigText(JSON.stringify(doc), "t.json", () => "");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
  return [];
}

const CONFIG = {
  "offer-lifetime": 30,
  "valid-lifetime": 3600,
  "client-classes": [
    { name: "slow", test: "option[60].hex == 'slow'", "offer-lifetime": 90 },
    { name: "none", test: "option[60].hex == 'none'", "offer-lifetime": 0 },
    { name: "plain", test: "option[60].hex == 'none'" },
  ],
  subnet4: [
    { id: 1, subnet: "192.0.2.0/24", interface: "eth0", pools: [{ pool: "192.0.2.10 - 192.0.2.20" }] },
    { id: 2, subnet: "198.51.100.0/24", "offer-lifetime": 0, relay: { "ip-addresses": ["10.0.0.2"] } },
  ],
  "shared-networks": [{
    name: "net",
    "offer-lifetime": 45,
    relay: { "ip-addresses": ["10.0.0.3"] },
    subnet4: [
      { id: 3, subnet: "203.0.113.0/25", pools: [{ pool: "203.0.113.10 - 203.0.113.20" }] },
      { id: 4, subnet: "203.0.113.128/25", "offer-lifetime": 15 },
    ],
  }],
};

Deno.test("offer-lifetime: inherited global → shared network → subnet; 0 means none; a class keeps its own", () => {
  const c = load4(CONFIG);
  const byId = (id: number) => c.subnets.find((s) => s.id === id)!.offerLifetime ?? 0;
  assert.deepEqual([1, 2, 3, 4].map(byId), [30, 0, 45, 15]);
  assert.deepEqual(c.clientClasses!.map((k) => k.offerLifetime), [90, 0, undefined]);
  assert.equal(load4({ subnet4: [{ id: 1, subnet: "192.0.2.0/24" }] }).subnets[0].offerLifetime, undefined);
});

Deno.test("offer-lifetime: refused with its path when not a uint32, and in Dhcp6 (a DHCPv4 key in Kea)", () => {
  assert.deepEqual(problems({ Dhcp4: { subnet4: [{ id: 1, subnet: "192.0.2.0/24", "offer-lifetime": -1 }] } }), [
    "t.json:1:71: Dhcp4.subnet4[0].offer-lifetime: must not be negative",
  ]);
  assert.deepEqual(problems({ Dhcp4: { "client-classes": [{ name: "a", "offer-lifetime": "x" }] } }), [
    't.json:1:58: Dhcp4.client-classes[0].offer-lifetime: must be a number (got "x")',
  ]);
  assert.deepEqual(problems({ Dhcp6: { "offer-lifetime": 30 } }), [
    "t.json:1:11: Dhcp6.offer-lifetime: unknown or unsupported key 'offer-lifetime'",
  ]);
});

/** The DISCOVER outcome's hold for a client with vendor class `vc` (option 60) on eth0 (subnet 1). */
function hold(config: Dhcp4Config, vc?: string): number | undefined {
  const w = world({ config });
  const q = query(MsgType.DISCOVER, { options: vc ? [[Opt.VENDOR_CLASS_ID, new TextEncoder().encode(vc)]] : [] });
  const out = handle4(q, ctxOf(w));
  assert.ok(out.kind === "reply", JSON.stringify(out.log));
  // option 51 stays the valid lifetime, never the offer lifetime
  assert.deepEqual(out.reply.options.get(Opt.LEASE_TIME), o.u32(Opt.LEASE_TIME, 3600)[1]);
  return out.offer?.holdSeconds;
}

Deno.test("offer-lifetime: the OFFER's hold is the first class's value, else the subnet's; 0 holds nothing", () => {
  const c = load4(CONFIG);
  assert.equal(hold(c), 30, "the subnet's (inherited from the global scope)");
  assert.equal(hold(c, "slow"), 90, "the class's");
  assert.equal(hold(c, "none"), undefined, "a class's 0 overrides the subnet's 30 (and 'plain' sets nothing)");
  assert.equal(hold(load4({ ...CONFIG, "offer-lifetime": 0 })), undefined, "0: no hold (Kea 2.2)");
});
