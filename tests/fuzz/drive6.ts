/**
 * The in-process DHCPv6 fuzzer: mutated queries (gen6.ts) through everything a query meets in the server, with no
 * socket — decode6, handle6 with the fuzz configuration (classes, shared network, relays, interface-id,
 * reservations, PD with an excluded prefix, option-def), the mutations checked as the KV store checks them
 * (checkStorable6) and applied to a real lease index, the client label, and encode6 of the reply. A DecodeError
 * is the expected refusal; any other exception is a failure with seed, case and packet hex (drive4.ts's report).
 * Tests and benchmarks only.
 */
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp6Config } from "../../mod/config/model6.ts";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { handle6 } from "../../mod/dhcp6/engine/handle6.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import type { Engine6Context } from "../../mod/dhcp6/engine/types.ts";
import type { Packet6 } from "../../mod/packet6/packet.ts";
import { clientLabel6 } from "../../mod/dhcp6/server6.ts";
import { Lease6Index } from "../../mod/lease/memory_index6.ts";
import { checkStorable6 } from "../../mod/lease/kv_store6.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { parseIpv6 } from "../../mod/wire/ipv6.ts";
import { fuzzConfig6, WORLD6 } from "./configs.ts";
import { packet6 } from "./gen6.ts";
import { caseSeed, Rng, toHexString } from "./rng.ts";
import type { FuzzReport } from "./drive4.ts";

/** The compiled fuzz configuration (tests/fuzz/configs.ts). */
export function fuzzDhcp6Config(): Dhcp6Config {
  return parseConfigText(JSON.stringify(fuzzConfig6()), "fuzz6.json", () => "").dhcp6!;
}

const SERVER_DUID = Uint8Array.from(WORLD6.serverDuid.match(/../g)!.map((h) => parseInt(h, 16)));
const MULTICAST = parseIpv6("ff02::1:2")!;
const SERVER = parseIpv6("2001:db8:a::1")!;
const CLIENT_LL = parseIpv6("fe80::ff:fe00:1")!;
const RELAY = parseIpv6(WORLD6.relays[0])!;

/** Runs cases `from` .. `from + count - 1` of run `seed` against one lease state. Never throws. */
export function fuzzEngine6(seed: number, count: number, from = 0, maxFailures = 20): FuzzReport {
  const t0 = performance.now();
  const config = fuzzDhcp6Config();
  const leases = new Lease6Index();
  const allocator = new IterativeAllocator6();
  const r: FuzzReport = { cases: 0, parseFailed: 0, replies: 0, drops: 0, ncrs: 0, failures: [], ms: 0 };
  let now = 1_800_000_000;
  for (let i = from; i < from + count; i++) {
    const { bytes, aim } = packet6(new Rng(caseSeed(seed, i)));
    r.cases++;
    if (i % 89 === 0) now += 11;
    let stage = "decode6";
    try {
      let query: Packet6;
      try {
        query = decode6(bytes);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        r.parseFailed++;
        continue;
      }
      stage = "label";
      clientLabel6(query);
      stage = "handle6";
      const ctx: Engine6Context = {
        config,
        arrival: {
          iface: i % 7 === 0 ? "" : "eth0",
          srcAddr: aim.relayed ? RELAY : CLIENT_LL,
          dstAddr: aim.multicast ? MULTICAST : SERVER,
          localAddrs: [SERVER],
        },
        leases,
        allocator,
        serverDuid: SERVER_DUID,
        now,
      };
      const out = handle6(query, ctx);
      if (out.kind === "drop") {
        r.drops++;
        continue;
      }
      stage = "store";
      for (const m of out.mutations) if (m.op === "put") checkStorable6(m.lease);
      leases.apply(out.mutations);
      for (const l of out.log) if (/[\n\r]/.test(l.text)) throw new Error(`log ${l.id} holds a line break`);
      stage = "encode6";
      encode6(out.reply);
      r.replies++;
    } catch (e) {
      if (r.failures.length < maxFailures) {
        const error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
        r.failures.push({ stage, seed, index: i, error, hex: toHexString(bytes) });
      }
    }
  }
  r.ms = performance.now() - t0;
  return r;
}
