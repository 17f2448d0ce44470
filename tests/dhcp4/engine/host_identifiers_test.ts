/**
 * Host reservations by identifier in the engine, table-driven over configs compiled from Kea JSON: the lookup
 * follows `host-reservation-identifiers` (first hit wins, unlisted types are ignored), client-id is the whole
 * option 61 payload while duid is the DUID inside an RFC 4361 client identifier, circuit-id comes from option 82,
 * and flex-id is the flex-id hook's expression evaluated on the query. An address reserved by any identifier is
 * its owner's and kept from other clients.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../../mod/config/load.ts";
import type { Dhcp4Config } from "../../../mod/config/model.ts";
import type { Outcome } from "../../../mod/dhcp4/engine/types.ts";
import { ip, lease, MAC_A, MAC_B, MsgType, o, Opt, query } from "./builders.ts";
import { type Row, runRow } from "./table.ts";

const D = MsgType.DISCOVER;
const NO_INCLUDES = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};

/** Client identifiers used below (option 61 payloads). */
const CID = "01:aa:bb:cc:00:00:09"; // type 1 + a MAC
const DUID = "00:01:00:01:2a:2b:2c:2d"; // DUID-LLT head, as Kea would print it
const RFC4361 = `ff:00:00:00:07:${DUID}`; // type 255, IAID 7, then the DUID (RFC 4361 §6.1)

/**
 * A compiled config: subnet 192.0.2.0/24 (pool .100-.102) with the given reservations, plus global keys. The
 * flex-id hook is loaded with `flex` as its identifier-expression when given.
 */
function cfg(
  reservations: unknown[],
  global: Record<string, unknown> = {},
  flex?: string,
  flexParams: Record<string, unknown> = {},
): Dhcp4Config {
  const dhcp4: Record<string, unknown> = {
    ...global,
    subnet4: [{ id: 1, subnet: "192.0.2.0/24", pools: [{ pool: "192.0.2.100 - 192.0.2.102" }], reservations }],
  };
  if (flex !== undefined) {
    dhcp4["hooks-libraries"] = [{
      library: "/usr/lib/libdhcp_flex_id.so",
      parameters: { "identifier-expression": flex, ...flexParams },
    }];
  }
  return parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", NO_INCLUDES).dhcp4!;
}

const ORDER = (...ids: string[]) => ({ "host-reservation-identifiers": ids });
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);
const hostname = (want: string) => (out: Outcome) => {
  assert.ok(out.kind === "reply");
  assert.equal(text(out.reply.options.get(Opt.HOST_NAME)), want);
};

const BOTH = [
  { "hw-address": MAC_A, "ip-address": "192.0.2.11", hostname: "by-mac" },
  { "client-id": CID, "ip-address": "192.0.2.10", hostname: "by-cid" },
];

const rows: Row[] = [
  {
    name: "client-id reservation: the whole option 61 payload matches and its out-of-pool address is offered",
    setup: (w) => (w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.10", hostname: "by-cid" }])),
    query: query(D, { mac: MAC_B, options: [o.cid(CID)] }),
    expect: { kind: "reply", type: MsgType.OFFER, yiaddr: "192.0.2.10", check: hostname("by-cid") },
  },
  {
    name: "client-id identifies the host even with match-client-id false (it only affects lease matching in Kea)",
    setup: (w) => (w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.10" }], { "match-client-id": false })),
    query: query(D, { mac: MAC_B, options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.10" },
  },
  {
    name: "order matters: with Kea's default order hw-address is tried before client-id",
    setup: (w) => (w.config = cfg(BOTH)),
    query: query(D, { options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.11", check: hostname("by-mac") },
  },
  {
    name: "order matters: client-id listed first wins over the hardware address",
    setup: (w) => (w.config = cfg(BOTH, ORDER("client-id", "hw-address"))),
    query: query(D, { options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.10", check: hostname("by-cid") },
  },
  {
    name: "a type left out of host-reservation-identifiers is never looked up: pool address",
    setup: (w) => (w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.10" }], ORDER("hw-address"))),
    query: query(D, { options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "an unlisted hardware address reservation is ignored even though the MAC matches",
    setup: (w) => (w.config = cfg([{ "hw-address": MAC_A, "ip-address": "192.0.2.11" }], ORDER("client-id"))),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "duid: the DUID inside an RFC 4361 client identifier (type 255, IAID skipped) matches",
    setup: (w) => (w.config = cfg([{ duid: DUID, "ip-address": "192.0.2.12" }])),
    query: query(D, { mac: MAC_B, options: [o.cid(RFC4361)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.12" },
  },
  {
    name: "duid before client-id in the default order: an RFC 4361 client matching both gets the duid host",
    setup: (w) => (w.config = cfg([
      { "client-id": RFC4361, "ip-address": "192.0.2.10" },
      { duid: DUID, "ip-address": "192.0.2.12" },
    ])),
    query: query(D, { mac: MAC_B, options: [o.cid(RFC4361)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.12" },
  },
  {
    name: "client-id, not duid: the same bytes after a type-1 client identifier are no DUID",
    setup: (w) => (w.config = cfg([{ duid: "2a:2b:2c:2d", "ip-address": "192.0.2.12" }])),
    query: query(D, { mac: MAC_B, options: [o.cid("01:00:00:00:07:2a:2b:2c:2d")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "duid: type 255 with an IAID but no DUID byte carries no DUID",
    setup: (w) => (w.config = cfg([{ "client-id": "ff:00:00:00:07", "ip-address": "192.0.2.10" }], ORDER("duid"))),
    query: query(D, { mac: MAC_B, options: [o.cid("ff:00:00:00:07")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "circuit-id: sub-option 1 of the relay agent information option matches a quoted reservation",
    setup: (w) => (w.config = cfg([{ "circuit-id": "'eth0/1'", "ip-address": "192.0.2.13", hostname: "port-1" }])),
    query: query(D, {
      mac: MAC_B,
      giaddr: "192.0.2.1",
      options: [o.rai([1, new TextEncoder().encode("eth0/1")], [2, new Uint8Array([9, 9])])],
    }),
    expect: { kind: "reply", yiaddr: "192.0.2.13", dest: "unicast 192.0.2.1:67", check: hostname("port-1") },
  },
  {
    name: "circuit-id: a remote-id (sub-option 2) with the same bytes does not match",
    setup: (w) => (w.config = cfg([{ "circuit-id": "'eth0/1'", "ip-address": "192.0.2.13" }])),
    query: query(D, { giaddr: "192.0.2.1", options: [o.rai([2, new TextEncoder().encode("eth0/1")])] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "flex-id from option 60: the expression's value matches a quoted flex-id",
    setup: (w) => (w.config = cfg(
      [{ "flex-id": "'MSFT 5.0'", "ip-address": "192.0.2.14", hostname: "by-flex" }],
      ORDER("flex-id", "hw-address"),
      "option[60].hex",
    )),
    query: query(D, { options: [o.text(Opt.VENDOR_CLASS_ID, "MSFT 5.0")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.14", check: hostname("by-flex") },
  },
  {
    name: "flex-id from part of option 12 (host name) matches a hex flex-id",
    setup: (w) => (w.config = cfg(
      [{ "flex-id": "6b:69:6f:73:6b", "ip-address": "192.0.2.15" }], // 'kiosk'
      ORDER("flex-id"),
      "substring(option[12].hex,0,5)",
    )),
    query: query(D, { mac: MAC_B, options: [o.text(Opt.HOST_NAME, "kiosk-17")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.15" },
  },
  {
    name: "flex-id: an expression that evaluates empty gives no identifier (no option 60 sent)",
    setup: (
      w,
    ) => (w.config = cfg(
      [{ "flex-id": "'MSFT 5.0'", "ip-address": "192.0.2.14" }],
      ORDER("flex-id"),
      "option[60].hex",
    )),
    query: query(D),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "flex-id: the hook is loaded but flex-id is not listed, so the flex-id reservation is not used",
    setup: (w) => (w.config = cfg([{ "flex-id": "'MSFT 5.0'", "ip-address": "192.0.2.14" }], {}, "option[60].hex")),
    query: query(D, { options: [o.text(Opt.VENDOR_CLASS_ID, "MSFT 5.0")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.100" },
  },
  {
    name: "an in-pool address reserved by client-id is kept from another client, even one asking for it",
    setup: (w) => (w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.100" }])),
    query: query(D, { mac: MAC_B, options: [o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100")] }),
    expect: { kind: "reply", yiaddr: "192.0.2.101" },
  },
  {
    name: "SELECTING for an out-of-pool address reserved by client-id is ACKed for its owner",
    setup: (w) => {
      w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.10" }]);
      w.offers.add("cid:01aabbcc000009", 1, ip("192.0.2.10"));
    },
    query: query(MsgType.REQUEST, {
      mac: MAC_B,
      options: [o.cid(CID), o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.10")],
    }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.10",
      check: (out) => assert.ok(out.kind === "reply" && out.mutations.length === 1),
    },
  },
  {
    name: "SELECTING for a pool address reserved by another client's client-id is NAKed",
    setup: (w) => (w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.100" }])),
    query: query(MsgType.REQUEST, {
      mac: MAC_B,
      options: [
        o.cid("01:00:11:22:33:44:55"),
        o.addr(Opt.SERVER_ID, "192.0.2.1"),
        o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.100"),
      ],
    }),
    expect: { kind: "reply", type: MsgType.NAK, logIds: ["DHCP4_PACKET_NAK_0004"] },
  },
  {
    name: "global client-id reservation applies where reservations-global is on",
    setup: (w) => (w.config = cfg([], {
      "reservations-global": true,
      reservations: [{ "client-id": CID, "ip-address": "192.0.2.16", hostname: "global-cid" }],
    })),
    query: query(D, { mac: MAC_B, options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.16", check: hostname("global-cid") },
  },
  {
    name: "a subnet reservation by a later identifier type wins over a global one by an earlier type",
    setup: (w) => (w.config = cfg([{ "client-id": CID, "ip-address": "192.0.2.10" }], {
      "reservations-global": true,
      reservations: [{ "hw-address": MAC_A, "ip-address": "192.0.2.16" }],
    })),
    query: query(D, { options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.10" },
  },
  {
    name: "a client-id reservation makes the client KNOWN to class tests",
    setup: (w) => (w.config = cfg([{ "client-id": CID }], {
      "client-classes": [{
        name: "known-ones",
        test: "member('KNOWN')",
        "option-data": [{ name: "domain-name", data: "known.example" }],
      }],
    })),
    query: query(D, { mac: MAC_B, options: [o.cid(CID), o.prl(Opt.DOMAIN_NAME)] }),
    expect: {
      kind: "reply",
      yiaddr: "192.0.2.100",
      check: (out) =>
        assert.ok(out.kind === "reply" && text(out.reply.options.get(Opt.DOMAIN_NAME)) === "known.example"),
    },
  },
];

/** replace-client-id: the flex-id from option 60 ("MSFT 5.0") stands in for option 61 while the query is handled. */
const REPLACE = (global: Record<string, unknown> = {}, reservations: unknown[] = []) =>
  cfg(reservations, global, "option[60].hex", { "replace-client-id": true });
const VCI = o.text(Opt.VENDOR_CLASS_ID, "MSFT 5.0");
const FLEX_CID = "00:4d:53:46:54:20:35:2e:30"; // 0x00 + "MSFT 5.0"
const cidOf = (out: Outcome) => {
  assert.ok(out.kind === "reply");
  const c = out.reply.options.get(Opt.CLIENT_ID);
  return c ? [...c].map((b) => b.toString(16).padStart(2, "0")).join(":") : undefined;
};

rows.push(
  {
    name: "replace-client-id: the lease is keyed by 0x00 + flex-id and the reply echoes the client's own option 61",
    setup: (w) => {
      w.config = REPLACE();
      w.offers.add("cid:004d53465420352e30", 1, ip("192.0.2.101"));
    },
    query: query(MsgType.REQUEST, {
      options: [o.cid(CID), VCI, o.addr(Opt.SERVER_ID, "192.0.2.1"), o.addr(Opt.REQUESTED_ADDRESS, "192.0.2.101")],
    }),
    expect: {
      kind: "reply",
      type: MsgType.ACK,
      yiaddr: "192.0.2.101",
      check: (out) => {
        assert.equal(cidOf(out), CID);
        assert.ok(out.kind === "reply" && out.mutations[0].op === "put");
        assert.equal(out.mutations[0].lease.clientId, FLEX_CID);
      },
    },
  },
  {
    name: "replace-client-id: a client that sent no option 61 gets none back, even with echo-client-id on",
    setup: (w) => (w.config = REPLACE()),
    query: query(D, { options: [VCI] }),
    expect: {
      kind: "reply",
      check: (out) => {
        assert.equal(cidOf(out), undefined);
        assert.ok(out.kind === "reply" && out.offer?.clientKey === "cid:004d53465420352e30");
      },
    },
  },
  {
    name: "replace-client-id: the original option 61 comes back even with echo-client-id off (Kea ignores it)",
    setup: (w) => (w.config = REPLACE({ "echo-client-id": false })),
    query: query(D, { options: [o.cid(CID), VCI] }),
    expect: { kind: "reply", check: (out) => assert.equal(cidOf(out), CID) },
  },
  {
    name: "replace-client-id: a replaced device gets the lease of the old one (same flex-id, other MAC and id)",
    setup: (w) => {
      w.config = REPLACE();
      w.leases.put(lease("192.0.2.102", { hwaddr: MAC_A, clientId: FLEX_CID }));
    },
    query: query(D, { mac: MAC_B, options: [o.cid("01:00:11:22:33:44:55"), VCI] }),
    expect: { kind: "reply", yiaddr: "192.0.2.102" },
  },
  {
    name: "replace-client-id: a client-id reservation for 0x00 + flex-id matches the replaced identifier",
    setup: (w) => (w.config = REPLACE({}, [{ "client-id": FLEX_CID, "ip-address": "192.0.2.17" }])),
    query: query(D, { mac: MAC_B, options: [o.cid(CID), VCI] }),
    expect: { kind: "reply", yiaddr: "192.0.2.17" },
  },
  {
    name: "replace-client-id: no flex-id (no option 60) leaves option 61 and the lease identity alone",
    setup: (w) => {
      w.config = REPLACE();
      w.leases.put(lease("192.0.2.102", { hwaddr: MAC_B, clientId: CID }));
    },
    query: query(D, { mac: MAC_B, options: [o.cid(CID)] }),
    expect: { kind: "reply", yiaddr: "192.0.2.102", check: (out) => assert.equal(cidOf(out), CID) },
  },
);

for (const row of rows) Deno.test(`host identifiers: ${row.name}`, () => void runRow(row));
