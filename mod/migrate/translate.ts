/**
 * The translator: dhcpd.conf tree → Kea `Dhcp4`/`Dhcp6` document (plus `DhcpDdns` from zones and keys), after
 * keama. Groups push their parameters down into what they contain; a shared network with one subnet is
 * flattened into that subnet (keama); subnets get sequential ids; `range`/`range6`/`prefix6` become pools and
 * pd-pools (a prefix range that is not one aligned block is split into aligned blocks, where keama gives up).
 */

import type { Node } from "./ast.ts";
import { ClassTranslator } from "./classes.ts";
import { Ctx, type MigrateOptions } from "./context.ts";
import { JArr, JObj, jobj } from "./emit.ts";
import { inPrefix, type PendingHost, translateHost } from "./hosts.ts";
import { placeHosts } from "./place_hosts.ts";
import { applyOption, applyOptionDef, applyOptionSpace, mergeOption } from "./options.ts";
import { applyParam, type Level } from "./params.ts";
import type { ParseResult } from "./parser.ts";
import { pdBlocks } from "./prefix.ts";
import { translateDdns, translateDuid, translateFailover } from "./services.ts";

/** Result of a translation: the document, the state (issues, notes, counts). */
export interface Translation {
  doc: JObj;
  /** the D2 configuration (`{"DhcpDdns": …}`) from zone and key declarations, if any */
  d2?: JObj;
  ctx: Ctx;
}

const isParam = (n: Node) => n.k === "param" || n.k === "option";

class Walker {
  readonly ctx: Ctx;
  readonly classes: ClassTranslator;
  readonly hosts: PendingHost[] = [];
  readonly zones: (Node & { k: "zone" })[] = [];
  readonly keys: (Node & { k: "key" })[] = [];
  readonly failovers: (Node & { k: "failover" })[] = [];

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.classes = new ClassTranslator(ctx);
  }

  get subnetKey(): string {
    return this.ctx.v6 ? "subnet6" : "subnet4";
  }

  /** Applies parameters/options of `nodes` to `target` at `level`. */
  params(nodes: Node[], target: JObj, level: Level, parentSubnet?: JObj): void {
    for (const n of nodes) {
      if (n.k === "param") applyParam(n, target, level, this.ctx, parentSubnet);
      else if (n.k === "option") applyOption(n, target, this.ctx, level);
      else if (n.k === "interface") {
        if (level === "subnet" || level === "shared") {
          target.set("interface", n.name);
          this.ctx.interfaces.add(n.name);
        }
      }
    }
  }

  /** Top level and groups at top level: declarations get the group parameters in `inherited`. */
  root(nodes: Node[], inherited: Node[]): void {
    const ctx = this.ctx;
    for (const n of nodes) {
      switch (n.k) {
        case "param":
        case "option":
          if (inherited.length === 0 && !this.inGroup) this.params([n], ctx.dhcp, "global");
          break;
        case "optiondef":
          applyOptionDef(n, ctx);
          break;
        case "optionspace":
          applyOptionSpace(n, ctx);
          break;
        case "note":
          ctx.note(n.loc, n.text);
          break;
        case "subnet":
          this.subnet(n, inherited, ctx.dhcp.arr(this.subnetKey));
          break;
        case "shared":
          this.shared(n, inherited);
          break;
        case "group": {
          const was = this.inGroup;
          this.inGroup = true;
          this.root(n.body, [...inherited, ...n.body.filter(isParam)]);
          this.inGroup = was;
          break;
        }
        case "host":
          this.hosts.push(translateHost(n, [...inherited, ...n.body], ctx));
          break;
        case "class":
          this.classes.klass(n, inherited);
          break;
        case "subclass":
          this.classes.subclass(n, inherited);
          break;
        case "zone":
          this.zones.push(n);
          break;
        case "key":
          this.keys.push(n);
          break;
        case "failover":
          this.failovers.push(n);
          break;
        case "duid":
          translateDuid(n, ctx);
          break;
        case "stmt":
          ctx.off(ctx.dhcp, "statement", n.src, n.loc, [n.note]);
          break;
        case "if":
          this.classes.ifStmt(n);
          break;
        default:
          ctx.off(ctx.dhcp, "statement", n.k, n.loc, [`'${n.k}' is not expected at this level`]);
      }
    }
  }

  inGroup = false;

  private subnet(n: Node & { k: "subnet" }, inherited: Node[], list: JArr): JObj {
    const ctx = this.ctx;
    const obj = jobj({ id: ctx.nextId++, subnet: `${n.prefix}/${n.len}` });
    ctx.subnetList.push({ obj, prefix: n.prefix, len: n.len });
    ctx.counts.subnets++;
    this.params([...inherited, ...n.body.filter((x) => isParam(x) || x.k === "interface")], obj, "subnet");
    this.network(n.body, obj, obj, inherited);
    list.push(obj);
    return obj;
  }

  /** Pools, ranges, hosts and groups inside a subnet (or a shared network: `sub` is then its pool holder). */
  private network(nodes: Node[], obj: JObj, sub: JObj, inherited: Node[]): void {
    const ctx = this.ctx;
    for (const c of nodes) {
      switch (c.k) {
        case "range":
        case "range6":
        case "prefix6":
          this.rangeInto(c, sub, undefined, []);
          break;
        case "pool": {
          const holder = jobj({});
          this.params(c.body.filter(isParam), holder, "pool", sub);
          const permits = c.body.filter((x) => x.k === "permit") as (Node & { k: "permit" })[];
          const notes: string[] = [];
          const cls = permits.length > 0 ? this.classes.permits(permits, notes) : undefined;
          for (const r of c.body) {
            if (r.k === "range" || r.k === "range6" || r.k === "prefix6") this.rangeInto(r, sub, cls, notes, holder);
          }
          for (const r of c.body) {
            if (r.k === "stmt") ctx.off(sub, "statement", r.src, r.loc, [r.note]);
            if (r.k === "group") this.params(r.body.filter((x) => x.k === "option"), holder, "pool", sub);
          }
          break;
        }
        case "host":
          this.hosts.push(translateHost(c, [...inherited, ...c.body], ctx));
          break;
        case "class":
          // a class declared in a subnet is global in dhcpd too; it inherits the subnet's parameters
          this.classes.klass(c, inherited);
          break;
        case "subclass":
          this.classes.subclass(c, inherited);
          break;
        case "group":
          this.network(c.body, obj, sub, [...inherited, ...c.body.filter(isParam)]);
          break;
        case "stmt":
          ctx.off(obj, "statement", c.src, c.loc, [c.note]);
          break;
        case "if":
          // Kea classes are global: the branches apply to this subnet's clients and to any other subnet's alike
          ctx.note(c.loc, "if in a subnet became client classes, which Kea evaluates in every subnet");
          this.classes.ifStmt(c);
          break;
        case "zone":
          this.zones.push(c);
          break;
        case "key":
          this.keys.push(c);
          break;
        case "failover":
          this.failovers.push(c);
          break;
      }
    }
  }

  /** One range (in a pool or not) → a Kea pool / pd-pool entry of `sub`, with the pool's options and class. */
  private rangeInto(r: Node, sub: JObj, cls: string | undefined, notes: string[], holder?: JObj): void {
    const ctx = this.ctx;
    const decorate = (p: JObj) => {
      const od = holder?.get("option-data");
      if (od instanceof JArr && od.items.length > 0) p.set("option-data", od);
      if (cls) p.set("client-class", cls, notes.length ? notes : undefined);
      for (const e of holder?.entries ?? []) if (e.off) p.entries.push(e);
      return p;
    };
    if (r.k === "range") {
      if (r.bootp) ctx.note(r.loc, "dynamic-bootp: Kea serves BOOTP only with the bootp hook");
      sub.arr("pools").push(decorate(jobj({ pool: `${r.lo} - ${r.hi}` })));
      ctx.counts.pools++;
    } else if (r.k === "range6") {
      const text = r.hi !== undefined ? `${r.lo} - ${r.hi}` : `${r.lo}/${r.len}`;
      if (r.temporary) {
        ctx.off(sub, "pools", jobj({ pool: `${text} temporary` }), r.loc, [
          "temporary (IA_TA) addresses are not supported by Kea 2.2",
        ]);
        return;
      }
      sub.arr("pools").push(decorate(jobj({ pool: text })));
      ctx.counts.pools++;
    } else if (r.k === "prefix6") {
      const blocks = pdBlocks(r.lo, r.hi, r.len);
      if (!blocks) {
        ctx.off(sub, "pd-pools", jobj({ prefix: r.lo, "delegated-len": r.len, "prefix-highest": r.hi }), r.loc, [
          "prefix6 range is empty or not made of whole delegated prefixes",
        ]);
        return;
      }
      if (blocks.length > 1) ctx.note(r.loc, `prefix6 ${r.lo} - ${r.hi} split into ${blocks.length} aligned pd-pools`);
      const naPools = sub.get("pools");
      const starts = naPools instanceof JArr
        ? naPools.active().map((p) => String((p as JObj).get("pool")).split(/[\s\-/]/)[0])
        : [];
      for (const b of blocks) {
        const p = decorate(jobj({ prefix: b.prefix, "prefix-len": b.len, "delegated-len": r.len }));
        const hit = starts.find((a) => inPrefix(a, b.prefix, b.len, true));
        if (hit !== undefined) {
          // dhcpd hands out such prefixes; Kea refuses a pd-pool that overlaps an address pool of the subnet
          ctx.off(sub, "pd-pools", p, r.loc, [
            `delegated prefixes ${b.prefix}/${b.len} hold the subnet's address pool at ${hit}: Kea refuses overlapping pools`,
          ]);
          continue;
        }
        sub.arr("pd-pools").push(p);
        ctx.counts.pdPools++;
      }
    }
  }

  private shared(n: Node & { k: "shared" }, inherited: Node[]): void {
    const ctx = this.ctx;
    const obj = jobj({ name: n.name });
    this.params([...inherited, ...n.body.filter((x) => isParam(x) || x.k === "interface")], obj, "shared");
    const subs = new JArr();
    const own: JObj[] = [];
    for (const c of n.body) if (c.k === "subnet") own.push(this.subnet(c, [], subs));
    // pools and ranges declared at shared-network level go to the subnet that holds them
    const loose = new JObj();
    this.network(n.body.filter((c) => c.k !== "subnet"), obj, loose, inherited);
    for (const key of ["pools", "pd-pools"]) {
      const arr = loose.get(key);
      if (!(arr instanceof JArr)) continue;
      for (const it of arr.items) {
        const p = it.value as JObj;
        const first = String(p.get("pool") ?? p.get("prefix") ?? "").split(/[\s\-/]/)[0];
        const home = ctx.subnetList.find((s) => own.includes(s.obj) && inPrefix(first, s.prefix, s.len, ctx.v6));
        if (home && !it.off) home.obj.arr(key).push(p);
        else ctx.off(obj, key, p, n.loc, ["pool outside every subnet of the shared network"]);
      }
    }
    for (const e of loose.entries) if (e.off) obj.entries.push(e);
    if (own.length === 1) {
      // keama: a shared network of one subnet is that subnet
      const s = own[0];
      for (const e of obj.entries) {
        if (e.key === "name" || e.off) continue;
        if (e.key === "option-data" && e.value instanceof JArr) {
          for (const o of e.value.active()) if (!hasOption(s, o as JObj)) mergeOption(s, o as JObj);
        } else if (!s.has(e.key)) s.set(e.key, e.value);
      }
      ctx.dhcp.arr(this.subnetKey).push(s);
      return;
    }
    obj.set(this.subnetKey, subs);
    ctx.dhcp.arr("shared-networks").push(obj);
    ctx.counts.sharedNetworks++;
  }
}

function hasOption(target: JObj, o: JObj): boolean {
  const list = target.get("option-data");
  return list instanceof JArr &&
    list.active().some((x) =>
      x instanceof JObj && x.get("name") === o.get("name") && x.get("space") === o.get("space")
    );
}

/**
 * Translates a parsed dhcpd.conf into a Kea configuration document following keama's choices (see the module
 * comment); returns the document and the translation state (untranslated items, notes, counts).
 */
export function translate(parsed: ParseResult, opts: MigrateOptions): Translation {
  const ctx = new Ctx(opts, parsed.registry);
  const w = new Walker(ctx);
  w.root(parsed.nodes, []);
  w.classes.finish();
  placeHosts(w.hosts, ctx);
  if (ctx.flexId !== undefined) {
    const hooks = ctx.dhcp.arr("hooks-libraries");
    const lib = `${(opts.hooksDir ?? "/usr/lib/x86_64-linux-gnu/kea/hooks").replace(/\/+$/, "")}/libdhcp_flex_id.so`;
    hooks.push(jobj({ library: lib, parameters: jobj({ "identifier-expression": ctx.flexId }) }), [
      "The flexible host identifier is a premium feature",
    ]);
  }
  translateFailover(w.failovers, ctx);
  if (opts.defaults) {
    const d: [string, number, string][] = [["valid-lifetime", 43200, "default"], ["min-valid-lifetime", 300, "min"], [
      "max-valid-lifetime",
      86400,
      "max",
    ]];
    for (const [k, v, what] of d) if (!ctx.dhcp.has(k)) ctx.dhcp.set(k, v, [`Use ISC DHCP ${what} lifetime`]);
  }
  if (ctx.interfaces.size > 0) {
    const ifs = new JArr();
    for (const i of ctx.interfaces) ifs.push(i);
    ctx.dhcp.set("interfaces-config", jobj({ interfaces: ifs }));
  }
  const doc = new JObj();
  const notes = ctx.subnetList.length > 0 && ctx.interfaces.size === 0
    ? ["This configuration declares some subnets but has no interfaces-config", "Reference Kea #245"]
    : undefined;
  doc.set(opts.v6 ? "Dhcp6" : "Dhcp4", ctx.dhcp, notes);
  const d2 = translateDdns(w.zones, w.keys, ctx);
  if (!d2) return { doc, ctx };
  // kea-dhcp4/6 2.2 refuse a second top-level object: D2 gets its own document (--d2 FILE), and a copy is
  // left commented out in the main output for reference
  doc.off("DhcpDdns", d2, [
    "from: zone and key declarations; written separately with --d2 FILE (kea-dhcp-ddns, weka ddns)",
  ]);
  return { doc, d2: new JObj().set("DhcpDdns", d2), ctx };
}
