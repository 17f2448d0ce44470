/**
 * The in-process DHCPv4 fuzzer: mutated queries (gen4.ts) through everything a packet meets in the server, with
 * no socket and no clock — decode4 (lenient, as the edge), the HA load-balancing key and hash, handle4 with the
 * fuzz configuration (DDNS on, flex-id, classes, shared networks, option-def), the outcome applied to a real lease
 * index and offer table (so leases and offers pile up and later cases meet them), encode4 of the reply with the
 * client's option 57 limit as the edge applies it, and every NameChangeRequest through D2's own parser. A
 * DecodeError is the expected refusal of a bad packet; any other exception, anywhere, is a failure, reported with
 * the seed, the case index and the packet in hex. Tests and benchmarks only.
 */
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp4Config } from "../../mod/config/model.ts";
import { decode4, encode4 } from "../../mod/packet4/codec.ts";
import { handle4 } from "../../mod/dhcp4/engine/handle4.ts";
import type { EngineContext } from "../../mod/dhcp4/engine/types.ts";
import { Opt, type Packet4 } from "../../mod/packet4/packet.ts";
import { decodeNcr, encodeNcr } from "../../mod/ddns/ncr/ncr.ts";
import { loadBalanceKey, pearsonHash } from "../../mod/ha/query_filter.ts";
import { LeaseIndex } from "../../mod/lease/memory_index.ts";
import { OfferTable } from "../../mod/lease/offers.ts";
import { PoolAllocator } from "../../mod/lease/allocator.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { fuzzConfig4, WORLD4 } from "./configs.ts";
import { packet4 } from "./gen4.ts";
import { caseSeed, Rng, toHexString } from "./rng.ts";

/** One exception found: where it was thrown and how to rebuild the case. */
export interface FuzzFailure {
  stage: string;
  seed: number;
  index: number;
  error: string;
  hex: string;
}

/** What a run did: cases, how they ended, the failures (at most `maxFailures` kept) and the time taken. */
export interface FuzzReport {
  cases: number;
  parseFailed: number;
  replies: number;
  drops: number;
  ncrs: number;
  failures: FuzzFailure[];
  ms: number;
}

/** A failure line a human can act on: stage, seed, case, error and the packet bytes. */
export function formatFailure(f: FuzzFailure): string {
  return `${f.stage} threw on case ${f.index} of seed ${f.seed}: ${f.error}\n  packet (${
    f.hex.length / 2
  } bytes): ${f.hex}`;
}

/** The compiled fuzz configuration (tests/fuzz/configs.ts). */
export function fuzzDhcp4Config(): Dhcp4Config {
  return parseConfigText(JSON.stringify(fuzzConfig4()), "fuzz4.json", () => "").dhcp4!;
}

const LENIENT = { lenient: true } as const;

/**
 * Runs cases `from` .. `from + count - 1` of run `seed` against one server state (leases and offers carry over
 * from case to case). Never throws: every exception is a {@link FuzzFailure}.
 */
export function fuzzEngine4(seed: number, count: number, from = 0, maxFailures = 20): FuzzReport {
  const t0 = performance.now();
  const config = fuzzDhcp4Config();
  const leases = new LeaseIndex();
  const offers = new OfferTable();
  const allocator = new PoolAllocator(leases, offers);
  const r: FuzzReport = { cases: 0, parseFailed: 0, replies: 0, drops: 0, ncrs: 0, failures: [], ms: 0 };
  const scratch = new Uint8Array(65536);
  let now = 1_800_000_000;
  for (let i = from; i < from + count; i++) {
    const { bytes, aim } = packet4(new Rng(caseSeed(seed, i)));
    r.cases++;
    if (i % 97 === 0) now += 7; // time passes: offers expire, leases age
    let stage = "decode4";
    try {
      let query: Packet4;
      try {
        query = decode4(bytes, LENIENT);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        r.parseFailed++;
        continue;
      }
      stage = "ha-hash";
      const key = loadBalanceKey(query);
      if (key) pearsonHash(key);
      stage = "handle4";
      const server = aim.iface === "eth1" ? WORLD4.servers[1] : WORLD4.servers[0];
      const ctx: EngineContext = {
        config,
        arrival: {
          iface: aim.iface,
          localAddr: server,
          ifaceAddrs: [server],
          srcAddr: aim.giaddr || (query.ciaddr && i % 3 === 0 ? query.ciaddr : 0),
          srcPort: aim.giaddr ? 67 : 68,
          dstAddr: aim.giaddr || i % 2 ? server : 0xffffffff,
        },
        leases,
        offers,
        allocator,
        now,
      };
      offers.sweep(now);
      const out = handle4(query, ctx);
      stage = "outcome";
      if (out.forgetOffer) offers.forget(out.forgetOffer);
      if (out.kind === "drop") {
        r.drops++;
        continue;
      }
      if (out.kind === "reply" && out.offer) {
        offers.remember(out.offer.clientKey, out.offer.subnetId, out.offer.address, now);
      }
      leases.apply(out.mutations);
      for (const l of out.log) if (typeof l.text !== "string" || /[\n\r]/.test(l.text)) throw new Error(`log ${l.id}`);
      if (out.kind === "reply") {
        stage = "encode4";
        const maxMsg = query.options.get(Opt.MAX_MESSAGE_SIZE);
        const maxSize = maxMsg && maxMsg.length === 2 ? ((maxMsg[0] << 8) | maxMsg[1]) - 28 : undefined;
        encode4(out.reply, { maxSize: maxSize && maxSize >= 548 ? maxSize : undefined, into: scratch });
        r.replies++;
      }
      stage = "ncr";
      for (const n of out.ncrs ?? []) {
        decodeNcr(encodeNcr(n));
        r.ncrs++;
      }
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
