/**
 * Helpers of the corpus conformance test (tests/migrate/corpus_test.ts): migrate one file of
 * tests/fixtures/migrate-corpus (its includes read from includes/<stem>/), normalise the interfaces so Kea can check
 * the result on any machine (every interface name becomes "lo", as keama's own README suggests for its en0), and run
 * Kea 2.2's `-t` on a text. Tests only.
 */
import { migrate, type MigrateResult } from "../../mod/migrate/migrate.ts";
import { MigrateError } from "../../mod/migrate/lexer.ts";
import { commentLine, emitJson, JArr, JObj, type JVal } from "../../mod/migrate/emit.ts";

/** The corpus directory. */
export const CORPUS = new URL("../fixtures/migrate-corpus/", import.meta.url).pathname;

/** The corpus files, sorted, with their family (dhcpd6.conf → DHCPv6). */
export function corpusFiles(): { file: string; v6: boolean }[] {
  return [...Deno.readDirSync(CORPUS)].map((e) => e.name).filter((f) => f.endsWith(".conf")).sort()
    .map((file) => ({ file, v6: file.endsWith(".dhcpd6.conf") }));
}

/** Migrates one corpus file; a parse failure comes back as the MigrateError. Host names are not resolved. */
export function migrateCorpusFile(file: string, v6: boolean): MigrateResult | MigrateError {
  const stem = file.replace(/\.dhcpd6?\.conf$/, "");
  const readFile = (p: string) => Deno.readTextFileSync(`${CORPUS}includes/${stem}/${p.replace(/^.*\//, "")}`);
  try {
    return migrate(Deno.readTextFileSync(CORPUS + file), { v6, file, readFile, resolver: () => undefined });
  } catch (e) {
    if (e instanceof MigrateError) return e;
    throw e;
  }
}

function relabel(v: JVal): void {
  if (v instanceof JObj) {
    for (const e of v.entries) {
      if (e.key === "interface" && typeof e.value === "string") e.value = "lo";
      else if (e.key === "interfaces" && e.value instanceof JArr) e.value = new JArr().push("lo");
      else relabel(e.value);
    }
  } else if (v instanceof JArr) { for (const i of v.items) relabel(i.value); }
}

/** The translation's text with every interface named "lo" (the test machine may not have the file's eth1). */
export function normalisedText(r: MigrateResult): string {
  relabel(r.doc);
  return emitJson(r.doc);
}

/** Runs `cmd -t` on `text`; undefined when accepted, else Kea's first error line. */
export async function keaCheck(cmd: string, text: string, dir: string, name: string): Promise<string | undefined> {
  const path = `${dir}/${name}.json`;
  await Deno.writeTextFile(path, text);
  const out = await new Deno.Command(cmd, { args: ["-t", path], stdout: "piped", stderr: "piped" }).output();
  if (out.success) return undefined;
  const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return (log.split("\n").find((l) => /ERROR|error|rror/.test(l)) ?? log.slice(0, 300)).trim();
}

/**
 * The input comments of a translation that its text lacks, as `file:line: text`: every `#` comment must be in the
 * output as a `//` line (a comment inside a commented-out part is `//` twice), counted with its repeats.
 */
export function missingComments(r: MigrateResult): string[] {
  const have = new Map<string, number>();
  for (const l of r.text.split("\n")) {
    const norm = l.trim().replace(/^\/\/\s+(?=\/\/)/, "");
    if (norm.startsWith("//") && !norm.startsWith("///")) have.set(norm, (have.get(norm) ?? 0) + 1);
  }
  const out: string[] = [];
  for (const c of r.comments) {
    const want = commentLine(c.text);
    const n = have.get(want) ?? 0;
    if (n > 0) have.set(want, n - 1);
    else out.push(`${c.file}:${c.line}: ${c.text}`);
  }
  return out;
}
