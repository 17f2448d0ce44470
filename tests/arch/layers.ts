/**
 * The architecture of mod/ as data, and the checker that holds the code to it (docs/ARCHITECTURE.md shows the same
 * table; tests/arch/layers_test.ts checks the tree, the documents and the checker itself). Imports point down,
 * floor by floor: a folder may import any folder of a lower floor, the few same-floor folders listed for it (their
 * pure vocabulary), and nothing above. On top of the floors: a pure engine never reaches I/O (sockets, control,
 * the KV store, D2's transactions), the expression language knows no packet types, migrate stands apart, and the
 * pure folders and files never touch `Deno.*`.
 */

/** A folder of mod/ with its floor and the same-floor folders it may import. */
export interface Floor {
  floor: number;
  /** what the folder owns, one line (the documents print it) */
  owns: string;
  /** same-floor folders it may import (their vocabulary) */
  also?: string[];
}

/** The floors (docs/ARCHITECTURE.md renders this table). */
export const FLOORS: Record<string, Floor> = {
  wire: { floor: 0, owns: "byte reader/writer, IPv4/IPv6/MAC helpers, printable client text; no DHCP knowledge" },
  clock: { floor: 0, owns: "injected time: the Timers interface and the runtime's timers" },
  options: { floor: 1, owns: "option definitions as data (one table per space), one codec per data type" },
  packet4: { floor: 2, owns: "DHCPv4 packet type and codec (pure)" },
  packet6: { floor: 2, owns: "DHCPv6 message type and codec, relays, IAs (pure)" },
  classify: {
    floor: 2,
    owns: "Kea's expression language (classify/expr: lexer, parser, AST) and its evaluators over packets",
    also: ["packet4", "packet6"],
  },
  config: { floor: 3, owns: "loader, valibot schemas, one defaults table, compile: every section → immutable model" },
  stats: { floor: 4, owns: "statistics with Kea's names, Prometheus text" },
  log: { floor: 4, owns: "Kea `loggers` → LogTape sinks, the Log interface" },
  lease: {
    floor: 4,
    owns: "lease types, indexes, offers, allocators, Deno KV stores with group commit, reclamation, Kea CSV",
    also: ["stats", "log"],
  },
  net: { floor: 5, owns: "sockets through libc FFI, AF_PACKET, interface discovery, transports" },
  control: {
    floor: 5,
    owns: "command registry, Kea result codes, HTTP(S)/unix listeners, auth, lease commands, status page",
  },
  ha: {
    floor: 5,
    owns: "HA state machine (pure), load-balancing hash, peer client, lease updates, sync",
    also: ["control"],
  },
  ddns: {
    floor: 5,
    owns: "NCR codec and queue, DNS UPDATE/TSIG/DHCID codec, D2 transactions",
    also: ["control", "net"],
  },
  dhcp4: { floor: 6, owns: "DHCPv4 engine/ (pure: query + views + now → outcome) and server edge" },
  dhcp6: { floor: 6, owns: "DHCPv6 engine/ (pure) and server edge", also: ["dhcp4"] },
  cli: { floor: 7, owns: "one file per subcommand: argv, wiring, printing; nothing imports it" },
  migrate: { floor: -1, owns: "dhcpd.conf → Kea JSON translator, apart: imports only wire and options" },
};

/** What migrate, standing apart, may import. */
const MIGRATE_MAY = new Set(["wire", "options"]);

/** Files a pure engine (dhcp4/engine, dhcp6/engine) must not import: I/O and the stores. */
const ENGINE_NEVER = [
  /^net\//,
  /^control\//,
  /^cli\//,
  /^ha\//,
  /^lease\/kv_/,
  /^lease\/sql_/,
  /^ddns\/d2\//,
  /^ddns\/ncr\/udp/,
];

/** Folders (and sub-folders) that are pure: no `Deno.` anywhere in them. */
export const PURE_FOLDERS = [
  "wire",
  "clock",
  "options",
  "packet4",
  "packet6",
  "classify",
  "migrate",
  "dhcp4/engine",
  "dhcp6/engine",
  "ddns/dns",
];

/** Pure files outside the pure folders. */
export const PURE_FILES = [
  "ha/state_machine.ts",
  "ha/state_handlers.ts",
  "ha/communication.ts",
  "ha/machine_views.ts",
  "lease/offers.ts",
  "lease/allocator.ts",
];

/** One import of the tree: from file to file, both relative to mod/. */
export interface Edge {
  from: string;
  to: string;
}

/** The folder of a file relative to mod/ ("dhcp4/engine/handle4.ts" → "dhcp4"). */
export function folderOf(rel: string): string {
  return rel.split("/")[0];
}

/** Why an import breaks the architecture, or undefined when it is allowed. */
export function edgeProblem(e: Edge): string | undefined {
  const a = folderOf(e.from), b = folderOf(e.to);
  const fa = FLOORS[a], fb = FLOORS[b];
  if (!fa) return `${e.from}: folder mod/${a} is not in the architecture table`;
  if (!fb) return `${e.from} imports ${e.to}: folder mod/${b} is not in the architecture table`;
  if (e.from.match(/^dhcp[46]\/engine\//) && ENGINE_NEVER.some((re) => re.test(e.to))) {
    return `${e.from} imports ${e.to}: a pure engine reaches I/O`;
  }
  if (e.from.startsWith("classify/expr/") && (b === "packet4" || b === "packet6" || e.to.startsWith("classify/eval"))) {
    return `${e.from} imports ${e.to}: the expression language knows no packets or evaluators`;
  }
  if (a === b) return undefined;
  if (a === "migrate") {
    return MIGRATE_MAY.has(b) ? undefined : `${e.from} imports ${e.to}: migrate imports only wire and options`;
  }
  if (b === "migrate") return a === "cli" ? undefined : `${e.from} imports ${e.to}: only cli uses migrate`;
  if (b === "cli") return `${e.from} imports ${e.to}: nothing imports cli`;
  if (fb.floor < fa.floor || fa.also?.includes(b)) return undefined;
  const dir = fb.floor > fa.floor ? "up" : "sideways";
  return `${e.from} imports ${e.to}: ${a} (floor ${fa.floor}) may not import ${b} (floor ${fb.floor}, ${dir})`;
}

/** The folder pairs that import each other, directly or through others (strongly connected folders). */
export function folderCycles(edges: readonly Edge[]): string[][] {
  const g = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = folderOf(e.from), b = folderOf(e.to);
    if (a === b) continue;
    if (!g.has(a)) g.set(a, new Set());
    g.get(a)!.add(b);
  }
  // Tarjan's strongly connected components
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>();
  const stack: string[] = [], out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|^import\s*['"](\.[^'"]+)['"]/gm;

/** Reads every .ts file under `root` (a mod/ directory): its imports (resolved, relative to root) and Deno uses. */
export function readTree(root: string): { edges: Edge[]; denoUses: string[]; files: string[] } {
  const edges: Edge[] = [], denoUses: string[] = [], files: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of [...Deno.readDirSync(dir)].sort((x, y) => x.name < y.name ? -1 : 1)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) walk(`${dir}/${e.name}`, r);
      else if (e.name.endsWith(".ts")) {
        files.push(r);
        const src = Deno.readTextFileSync(`${dir}/${e.name}`);
        for (const m of src.matchAll(IMPORT)) {
          const to = normalize(`${rel}/${m[1] ?? m[2] ?? m[3]}`);
          if (!to.startsWith("../")) edges.push({ from: r, to });
        }
        if (/\bDeno\.(?!test\b)/.test(src.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ""))) denoUses.push(r);
      }
    }
  };
  walk(root, "");
  return { edges, denoUses, files };
}

/** A relative path with `.` and `..` segments resolved (leading `..` kept). */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length && out.at(-1) !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** Every problem of a tree: disallowed imports, folder cycles, Deno.* in pure code. */
export function checkTree(root: string): string[] {
  const { edges, denoUses, files } = readTree(root);
  const problems = edges.flatMap((e) => edgeProblem(e) ?? []);
  for (const f of files) {
    if (f.includes("/") && !FLOORS[folderOf(f)]) {
      problems.push(`${f}: folder mod/${folderOf(f)} is not in the architecture table`);
    }
  }
  for (const c of folderCycles(edges)) problems.push(`folder cycle: ${c.join(" ↔ ")}`);
  for (const f of denoUses) {
    if (PURE_FILES.includes(f) || PURE_FOLDERS.some((p) => f.startsWith(`${p}/`))) {
      problems.push(`${f}: Deno.* in pure code (codecs, engines and state machines do no I/O)`);
    }
  }
  return [...new Set(problems)];
}

/** The floor table as the documents print it (docs/ARCHITECTURE.md and the README's Layout must contain it). */
export function floorTable(): string {
  const rows = ["| floor | folder | owns | may also import (same floor) |", "| --- | --- | --- | --- |"];
  const entries = Object.entries(FLOORS).sort((x, y) => x[1].floor - y[1].floor);
  for (const [name, f] of entries) {
    const floor = f.floor < 0 ? "apart" : String(f.floor);
    rows.push(`| ${floor} | \`${name}\` | ${f.owns} | ${(f.also ?? []).map((x) => `\`${x}\``).join(", ")} |`);
  }
  return rows.join("\n");
}
