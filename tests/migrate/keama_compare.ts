/**
 * Test helper: reads keama's expected outputs (JSON with `#` and `//` comment lines) and reduces a Kea config to
 * the facts that decide what a server does — subnets, pools, pd-pools, reservations, option data and client
 * classes — so two translations can be compared in meaning rather than in text.
 */

/** Parses keama's `.out` text: whole-line `#` and `//` comments are dropped, the rest is JSON. */
export function parseKeamaOut(text: string): Record<string, unknown> {
  const kept = text.split("\n").filter((l) => !/^\s*(#|\/\/)/.test(l)).join("\n");
  return JSON.parse(kept);
}

type Obj = Record<string, unknown>;

function arr(v: unknown): Obj[] {
  return Array.isArray(v) ? v as Obj[] : [];
}

function canonV6(a: string): string {
  if (!a.includes(":")) return a;
  const [h, t] = a.includes("::") ? a.split("::") : [a, undefined];
  const hs = h ? h.split(":") : [];
  const ts = t ? t.split(":") : [];
  const g = t === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts];
  return g.map((x) => parseInt(x || "0", 16).toString(16)).join(":");
}

/** The meaning of a config as sets of normalized facts, one set per kind. */
export interface Facts {
  subnets: Set<string>;
  pools: Set<string>;
  reservations: Set<string>;
  options: Set<string>;
  classes: Set<string>;
  tests: Set<string>;
}

/** Extracts the facts of a Kea `Dhcp4`/`Dhcp6` document (plain JSON). */
export function facts(doc: Obj): Facts {
  const f: Facts = {
    subnets: new Set(),
    pools: new Set(),
    reservations: new Set(),
    options: new Set(),
    classes: new Set(),
    tests: new Set(),
  };
  const d = (doc.Dhcp4 ?? doc.Dhcp6 ?? {}) as Obj;
  const opts = (scope: string, o: Obj) => {
    for (const od of arr(o["option-data"])) {
      f.options.add(`${scope}|${od.space ?? ""}|${od.name}|${String(od.data ?? "").replace(/\s+/g, "").toLowerCase()}`);
    }
  };
  const res = (list: unknown) => {
    for (const r of arr(list)) {
      const id = r["hw-address"] ?? r["client-id"] ?? r["flex-id"] ?? r.duid;
      f.reservations.add(`${id}|${r["ip-address"] ?? arr(r["ip-addresses"]).join(",")}`);
      opts(`host:${r.hostname}`, r);
    }
  };
  const subnet = (s: Obj) => {
    const net = String(s.subnet).replace(/^([^/]+)/, (m) => canonV6(m));
    f.subnets.add(net);
    for (const p of arr(s.pools)) {
      // generated permit classes (gen#…#) are named differently by each translator: compare them as "gen"
      f.pools.add(
        `${net}|${String(p.pool).replace(/\s+/g, "")}|${String(p["client-class"] ?? "").replace(/^gen#.*#$/, "gen")}`,
      );
      opts(`pool:${p.pool}`, p);
    }
    for (const p of arr(s["pd-pools"])) {
      f.pools.add(`${net}|pd:${canonV6(String(p.prefix))}/${p["prefix-len"]}/${p["delegated-len"]}`);
    }
    opts(`subnet:${net}`, s);
    res(s.reservations);
  };
  opts("global", d);
  res(d.reservations);
  for (const s of arr(d.subnet4 ?? d.subnet6)) subnet(s);
  for (const n of arr(d["shared-networks"])) {
    opts(`shared:${n.name}`, n);
    for (const s of arr(n.subnet4 ?? n.subnet6)) subnet(s);
  }
  for (const c of arr(d["client-classes"])) {
    if (!String(c.name).startsWith("gen#")) f.classes.add(String(c.name));
    if (c.test !== undefined) f.tests.add(`${c.name}|${String(c.test).replace(/\s+/g, "")}`);
    opts(`class:${c.name}`, c);
  }
  return f;
}

/** Facts of `want` missing from `got`, per kind (empty when `got` configures at least what `want` does). */
export function missing(want: Facts, got: Facts): string[] {
  const out: string[] = [];
  for (const k of ["subnets", "pools", "reservations", "options", "classes"] as const) {
    for (const x of want[k]) if (!got[k].has(x)) out.push(`${k}: ${x}`);
  }
  return out;
}
