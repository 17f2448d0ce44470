/**
 * The built-in BOOTP hook (libdhcp_bootp.so, mod/dhcp4/engine/bootp.ts) over a config compiled by the real loader,
 * with real bytes: the BOOTREQUEST Debian's bootpc 0.64 sent (tests/fixtures/dhcp4/bootpc_request.hex) and the
 * BOOTREPLY kea-dhcp4 2.2.0 with libdhcp_bootp.so answered to it under the same configuration
 * (kea_bootp_reply.hex). weka's reply must be the same bytes; the lease infinite; without the hook, the query is
 * dropped as Kea drops it; the BOOTP class steers pools as in the Kea ARM's example.
 */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import { parseConfigText } from "../../../mod/config/load.ts";
import { decode4, encode4 } from "../../../mod/packet4/codec.ts";
import { INFINITE_LIFETIME } from "../../../mod/lease/types.ts";
import { DHCP_SPECIFIC_OPTIONS } from "../../../mod/dhcp4/engine/bootp.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { formatIpv4, toHex } from "../../../mod/wire/addr.ts";
import { arrival, ctxOf, ip, lease, MsgType, o, Opt, query, stat, world } from "./builders.ts";
import { destText } from "./table.ts";
import { committedCalls } from "../../../mod/dhcp4/run_script4.ts";

const DIR = new URL("../../fixtures/dhcp4/", import.meta.url);

/** Reads an annotated fixture: hex bytes, with '#' comments. */
function fixture(name: string): Uint8Array {
  const text = Deno.readTextFileSync(new URL(`${name}.hex`, DIR));
  const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

const HOOK = "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_bootp.so";

/** The configuration kea-dhcp4 ran when it answered bootpc_request.hex (kea_bootp_reply.hex), on eth0. */
function keaConfig(extra: Record<string, unknown> = {}, hooks = true): Record<string, unknown> {
  return {
    Dhcp4: {
      "valid-lifetime": 600,
      ...(hooks ? { "hooks-libraries": [{ library: HOOK }] } : {}),
      subnet4: [{
        id: 1,
        subnet: "198.51.100.0/24",
        interface: "eth0",
        pools: [{ pool: "198.51.100.100 - 198.51.100.150" }],
        "next-server": "198.51.100.1",
        "boot-file-name": "pxelinux.0",
        "server-hostname": "bootsrv",
        "option-data": [
          { name: "routers", data: "198.51.100.1" },
          { name: "domain-name-servers", data: "198.51.100.53" },
          { name: "domain-name", data: "example.org" },
        ],
        ...extra,
      }],
    },
  };
}

function setup(cfg: Record<string, unknown>) {
  const loaded = parseConfigText(JSON.stringify(cfg), "bootp.json", () => "");
  return world({
    config: loaded.dhcp4!,
    arrival: arrival({ localAddr: ip("198.51.100.1"), ifaceAddrs: [ip("198.51.100.1")] }),
  });
}

function reply(out: Outcome) {
  assert.equal(out.kind, "reply", out.kind === "drop" ? out.log.map((l) => `${l.id} ${l.text}`).join("; ") : "");
  assert(out.kind === "reply");
  return out;
}

Deno.test("bootp hook: bootpc's BOOTREQUEST gets the BOOTREPLY kea-dhcp4 2.2 sent, byte for byte", () => {
  const w = setup(keaConfig());
  const q = decode4(fixture("bootpc_request"));
  assert.equal(q.options.has(Opt.MESSAGE_TYPE), false, "the fixture is a BOOTP query: no option 53");
  const out = reply(handle4(q, ctxOf(w)));
  assert.equal(toHex(encode4(out.reply)), toHex(fixture("kea_bootp_reply")));
  assert.equal(destText(out.dest), "broadcast", "bootpc --serverbcast sets the broadcast flag");
  // Kea counts the query as the DHCPREQUEST the hook made of it, and the reply as an ACK
  assert.equal(stat(out.stats, "pkt4-request-received"), 1);
  assert.equal(stat(out.stats, "pkt4-ack-sent"), 1);
  assert.equal(stat(out.stats, "pkt4-unknown-received"), 0);
  assert.ok(out.log.some((l) => l.id === "BOOTP_BOOTP_QUERY" && l.debug), JSON.stringify(out.log));
  assert.ok(out.log.some((l) => l.id === "DHCP4_LEASE_ALLOC" && l.text.includes("4294967295 seconds")));
  // the lease kea-dhcp4 wrote: 198.51.100.100,02:00:00:00:b0:01,,4294967295,…,1,0,0,,0
  assert.equal(out.mutations.length, 1);
  const m = out.mutations[0];
  assert(m.op === "put");
  assert.equal(formatIpv4(m.lease.address), "198.51.100.100");
  assert.equal(m.lease.hwaddr, "02:00:00:00:b0:01");
  assert.equal(m.lease.validLifetime, INFINITE_LIFETIME);
  assert.equal(m.lease.subnetId, 1);
  assert.equal(m.lease.clientId, "");
});

Deno.test("bootp hook: without it the BOOTREQUEST is dropped as kea-dhcp4 2.2 drops it (DHCP4_PACKET_DROP_0009)", () => {
  const w = setup(keaConfig({}, false));
  const out = handle4(decode4(fixture("bootpc_request")), ctxOf(w));
  assert.equal(out.kind, "drop");
  assert.equal(stat(out.stats, "pkt4-unknown-received"), 1);
  assert.equal(stat(out.stats, "pkt4-receive-drop"), 1);
  assert.equal(stat(out.stats, "pkt4-request-received"), 0);
  assert.deepEqual(out.log.map((l) => l.id), ["DHCP4_PACKET_DROP_0009"]);
});

Deno.test("bootp hook: DHCP clients are untouched; a BOOTREPLY or a DHCP query is not a BOOTP query", () => {
  const w = setup(keaConfig());
  const dhcp = reply(handle4(query(MsgType.DISCOVER, { mac: "02:00:00:00:b0:07" }), ctxOf(w)));
  assert.deepEqual([...dhcp.reply.options.get(Opt.MESSAGE_TYPE)!], [MsgType.OFFER]);
  assert.equal(stat(dhcp.stats, "pkt4-discover-received"), 1);
  assert.ok(!dhcp.log.some((l) => l.id === "BOOTP_BOOTP_QUERY"));
  const bootreply = handle4(query(MsgType.REQUEST, { op: 2, noType: true }), ctxOf(w));
  assert.equal(bootreply.kind, "drop", "op 2 is not a query, with or without the hook");
});

Deno.test("bootp hook: the DHCP-specific options of RFC 1533 §9 never leave in a BOOTREPLY, whatever is configured", () => {
  const w = setup(keaConfig({
    "option-data": [
      { name: "routers", data: "198.51.100.1" },
      { name: "dhcp-renewal-time", data: "100", "always-send": true },
      { name: "dhcp-message", data: "hello", "always-send": true },
    ],
    "calculate-tee-times": true,
  }));
  // a BOOTP client without the broadcast flag, which also put a client-id and a parameter list in its vendor area
  const q = query(MsgType.REQUEST, {
    noType: true,
    mac: "02:00:00:00:b0:03",
    options: [o.cid("0102000000b003"), o.prl(1, 3, 51, 54)],
  });
  const out = reply(handle4(q, ctxOf(w)));
  for (const code of DHCP_SPECIFIC_OPTIONS) assert.equal(out.reply.options.has(code), false, `option ${code}`);
  assert.ok(out.reply.options.has(Opt.ROUTERS));
  assert.ok(out.reply.options.has(Opt.SUBNET_MASK));
  assert.equal(encode4(out.reply).length, 300, "padded to the BOOTP minimum");
  assert.equal(destText(out.dest), "link 198.51.100.100", "no broadcast flag: to yiaddr at the link layer");
});

Deno.test("bootp hook: the BOOTP class steers clients to their pool (the Kea ARM's example)", () => {
  const w = setup({
    Dhcp4: {
      "hooks-libraries": [{ library: HOOK }],
      "client-classes": [{ name: "DHCP", test: "not member('BOOTP')" }],
      subnet4: [{
        id: 1,
        subnet: "198.51.100.0/24",
        interface: "eth0",
        pools: [
          { pool: "198.51.100.200 - 198.51.100.254", "client-class": "BOOTP" },
          { pool: "198.51.100.1 - 198.51.100.199", "client-class": "DHCP" },
        ],
      }],
    },
  });
  const bootp = reply(handle4(decode4(fixture("bootpc_request")), ctxOf(w)));
  assert.equal(formatIpv4(bootp.reply.yiaddr), "198.51.100.200");
  const dhcp = reply(handle4(query(MsgType.DISCOVER, { mac: "02:00:00:00:b0:09" }), ctxOf(w)));
  assert.equal(formatIpv4(dhcp.reply.yiaddr), "198.51.100.1");
});

Deno.test("bootp hook: a BOOTP client that cannot be served gets the empty BOOTREPLY kea-dhcp4 2.2 sends (its NAK)", () => {
  // measured: pool of one address held by another client; Kea logged DHCP4_PACKET_NAK_0004 and sent op 2,
  // yiaddr 0.0.0.0, the magic cookie and END only (bootpc printed IPADDR='0.0.0.0')
  const w = setup(keaConfig({ pools: [{ pool: "198.51.100.100 - 198.51.100.100" }] }));
  w.leases.put(lease("198.51.100.100", { hwaddr: "02:00:00:00:b0:01", validLifetime: INFINITE_LIFETIME }));
  const q = query(MsgType.REQUEST, { noType: true, mac: "02:00:00:00:b0:02", flags: 0x8000 });
  const out = reply(handle4(q, ctxOf(w)));
  assert.equal(out.reply.yiaddr, 0);
  assert.deepEqual([...out.reply.options.keys()], []);
  assert.equal(stat(out.stats, "pkt4-nak-sent"), 1);
  assert.equal(out.mutations.length, 0);
});

Deno.test("bootp hook: a BOOTP client's lease is infinite, a renewal keeps it so", () => {
  const w = setup(keaConfig());
  const first = reply(handle4(decode4(fixture("bootpc_request")), ctxOf(w)));
  const m = first.mutations[0];
  assert(m.op === "put");
  w.leases.put(m.lease);
  // the client reboots and asks again: the same address, still infinite, no new allocation counted
  const again = reply(handle4(decode4(fixture("bootpc_request")), ctxOf(w, m.lease.cltt + 86400 * 365)));
  assert.equal(formatIpv4(again.reply.yiaddr), "198.51.100.100");
  const m2 = again.mutations[0];
  assert(m2.op === "put");
  assert.equal(m2.lease.validLifetime, INFINITE_LIFETIME);
  assert.equal(stat(again.stats, "cumulative-assigned-addresses"), 0, "a renewal of a live lease");
});

Deno.test("bootp hook: later hooks see the query as the DHCPREQUEST it became (run_script's leases4_committed)", () => {
  // Kea's bootp callout sets the message type on the query, so libdhcp_run_script.so reports a DHCPREQUEST
  const w = setup(keaConfig());
  const out = reply(handle4(decode4(fixture("bootpc_request")), ctxOf(w)));
  assert.ok(out.query, "the outcome carries the changed query for the edge");
  assert.deepEqual([...out.query!.options.get(Opt.MESSAGE_TYPE)!], [MsgType.REQUEST]);
  const calls = committedCalls({
    query: out.query!,
    arrival: {
      localAddr: ip("198.51.100.1"),
      localPort: 67,
      remoteAddr: 0,
      remotePort: 68,
      ifaceIndex: 2,
      ifaceName: "eth0",
      ifaceMac: "02:aa:00:00:00:01",
    },
    mutations: out.mutations,
    events: out.events,
    before: new Map([[ip("198.51.100.100"), undefined]]),
    subnet: (id) => (id === 1 ? { id: 1, prefix: "198.51.100.0/24" } : undefined),
  });
  assert.deepEqual(calls.map((c) => c.args), [["leases4_committed"]]);
  assert.equal(calls[0].env.QUERY4_TYPE, "DHCPREQUEST");
  assert.equal(calls[0].env.LEASES4_AT0_ADDRESS, "198.51.100.100");
  assert.equal(calls[0].env.LEASES4_AT0_VALID_LIFETIME, "4294967295");
  // a DHCP query's outcome carries no changed query
  assert.equal(handle4(query(MsgType.DISCOVER, { mac: "02:00:00:00:b0:07" }), ctxOf(w)).query, undefined);
});
