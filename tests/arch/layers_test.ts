/**
 * The architecture test (tests/arch/layers.ts; docs/ARCHITECTURE.md): mod/ keeps its floors — no disallowed import,
 * no folder cycle, no Deno.* in pure code; the checker itself catches each kind of fault, including a deliberately
 * bad import in a copy of the real tree; every folder of mod/ is in the table; and docs/ARCHITECTURE.md and the
 * README's Layout show the table the test enforces.
 */
import assert from "node:assert/strict";
import { checkTree, edgeProblem, FLOORS, floorTable, folderCycles } from "./layers.ts";

const REPO = new URL("../../", import.meta.url).pathname;

Deno.test("architecture: every import of mod/ points down its floors; no cycles; no Deno.* in pure code", () => {
  const problems = checkTree(`${REPO}mod`);
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

Deno.test("architecture: every folder of mod/ is in the table", () => {
  const dirs = [...Deno.readDirSync(`${REPO}mod`)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  assert.deepEqual(dirs, Object.keys(FLOORS).sort());
});

/** Writes a small fake mod/ tree: `files` maps a path under mod/ to its text. */
function fakeTree(files: Record<string, string>): string {
  const root = Deno.makeTempDirSync({ prefix: "wka-" });
  for (const [path, text] of Object.entries(files)) {
    Deno.mkdirSync(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
    Deno.writeTextFileSync(`${root}/${path}`, text);
  }
  return root;
}

Deno.test("architecture checker: catches an upward import, an engine reaching I/O, packets in the expression language, Deno in a codec, a cycle", () => {
  const root = fakeTree({
    "wire/bytes.ts": 'import { x } from "../dhcp4/server.ts";\n',
    "dhcp4/server.ts": "export const x = 1;\n",
    "dhcp4/engine/handle4.ts": 'import { send } from "../../net/udp4.ts";\n',
    "net/udp4.ts": "export const send = 1;\n",
    "classify/expr/parser.ts": 'import type { Packet4 } from "../../packet4/packet.ts";\n',
    "packet4/packet.ts": "export type Packet4 = { a: number };\nconst t = Deno.readTextFileSync('x');\n",
    "migrate/emit.ts": 'import { c } from "../config/load.ts";\n',
    "config/load.ts": 'import { l } from "../lease/kv_store.ts";\nexport const c = 1;\n',
    "lease/kv_store.ts": 'import { c } from "../config/load.ts";\nexport const l = 1;\n',
    "mystery/x.ts": "export const y = 2;\n",
  });
  try {
    const p = checkTree(root).join("\n");
    assert.match(p, /wire\/bytes\.ts imports dhcp4\/server\.ts: wire \(floor 0\) may not import dhcp4 \(floor 6, up\)/);
    assert.match(p, /dhcp4\/engine\/handle4\.ts imports net\/udp4\.ts: a pure engine reaches I\/O/);
    assert.match(p, /classify\/expr\/parser\.ts imports packet4\/packet\.ts: the expression language knows no packets/);
    assert.match(p, /packet4\/packet\.ts: Deno\.\* in pure code/);
    assert.match(p, /migrate\/emit\.ts imports config\/load\.ts: migrate imports only wire and options/);
    assert.match(p, /config\/load\.ts imports lease\/kv_store\.ts: config \(floor 3\) may not import lease/);
    assert.match(p, /folder cycle: config ↔ lease/);
    assert.match(p, /mystery\/x\.ts: folder mod\/mystery is not in the architecture table/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
  assert.equal(edgeProblem({ from: "ha/service.ts", to: "control/answer.ts" }), undefined); // listed same-floor
  assert.match(edgeProblem({ from: "control/x.ts", to: "ha/y.ts" })!, /sideways/);
  assert.deepEqual(folderCycles([{ from: "a/x.ts", to: "b/y.ts" }, { from: "b/y.ts", to: "c/z.ts" }]), []);
});

Deno.test("architecture checker: a deliberately bad import in a copy of the real tree fails the check", () => {
  const copy = Deno.makeTempDirSync({ prefix: "wka-copy-" });
  try {
    const cp = (from: string, to: string) => {
      Deno.mkdirSync(to, { recursive: true });
      for (const e of Deno.readDirSync(from)) {
        if (e.isDirectory) cp(`${from}/${e.name}`, `${to}/${e.name}`);
        else Deno.copyFileSync(`${from}/${e.name}`, `${to}/${e.name}`);
      }
    };
    cp(`${REPO}mod`, copy);
    assert.deepEqual(checkTree(copy), []);
    const victim = `${copy}/lease/offers.ts`;
    Deno.writeTextFileSync(victim, `import "../dhcp4/server.ts";\n` + Deno.readTextFileSync(victim));
    const p = checkTree(copy);
    assert.ok(
      p.some((x) => /lease\/offers\.ts imports dhcp4\/server\.ts: lease \(floor 4\) may not import dhcp4/.test(x)),
      p.join("\n"),
    );
    assert.ok(p.some((x) => /folder cycle: .*dhcp4.*lease/.test(x)), p.join("\n"));
  } finally {
    Deno.removeSync(copy, { recursive: true });
  }
});

/** The cells of every row of the first markdown table after `marker` in `text` (header and rule left out). */
function tableAfter(text: string, marker: string): string[][] {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `no '${marker}' in the document`);
  const lines = text.slice(at).split("\n").map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith("|")) break;
    rows.push(l.slice(1, -1).split("|").map((c) => c.trim()));
  }
  return rows.slice(2);
}

Deno.test("architecture: docs/ARCHITECTURE.md and the README's Layout show the table the test enforces", () => {
  const want = tableAfter(floorTable(), "| floor");
  for (const doc of ["docs/ARCHITECTURE.md", "README.md"]) {
    const got = tableAfter(Deno.readTextFileSync(`${REPO}${doc}`), "<!-- floors");
    assert.deepEqual(got, want, `${doc}'s floor table differs from tests/arch/layers.ts`);
  }
});
