/**
 * The in-process D2 fuzzer: mutated NCR datagrams (gen_ncr.ts) through what D2 does with one — decodeNcr (an
 * NcrError is the expected refusal, which D2Service.invalid counts and logs), then D2Service with forward and
 * reverse zones for every request and a TSIG key, whose DNS side encodes and signs every UPDATE exactly as the real
 * client does (updateMessage → encodeMessage → signMessage) and answers with a random RCODE, a timeout or an I/O
 * error so every branch of the transaction machine runs. A failure is any other exception from decoding, any
 * exception in a transaction (D2's DHCP_DDNS_TRANS_PROCESS_EXCEPTION), or a log line with a line break in it.
 * Tests and benchmarks only.
 */
import { compileD2Config } from "../../mod/config/compile_d2.ts";
import { D2Service } from "../../mod/ddns/d2/service.ts";
import type { UpdateSender } from "../../mod/ddns/d2/dns_client.ts";
import { requestId, type TxEvent } from "../../mod/ddns/d2/transaction.ts";
import { encodeMessage } from "../../mod/ddns/dns/message.ts";
import { signMessage } from "../../mod/ddns/dns/tsig.ts";
import { updateMessage } from "../../mod/ddns/dns/update.ts";
import { decodeNcr, NcrError } from "../../mod/ddns/ncr/ncr.ts";
import type { Log } from "../../mod/log/logger.ts";
import { ncrDatagram } from "./gen_ncr.ts";
import { caseSeed, Rng, toHexString } from "./rng.ts";
import type { FuzzFailure } from "./drive4.ts";

/**
 * D2 for the in-process fuzzer: the zones of gen_ncr.ts's requests (fuzz.invalid. and 113.0.203.in-addr.arpa.,
 * keyed) and the lab's (lab.test., 18.198.in-addr.arpa.), so every transaction path runs against the fake DNS.
 */
export const FUZZ_D2 = {
  "tsig-keys": [{ name: "ddns-key", algorithm: "HMAC-SHA256", secret: "LSWXnfkKZjdPJI5QxlpnfQ==" }],
  "forward-ddns": {
    "ddns-domains": [
      { name: "fuzz.invalid.", "key-name": "ddns-key", "dns-servers": [{ "ip-address": "198.18.0.53" }] },
      { name: "lab.test.", "dns-servers": [{ "ip-address": "198.18.0.53" }] },
    ],
  },
  "reverse-ddns": {
    "ddns-domains": [
      { name: "113.0.203.in-addr.arpa.", "key-name": "ddns-key", "dns-servers": [{ "ip-address": "198.18.0.53" }] },
      { name: "18.198.in-addr.arpa.", "dns-servers": [{ "ip-address": "198.18.0.53" }] },
    ],
  },
};

/** What a D2 fuzz run did. */
export interface NcrFuzzReport {
  cases: number;
  invalid: number;
  accepted: number;
  updates: number;
  failures: FuzzFailure[];
  ms: number;
}

/** Runs cases `from` .. `from + count - 1` of run `seed` through one D2 service. Never throws. */
export async function fuzzD2(seed: number, count: number, from = 0, maxFailures = 20): Promise<NcrFuzzReport> {
  const t0 = performance.now();
  const r: NcrFuzzReport = { cases: 0, invalid: 0, accepted: 0, updates: 0, failures: [], ms: 0 };
  let current = { index: -1, hex: "" };
  /** the case of each request in flight, by the Request ID D2 logs (a failure inside a transaction is async) */
  const cases = new Map<string, { index: number; hex: string }>();
  const fail = (stage: string, error: string, at = current) => {
    if (r.failures.length < maxFailures) r.failures.push({ stage, seed, index: at.index, error, hex: at.hex });
  };
  const answers = new Rng(seed ^ 0x5a5a5a5a);
  const sender: UpdateSender = {
    send(server, zone, update) {
      let bytes = encodeMessage(updateMessage(answers.int(0x10000), zone, update.prereqs, update.updates));
      if (server.key) bytes = signMessage(bytes, server.key, { now: 1_800_000_000 }).bytes;
      r.updates++;
      const k = answers.int(10);
      const ev: TxEvent = k < 6
        ? { kind: "response", rcode: answers.pick([0, 0, 0, 2, 3, 5, 6, 7, 8, 9, 10, 0xfff]) }
        : k < 8
        ? { kind: "timeout" }
        : { kind: "io-error", reason: "sendto: EHOSTUNREACH" };
      return Promise.resolve(ev);
    },
    close: () => Promise.resolve(),
  };
  const line = (level: string) => (id: string, text: string) => {
    if (/[\n\r]/.test(text)) fail("log", `${level} ${id} holds a line break: ${JSON.stringify(text).slice(0, 300)}`);
    if (id === "DHCP_DDNS_TRANS_PROCESS_EXCEPTION") {
      fail("transaction", text, cases.get(/^Request ID (\S+):/.exec(text)?.[1] ?? "") ?? current);
    }
  };
  const log: Log = {
    debug: line("DEBUG"),
    info: line("INFO"),
    warn: line("WARN"),
    error: line("ERROR"),
    infoEnabled: true,
    debugEnabled: true,
  };
  const service = new D2Service(compileD2Config(FUZZ_D2), sender, log, { maxTransactions: 32 });
  for (let i = from; i < from + count; i++) {
    const bytes = ncrDatagram(new Rng(caseSeed(seed, i)));
    current = { index: i, hex: toHexString(bytes.subarray(0, 2048)) };
    r.cases++;
    try {
      let ncr;
      try {
        ncr = decodeNcr(bytes);
      } catch (e) {
        if (!(e instanceof NcrError)) throw e;
        r.invalid++;
        service.invalid(e.message, "127.0.0.1:40000");
        continue;
      }
      r.accepted++;
      cases.set(requestId(ncr), current);
      service.submit(ncr);
    } catch (e) {
      fail("decode", e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e));
    }
    if (i % 256 === 255) {
      await service.idle(); // let the transactions run, as the receive loop yields per batch
      cases.clear();
    }
  }
  await service.idle();
  r.ms = performance.now() - t0;
  return r;
}
