/**
 * D2 never throws on what arrives on its NCR port (issue 9 items 5 and 9): 50 000 mutated NameChangeRequest
 * datagrams (gen_ncr.ts: wrong types, hostile names, huge DHCIDs, broken JSON and UTF-8, lying length prefixes;
 * seed WEKA_FUZZ_SEED, count WEKA_FUZZ_CASES) through decodeNcr and D2Service, whose DNS side encodes and signs
 * every UPDATE and answers with random outcomes. Only NcrError may come out of decoding; no transaction may throw;
 * no log line may hold a line break.
 */
import assert from "node:assert/strict";
import { formatFailure } from "./drive4.ts";
import { fuzzD2 } from "./drive_ncr.ts";

const SEED = Number(Deno.env.get("WEKA_FUZZ_SEED") ?? 20260901);
const CASES = Number(Deno.env.get("WEKA_FUZZ_CASES") ?? 50_000);

Deno.test(`fuzz d2: ${CASES} mutated NCRs raise nothing and break no log line (seed ${SEED})`, async () => {
  const r = await fuzzD2(SEED, CASES);
  console.log(
    `d2 fuzz: ${r.cases} datagrams in ${Math.round(r.ms)} ms: ${r.invalid} refused, ${r.accepted} accepted, ` +
      `${r.updates} DNS UPDATEs`,
  );
  assert.deepEqual(r.failures.map(formatFailure), [], `reproduce with WEKA_FUZZ_SEED=${SEED}`);
  assert.ok(r.accepted > CASES / 5 && r.invalid > CASES / 5, `accepted ${r.accepted}, refused ${r.invalid}`);
  assert.ok(r.updates > r.accepted, `updates: ${r.updates}`);
});
