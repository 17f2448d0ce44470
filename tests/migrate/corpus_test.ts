// The corpus conformance test of `weka migrate` (issue 12): every real dhcpd.conf / dhcpd6.conf of
// tests/fixtures/migrate-corpus is migrated, then checked by weka's config-test (in process) and by Kea 2.2's
// `kea-dhcp4 -t` / `kea-dhcp6 -t` (interfaces normalised to "lo"), and a zone/key translation by `kea-dhcp-ddns -t`.
// It prints one line per file and keama-style counts, and holds the issue's thresholds: at least 85 % of the files
// load in both checkers, and at least 90 % of the statements the corpus uses translate with nothing commented out.
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import { MigrateError } from "../../mod/migrate/lexer.ts";
import { corpusFiles, keaCheck, migrateCorpusFile, normalisedText } from "./corpus_helpers.ts";

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
  untranslated: number;
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
      rows.push({ file, parsed: false, weka: r.message, kea: "not run", untranslated: 0, statements: 0, why: [] });
      continue;
    }
    const row: Row = {
      file,
      parsed: true,
      untranslated: r.issues.length,
      statements: r.statements,
      why: r.issues.map((i) => `${i.loc.file}:${i.loc.line}: ${i.message}`),
    };
    rows.push(row);
    try {
      parseConfigText(r.text, `${file}.json`, () => "");
    } catch (e) {
      row.weka = String((e as Error).message).split("\n")[0];
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
  console.log("file                                       weka  kea   d2    untranslated/statements");
  for (const r of rows) {
    console.log(
      `${r.file.padEnd(42)} ${(ok(r.weka) ? "ok" : "FAIL").padEnd(5)} ${(ok(r.kea) ? "ok" : "FAIL").padEnd(5)} ${
        (r.d2 === undefined ? "-" : "FAIL").padEnd(5)
      } ${r.untranslated}/${r.statements}`,
    );
    if (!ok(r.weka)) console.log(`    weka: ${r.weka}`);
    if (!ok(r.kea)) console.log(`    kea:  ${r.kea}`);
    if (r.d2 !== undefined) console.log(`    d2:   ${r.d2}`);
    for (const w of r.why) console.log(`    left: ${w}`);
  }
  const n = rows.length;
  const parsed = rows.filter((r) => r.parsed).length;
  const both = rows.filter((r) => r.parsed && ok(r.weka) && ok(r.kea)).length;
  const clean = rows.filter((r) => r.parsed && r.untranslated === 0).length;
  const statements = rows.reduce((a, r) => a + r.statements, 0);
  const left = rows.reduce((a, r) => a + r.untranslated, 0);
  const share = statements === 0 ? 0 : (statements - left) / statements;
  console.log(
    `corpus: ${n} files, ${parsed} parsed, ${rows.filter((r) => ok(r.weka)).length} weka config-test ok, ` +
      `${rows.filter((r) => ok(r.kea)).length} Kea -t ok, ${both} both (${(100 * both / n).toFixed(1)} %); ` +
      `${clean} with nothing left untranslated; statements ${statements}, untranslated ${left} ` +
      `(${(100 * share).toFixed(1)} % translated)`,
  );
  assert.ok(n >= 40, "the corpus holds at least 40 files");
  assert.ok(both / n >= 0.85, `at least 85 % load in both checkers (${both}/${n})`);
  assert.ok(share >= 0.9, `at least 90 % of the statements translate (${(100 * share).toFixed(1)} %)`);
});
