/**
 * The translator: dhcpd.conf tree → Kea `Dhcp4`/`Dhcp6` document (plus `DhcpDdns` from zones and keys), after
 * keama. Groups push their parameters down into what they contain; a shared network with one subnet is
 * flattened into that subnet (keama); subnets get sequential ids; ranges become pools (pools.ts). Every statement's
 * `#` comments are written above what it became (comments.ts); BOOTP loads Kea's bootp hook (bootp.ts); DHCPv6
 * preferred lifetimes follow dhcpd's (lifetimes6.ts).
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
import { translateDdns, translateDuid, translateFailover } from "./services.ts";
import { dhcpdLifetimes6 } from "./lifetimes6.ts";
import { addBootpHook, bootpWanted, NO_BOOTP_NOTE, noBootpPermit } from "./bootp.ts";
import { addComments, commentLast, Snapshot } from "./comments.ts";
import { poolInto, rangeInto } from "./pools.ts";

/** Result of a translation: the document, the state (issues, notes, counts). */
export interface Translation {
  doc: JObj;
  /** the D2 configuration (`{"DhcpDdns": …}`) from zone and key declarations, if any */
  d2?: JObj;
  ctx: Ctx;
}

const isParam = (n: Node) => n.k === "param" || n.k === "option";
const LATER = new Set(["zone", "key", "failover"]);
const GLOBAL = new Set(["class", "subclass", "if"]);

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
    const ctx = this.ctx;
    for (const n of nodes) {
      ctx.comments.around(n, target, () => {
        if (n.k === "param") applyParam(n, target, level, ctx, parentSubnet);
        else if (n.k === "option") applyOption(n, target, ctx, level);
        else if (n.k === "interface") {
          if (level === "subnet" || level === "shared") {
            target.set("interface", n.name);
            ctx.interfaces.add(n.name);
          }
        }
      });
    }
  }

  /** Top level and groups at top level: declarations get the group parameters in `inherited`. */
  root(nodes: Node[], inherited: Node[]): void {
    const ctx = this.ctx;
    for (const n of nodes) {
      // zones, keys and failover peers are translated at the end, a group's parameters where they are inherited:
      // their comments go there
      if (LATER.has(n.k) || (isParam(n) && this.inGroup)) this.rootNode(n, inherited);
      else ctx.comments.around(n, ctx.dhcp, () => this.rootNode(n, inherited));
    }
  }

  /** One top-level declaration (see root). */
  private rootNode(n: Node, inherited: Node[]): void {
    const ctx = this.ctx;
    {
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
          ctx.comments.intoFirst(n);
          this.root(n.body, [...inherited, ...n.body.filter(isParam)]);
          ctx.dhcp.comment(ctx.comments.tail(n));
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
    const lines = ctx.comments.take(n);
    this.params([...inherited, ...n.body.filter((x) => isParam(x) || x.k === "interface")], obj, "subnet");
    this.network(n.body, obj, obj, inherited);
    obj.comment(ctx.comments.tail(n));
    list.push(obj);
    commentLast(list, lines);
    return obj;
  }

  /** Pools, ranges, hosts and groups inside a subnet (or a shared network: `sub` is then its pool holder). */
  private network(nodes: Node[], obj: JObj, sub: JObj, inherited: Node[]): void {
    const ctx = this.ctx;
    for (const c of nodes) {
      if (LATER.has(c.k) || isParam(c)) this.networkNode(c, obj, sub, inherited);
      else ctx.comments.around(c, GLOBAL.has(c.k) ? ctx.dhcp : obj, () => this.networkNode(c, obj, sub, inherited));
    }
  }

  /** One declaration inside a subnet or shared network (see network). */
  private networkNode(c: Node, obj: JObj, sub: JObj, inherited: Node[]): void {
    const ctx = this.ctx;
    {
      switch (c.k) {
        case "range":
        case "range6":
        case "prefix6": {
          // dhcpd: a plain range outside a pool is closed to BOOTP clients (bootp.ts)
          const noBootp = ctx.bootp && c.k === "range" && !c.bootp;
          const cls = noBootp ? this.classes.permits([noBootpPermit(c.loc)], []) : undefined;
          const snap = new Snapshot(sub);
          rangeInto(ctx, c, sub, cls, noBootp ? [NO_BOOTP_NOTE] : []);
          snap.attach(ctx.comments.take(c));
          break;
        }
        case "pool":
          poolInto(ctx, this.classes, c, sub, (nodes, holder) => this.params(nodes, holder, "pool", sub));
          break;
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
          ctx.comments.intoFirst(c);
          this.network(c.body, obj, sub, [...inherited, ...c.body.filter(isParam)]);
          obj.comment(ctx.comments.tail(c));
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

  private shared(n: Node & { k: "shared" }, inherited: Node[]): void {
    const ctx = this.ctx;
    const obj = jobj({ name: n.name });
    const lines = ctx.comments.take(n);
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
        if (home && !it.off) home.obj.arr(key).items.push(it);
        else {
          ctx.off(obj, key, p, n.loc, ["pool outside every subnet of the shared network"]);
          addComments(obj.entries[obj.entries.length - 1], it.comments ?? []);
        }
      }
    }
    for (const e of loose.entries) if (e.off) obj.entries.push(e);
    const tail = ctx.comments.tail(n);
    if (own.length === 1) {
      // keama: a shared network of one subnet is that subnet (what is commented out in the network goes with it)
      const s = own[0];
      for (const e of obj.entries) {
        if (e.key === "name") continue;
        if (e.off) s.entries.push(e);
        else if (e.key === "option-data" && e.value instanceof JArr) {
          for (const o of e.value.items) {
            if (o.off) s.arr("option-data").items.push(o);
            if (o.off || hasOption(s, o.value as JObj)) continue;
            mergeOption(s, o.value as JObj);
            commentLast(s.arr("option-data"), o.comments ?? []);
          }
        } else if (!s.has(e.key)) {
          s.set(e.key, e.value);
          addComments(s.entries[s.entries.length - 1], e.comments ?? []);
        }
      }
      s.comment(tail);
      const item = subs.items.find((i) => i.value === s)!;
      addComments(item, lines, true);
      ctx.dhcp.arr(this.subnetKey).items.push(item);
      return;
    }
    obj.set(this.subnetKey, subs);
    obj.comment(tail);
    ctx.dhcp.arr("shared-networks").push(obj);
    commentLast(ctx.dhcp.arr("shared-networks"), lines);
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
  const bootp = opts.v6 ? undefined : bootpWanted(parsed.nodes);
  ctx.bootp = bootp !== undefined;
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
  if (bootp) addBootpHook(ctx, bootp);
  dhcpdLifetimes6(ctx);
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
  const d2 = translateDdns(w.zones, w.keys, ctx);
  // comments whose statement wrote nothing anywhere (a group's parameter no declaration inherited) end the map
  ctx.dhcp.comment(ctx.comments.leftover(parsed.nodes));
  const doc = new JObj();
  doc.comment(parsed.header);
  const notes = ctx.subnetList.length > 0 && ctx.interfaces.size === 0
    ? ["This configuration declares some subnets but has no interfaces-config", "Reference Kea #245"]
    : undefined;
  doc.set(opts.v6 ? "Dhcp6" : "Dhcp4", ctx.dhcp, notes);
  if (!d2) return { doc: doc.comment(parsed.trailer), ctx };
  // kea-dhcp4/6 2.2 refuse a second top-level object: D2 gets its own document (--d2 FILE), and a copy is
  // left commented out in the main output for reference
  doc.off("DhcpDdns", d2, [
    "from: zone and key declarations; written separately with --d2 FILE (kea-dhcp-ddns, weka ddns)",
  ]);
  doc.comment(parsed.trailer);
  return { doc, d2: new JObj().set("DhcpDdns", d2), ctx };
}
