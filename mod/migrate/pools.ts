/**
 * dhcpd ranges and pools → Kea `pools` / `pd-pools` of a subnet (keama): `range` and `range6` become address pools,
 * `prefix6` pd-pools (a range of delegated prefixes that is not one aligned block is split into aligned blocks, where
 * keama gives up); a `pool { }` gives each of its ranges its options, its permit list (as a client class) and what
 * is commented out in it. Each range's comments go above the pool it became, the pool declaration's above its first.
 */

import type { Node } from "./ast.ts";
import type { ClassTranslator } from "./classes.ts";
import type { Ctx } from "./context.ts";
import { JArr, type JObj, jobj } from "./emit.ts";
import { inPrefix } from "./hosts.ts";
import { pdBlocks } from "./prefix.ts";
import { Snapshot } from "./comments.ts";

const isParam = (n: Node) => n.k === "param" || n.k === "option";

/**
 * `pool { … }` in a subnet (`sub`): its parameters go to a holder whose option-data and commented-out members every
 * range of the pool gets; `params` applies parameter nodes to the holder at pool level.
 */
export function poolInto(
  ctx: Ctx,
  classes: ClassTranslator,
  pool: Node & { k: "pool" },
  sub: JObj,
  params: (nodes: Node[], holder: JObj) => void,
): void {
  const first = new Snapshot(sub);
  const lines = ctx.comments.take(pool);
  const holder = jobj({});
  params(pool.body.filter(isParam), holder);
  for (const r of pool.body) if (r.k === "permit") holder.comment(ctx.comments.take(r));
  holder.comment(ctx.comments.tail(pool));
  const permits = pool.body.filter((x) => x.k === "permit") as (Node & { k: "permit" })[];
  const notes: string[] = [];
  const cls = permits.length > 0 ? classes.permits(permits, notes) : undefined;
  for (const r of pool.body) {
    if (r.k !== "range" && r.k !== "range6" && r.k !== "prefix6") continue;
    const snap = new Snapshot(sub);
    rangeInto(ctx, r, sub, cls, notes, holder);
    snap.attach(ctx.comments.take(r));
  }
  for (const r of pool.body) {
    if (r.k === "stmt") ctx.comments.around(r, sub, () => ctx.off(sub, "statement", r.src, r.loc, [r.note]));
    if (r.k === "group") params(r.body.filter((x) => x.k === "option"), holder);
  }
  first.attach(lines, false, true);
}

/** One range (in a pool or not) → a Kea pool / pd-pool entry of `sub`, with the pool's options and class. */
export function rangeInto(ctx: Ctx, r: Node, sub: JObj, cls: string | undefined, notes: string[], holder?: JObj): void {
  const decorate = (p: JObj) => {
    const od = holder?.get("option-data");
    if (od instanceof JArr && od.items.length > 0) p.set("option-data", od);
    if (cls) p.set("client-class", cls, notes.length ? notes : undefined);
    for (const e of holder?.entries ?? []) if (e.off) p.entries.push(e);
    return p;
  };
  if (r.k === "range") {
    if (r.bootp && !ctx.bootp) ctx.note(r.loc, "dynamic-bootp: Kea serves BOOTP only with the bootp hook");
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
