// The corpus conformance test of `weka migrate` (issue 12): every real dhcpd.conf / dhcpd6.conf of
// tests/fixtures/migrate-corpus is migrated, then checked by weka's config-test (in process) and by Kea 2.2's
// `kea-dhcp4 -t` / `kea-dhcp6 -t` (interfaces normalised to "lo"), and a zone/key translation (--d2) by weka's
// config-test and `kea-dhcp-ddns -t`. It prints one line per file and keama-style counts, and holds the issue's
// thresholds: at least 85 % of the files load in both checkers, at least 90 % of the statements the corpus uses
// translate with nothing commented out, every D2 output loads in both, and every `#` comment of the input is in
// the output (keama keeps them).
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { MigrateError } from "../../mod/migrate/lexer.ts";
import { corpusFiles, keaCheck, migrateCorpusFile, missingComments, normalisedText } from "./corpus_helpers.ts";

function which(cmd: string): boolean {
  return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null", stderr: "null" }).outputSync()
    .success;
}

interface Row {
  file: string;
  parsed: boolean;
  weka?: string;
  kea?: string;
  d2?: string;
  d2Weka?: string;
  /** set when the file has a D2 output */
  d2Ok?: boolean;
  untranslated: number;
  comments: number;
  lostComments: string[];
  statements: number;
  why: string[];
}

Deno.test("migrate corpus: real dhcpd.conf files translate, load in weka and in Kea 2.2 (issue 12 thresholds)", async () => {
  const kea = which("kea-dhcp4") && which("kea-dhcp6");
  if (!kea) console.log("kea-dhcp4/kea-dhcp6 not installed: the Kea column is not checked");
  await Deno.mkdir("/run/kea", { recursive: true }).catch(() => {});
  const dir = await Deno.makeTempDir({ prefix: "weka-corpus-" });
  const rows: Row[] = [];
  const pending: Promise<void>[] = [];
  for (const { file, v6 } of corpusFiles()) {
    const r = migrateCorpusFile(file, v6);
    if (r instanceof MigrateError) {
      rows.push({
        file,
        parsed: false,
        weka: r.message,
        kea: "not run",
        untranslated: 0,
        statements: 0,
        why: [],
        comments: 0,
        lostComments: [],
      });
      continue;
    }
    const row: Row = {
      file,
      parsed: true,
      untranslated: r.issues.length,
      statements: r.statements,
      why: r.issues.map((i) => `${i.loc.file}:${i.loc.line}: ${i.message}`),
      comments: r.comments.length,
      lostComments: missingComments(r),
    };
    rows.push(row);
    try {
      parseConfigText(r.text, `${file}.json`, () => "");
    } catch (e) {
      row.weka = String((e as Error).message).split("\n")[0];
    }
    if (r.d2Text) {
      row.d2Ok = true;
      try {
        parseConfigText(r.d2Text, `${file}.d2.json`, () => "");
      } catch (e) {
        row.d2Weka = String((e as Error).message).split("\n")[0];
      }
    }
    if (kea) {
      const text = normalisedText(r);
      pending.push(keaCheck(v6 ? "kea-dhcp6" : "kea-dhcp4", text, dir, file).then((e) => void (row.kea = e)));
      if (r.d2Text && which("kea-dhcp-ddns")) {
        pending.push(keaCheck("kea-dhcp-ddns", r.d2Text, dir, `${file}.d2`).then((e) => void (row.d2 = e)));
      }
      if (pending.length >= 4) await Promise.all(pending.splice(0));
    }
  }
  await Promise.all(pending);
  await Deno.remove(dir, { recursive: true });

  const ok = (s?: string) => s === undefined;
  console.log("file                                       weka  kea   d2    comments  untranslated/statements");
  const d2Of = (r: Row) => r.d2Weka !== undefined || r.d2 !== undefined ? "FAIL" : r.d2Ok ? "ok" : "-";
  for (const r of rows) {
    console.log(
      `${r.file.padEnd(42)} ${(ok(r.weka) ? "ok" : "FAIL").padEnd(5)} ${(ok(r.kea) ? "ok" : "FAIL").padEnd(5)} ${
        d2Of(r).padEnd(5)
      } ${`${r.comments - r.lostComments.length}/${r.comments}`.padEnd(9)} ${r.untranslated}/${r.statements}`,
    );
    if (!ok(r.weka)) console.log(`    weka: ${r.weka}`);
    if (!ok(r.kea)) console.log(`    kea:  ${r.kea}`);
    if (r.d2Weka !== undefined) console.log(`    d2 weka: ${r.d2Weka}`);
    if (r.d2 !== undefined) console.log(`    d2 kea:  ${r.d2}`);
    for (const c of r.lostComments) console.log(`    comment lost: ${c}`);
    for (const w of r.why) console.log(`    left: ${w}`);
  }
  const n = rows.length;
  const parsed = rows.filter((r) => r.parsed).length;
  const both = rows.filter((r) => r.parsed && ok(r.weka) && ok(r.kea)).length;
  const clean = rows.filter((r) => r.parsed && r.untranslated === 0).length;
  const statements = rows.reduce((a, r) => a + r.statements, 0);
  const left = rows.reduce((a, r) => a + r.untranslated, 0);
  const share = statements === 0 ? 0 : (statements - left) / statements;
  const d2Rows = rows.filter((r) => r.d2Ok !== undefined);
  const d2Both = d2Rows.filter((r) => r.d2 === undefined && r.d2Weka === undefined).length;
  const comments = rows.reduce((a, r) => a + r.comments, 0);
  const lost = rows.reduce((a, r) => a + r.lostComments.length, 0);
  console.log(
    `corpus: ${n} files, ${parsed} parsed, ${rows.filter((r) => ok(r.weka)).length} weka config-test ok, ` +
      `${rows.filter((r) => ok(r.kea)).length} Kea -t ok, ${both} both (${(100 * both / n).toFixed(1)} %); ` +
      `${clean} with nothing left untranslated; statements ${statements}, untranslated ${left} ` +
      `(${(100 * share).toFixed(1)} % translated); D2 outputs ${d2Rows.length}, ${d2Both} load in weka and ` +
      `kea-dhcp-ddns -t; input comments ${comments}, ${comments - lost} in the output`,
  );
  assert.ok(n >= 40, "the corpus holds at least 40 files");
  assert.ok(both / n >= 0.85, `at least 85 % load in both checkers (${both}/${n})`);
  assert.ok(share >= 0.9, `at least 90 % of the statements translate (${(100 * share).toFixed(1)} %)`);
  assert.equal(d2Both, d2Rows.length, "every D2 output loads in weka's config-test and in kea-dhcp-ddns -t");
  assert.equal(lost, 0, "every comment of the input is in the output");
});
