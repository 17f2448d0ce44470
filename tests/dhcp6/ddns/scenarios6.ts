/**
 * DHCPv6 DDNS scenarios run the same way against real kea-dhcp6 2.2 (tests/dhcp6/ddns/capture_kea_ncr6.ts, in the
 * lab) and against weka's server edge (kea_ncr6_test.ts): each step is a client exchange — SOLICIT/ADVERTISE/
 * REQUEST/REPLY, RENEW, RELEASE, DECLINE — with the Client FQDN option (RFC 4704) a real client would send, or a
 * pause; the NameChangeRequests each step produced are recorded as the JSON text sent to D2. The queries are built
 * from the server's own answers (the address it offered, its server id), so both servers are driven alike.
 * Tests only.
 */
import { decode6, encode6 } from "../../../mod/packet6/codec.ts";
import { getOption6, type Ia, type Message6, MsgType6, Opt6, type RawOption6 } from "../../../mod/packet6/packet.ts";
import { encodeName } from "../../../mod/options/fqdn_wire.ts";

/** A server under test: one query in, its answer out (undefined: none); NCRs sent since the last call. */
export interface Under6 {
  ask(query: Uint8Array): Promise<Uint8Array | undefined>;
  ncrs(): Promise<string[]>;
  /** lets `ms` pass (real time for Kea; the test's clock for weka) */
  wait(ms: number): Promise<void>;
  /** unix seconds now */
  now(): number;
}

/** Option 39 payload (RFC 4704 §4): flags (N 0x04, O 0x02, S 0x01), then the name in wire form (partial: no root). */
export function fqdn6(name: string, flags = 0x01): Uint8Array {
  const wire = name === "" ? new Uint8Array(0) : encodeName(name, !name.endsWith("."));
  const out = new Uint8Array(1 + wire.length);
  out[0] = flags;
  out.set(wire, 1);
  return out;
}

/** One step of a scenario. */
export interface Step6 {
  what: string;
  client: number;
  op: "sarr" | "renew" | "release" | "decline" | "wait";
  /** option 39 payload to send; absent: no option 39 */
  fqdn?: Uint8Array;
  /** IA_NA (default) and/or IA_PD */
  na?: boolean;
  pd?: boolean;
  /** for "wait" */
  ms?: number;
}

/** What one step did. */
export interface StepRecord {
  what: string;
  /** unix second at which the step's queries were sent */
  t: number;
  queries: string[];
  replies: string[];
  /** the JSON of each NCR the step produced, in order */
  ncrs: string[];
}

/**
 * The scenarios (Kea's processClientFqdn, createNameChangeRequests, queueNCR): names in both forms, the S/N/O
 * flags and overrides, generated names, renewals with and without a new name, release, decline, prefixes (no
 * NCR), and an expiry (client 8's DUID-LL puts it in the `short` class: valid-lifetime 4 s).
 */
export const STEPS6: Step6[] = [
  { what: "partial name erin, S=1: add", client: 1, op: "sarr", fqdn: fqdn6("erin") },
  { what: "erin again: an unchanged renewal sends nothing", client: 1, op: "sarr", fqdn: fqdn6("erin") },
  { what: "RENEW with erin: nothing unless ddns-update-on-renew", client: 1, op: "renew", fqdn: fqdn6("erin") },
  { what: "RENEW with a new name erin2", client: 1, op: "renew", fqdn: fqdn6("erin2") },
  { what: "RELEASE removes", client: 1, op: "release" },
  {
    what: "full name Frank_X.lab.test., N=1: sanitised, override-no-update",
    client: 2,
    op: "sarr",
    fqdn: fqdn6("Frank_X.lab.test.", 0x04),
  },
  { what: "DECLINE removes", client: 2, op: "decline" },
  { what: "no option 39: generated name (when-not-present)", client: 3, op: "sarr" },
  { what: "empty partial name: generated", client: 4, op: "sarr", fqdn: fqdn6("") },
  { what: "S=0 N=0 (client updates AAAA): override-client-update", client: 5, op: "sarr", fqdn: fqdn6("gina", 0x00) },
  { what: "IA_PD only: no NCR", client: 6, op: "sarr", fqdn: fqdn6("pd-only"), na: false, pd: true },
  { what: "IA_NA and IA_PD: one NCR, for the address", client: 7, op: "sarr", fqdn: fqdn6("both"), pd: true },
  { what: "short lease (class short, 4 s)", client: 8, op: "sarr", fqdn: fqdn6("shorty") },
  { what: "expiry: the reclaimed lease is removed", client: 8, op: "wait", ms: 7000 },
  { what: "RELEASE of a prefix-and-address client", client: 7, op: "release", pd: true },
];

/** Client `n`'s DUID: DUID-LLT (type 1, Ethernet, time 0x2a000000, MAC 02:00:00:00:00:n), DUID-LL for 8. */
export function duid6(n: number): Uint8Array {
  if (n === 8) return Uint8Array.of(0, 3, 0, 1, 2, 0, 0, 0, 0, n);
  return Uint8Array.of(0, 1, 0, 1, 0x2a, 0, 0, 0, 2, 0, 0, 0, 0, n);
}

/** The two configurations the scenarios run with (the `Dhcp6` map without interfaces, lease database, loggers). */
export const CONFIGS6: Record<string, Record<string, unknown>> = {
  listing: {
    "ddns-send-updates": true,
    "ddns-override-no-update": true,
    "ddns-override-client-update": true,
    "ddns-replace-client-name": "when-not-present",
    "ddns-generated-prefix": "prefix",
    "ddns-qualifying-suffix": "lab.test",
    "ddns-use-conflict-resolution": true,
    "hostname-char-set": "[^A-Za-z0-9.-]",
    "hostname-char-replacement": "x",
  },
  alt: {
    "ddns-send-updates": true,
    "ddns-update-on-renew": true,
    "ddns-replace-client-name": "always",
    "ddns-generated-prefix": "host",
    "ddns-qualifying-suffix": "example.org.",
    "ddns-use-conflict-resolution": false,
  },
};

/** The common part of the Dhcp6 map: lifetimes, the `short` class, subnet 1 with an address and a prefix pool. */
export function dhcp6Map(which: string, d2Ip: string, iface = "eth0"): Record<string, unknown> {
  return {
    "preferred-lifetime": 200,
    "valid-lifetime": 300,
    "renew-timer": 100,
    "rebind-timer": 150,
    "expired-leases-processing": { "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 3600 },
    "dhcp-ddns": { "enable-updates": true, "server-ip": d2Ip, "server-port": 53001, "sender-ip": "0.0.0.0" },
    ...CONFIGS6[which],
    "client-classes": [{
      name: "short",
      test: "substring(option[1].hex,0,2) == 0x0003",
      "preferred-lifetime": 3,
      "valid-lifetime": 4,
    }],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:a::/64",
      interface: iface,
      pools: [{ pool: "2001:db8:a::1000 - 2001:db8:a::1fff" }],
      "pd-pools": [{ prefix: "2001:db8:a100::", "prefix-len": 40, "delegated-len": 56 }],
    }],
  };
}

interface Bound {
  serverId: Uint8Array;
  na?: Uint8Array;
  pd?: { prefix: Uint8Array; len: number };
}

function ia(kind: "na" | "pd", b?: Bound): Ia {
  return {
    kind,
    iaid: kind === "na" ? 1 : 2,
    t1: 0,
    t2: 0,
    addresses: kind === "na" && b?.na ? [{ address: b.na, preferred: 0, valid: 0, options: [] }] : [],
    prefixes: kind === "pd" && b?.pd
      ? [{ prefix: b.pd.prefix, prefixLen: b.pd.len, preferred: 0, valid: 0, options: [] }]
      : [],
    options: [],
  };
}

/** Runs the steps against `s`; returns one record per step. */
export async function runScenarios6(s: Under6, steps: Step6[] = STEPS6): Promise<StepRecord[]> {
  const bound = new Map<number, Bound>();
  const out: StepRecord[] = [];
  let xid = 0x100;
  for (const st of steps) {
    const rec: StepRecord = { what: st.what, t: s.now(), queries: [], replies: [], ncrs: [] };
    const send = async (type: number, b: Bound | undefined, withId: boolean) => {
      const options: RawOption6[] = [{ code: Opt6.CLIENTID, data: duid6(st.client) }];
      if (withId && b) options.push({ code: Opt6.SERVERID, data: b.serverId });
      options.push({ code: Opt6.ELAPSED_TIME, data: new Uint8Array(2) });
      if (st.fqdn) options.push({ code: 39, data: st.fqdn });
      const ias: Ia[] = [];
      if (st.na !== false) ias.push(ia("na", b));
      if (st.pd) ias.push(ia("pd", b));
      const q: Message6 = { kind: "message", msgType: type, transactionId: xid++, options, ias };
      const bytes = encode6(q);
      rec.queries.push(hex(bytes));
      const r = await s.ask(bytes);
      rec.replies.push(r ? hex(r) : "");
      if (!r) return undefined; // no answer (Kea 2.2 drops some queries: see kea_ncr6_test.ts)
      const m = decode6(r);
      if (m.kind !== "message") throw new Error(`${st.what}: answer is a relay message`);
      return m;
    };
    const keep = (m: Message6 | undefined) => {
      if (!m) return;
      const nb: Bound = { serverId: getOption6(m.options, Opt6.SERVERID)! };
      const na = m.ias.find((i) => i.kind === "na")?.addresses[0];
      const pd = m.ias.find((i) => i.kind === "pd")?.prefixes[0];
      if (na) nb.na = na.address;
      if (pd) nb.pd = { prefix: pd.prefix, len: pd.prefixLen };
      bound.set(st.client, nb);
    };
    if (st.op === "sarr") {
      const adv = await send(MsgType6.SOLICIT, undefined, false);
      keep(adv);
      if (adv) keep(await send(MsgType6.REQUEST, bound.get(st.client), true));
    } else if (st.op === "renew") {
      keep(await send(MsgType6.RENEW, bound.get(st.client), true));
    } else if (st.op === "release" || st.op === "decline") {
      await send(st.op === "release" ? MsgType6.RELEASE : MsgType6.DECLINE, bound.get(st.client), true);
    } else {
      await s.wait(st.ms ?? 0);
    }
    rec.ncrs = await s.ncrs();
    out.push(rec);
  }
  return out;
}

/** Lower-case hex of bytes. */
export function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
