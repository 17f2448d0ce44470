/**
 * dhcpd `host` declarations → Kea host reservations (keama confparse.c parse_host_declaration): `hardware
 * ethernet` → hw-address, `uid` / `option dhcp-client-identifier` → client-id, `host-identifier option` →
 * flex-id (with the flex_id hook) or duid, `fixed-address` → ip-address, `fixed-address6` → ip-addresses,
 * `fixed-prefix6` → prefixes. Reservations are global (keama's default) or, with -N, placed in the subnet that
 * holds their address; one that fits no subnet is an orphan and is commented out.
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JArr, type JObj, jobj } from "./emit.ts";
import { MigrateError } from "./lexer.ts";
import { isIpv4 } from "./option_data.ts";
import { applyOption } from "./options.ts";
import { applyParam } from "./params.ts";
import { hexOf } from "./parse_expr.ts";

/** A translated reservation waiting for placement, with the address used to place it. */
export interface PendingHost {
  obj: JObj;
  addr?: string;
  ok: boolean;
  why: string[];
  loc: Node["loc"];
  /** the host declaration's comments (written above its reservation) */
  comments: string[];
}

function hex(text: string): string {
  return text.split(":").map((h) => h.padStart(2, "0").toLowerCase()).join(":");
}

/** Translates one host declaration (with the group parameters it inherits prepended to its body). */
export function translateHost(node: Node & { k: "host" }, body: Node[], ctx: Ctx): PendingHost {
  const r = jobj({ hostname: node.name });
  const pending: PendingHost = { obj: r, ok: true, why: [], loc: node.loc, comments: ctx.comments.take(node) };
  let ident = false;
  for (const n of body) {
    ctx.comments.around(n, r, () => ident = hostStatement(n, r, pending, ctx) || ident);
  }
  r.comment(ctx.comments.tail(node));
  if (!ident) {
    pending.ok = false;
    pending.why.push("host declaration without hardware address, uid or host-identifier");
  }
  ctx.counts.hosts++;
  return pending;
}

/** One statement of a host declaration into its reservation `r`; true when it identified the host. */
function hostStatement(n: Node, r: JObj, pending: PendingHost, ctx: Ctx): boolean {
  let ident = false;
  {
    switch (n.k) {
      case "hardware":
        if (n.htype !== "ethernet") {
          r.set("hw-address", `${n.htype} ${hex(n.addr)}`);
          pending.ok = false;
          pending.why.push(`Kea reservations take only ethernet hardware addresses, not ${n.htype}`);
        } else {
          r.set("hw-address", hex(n.addr));
          ctx.useId("hw-address");
        }
        ident = true;
        break;
      case "uid":
        r.set(ctx.v6 ? "duid" : "client-id", hex(n.hex));
        ctx.useId(ctx.v6 ? "duid" : "client-id");
        ident = true;
        break;
      case "hostid":
        if (ctx.v6 && n.name === "clientid") {
          r.set("duid", hex(n.value));
          ctx.useId("duid");
        } else {
          const expr = `option[${n.code}].hex`;
          if (ctx.flexId !== undefined && ctx.flexId !== expr) {
            pending.ok = false;
            pending.why.push("Kea's flex_id hook takes a single identifier expression");
          }
          ctx.flexId = expr;
          r.set("flex-id", /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})+$/.test(n.value) ? hex(n.value) : `'${n.value}'`);
          ctx.useId("flex-id");
        }
        ident = true;
        break;
      case "fixed": {
        if (n.prefix) {
          r.arr("prefixes").items.push(...n.addrs.map((value) => ({ value })));
          break;
        }
        if (n.v6) {
          const list = r.arr("ip-addresses");
          for (const a of n.addrs) list.push(a);
          pending.addr ??= n.addrs[0];
          break;
        }
        const addrs = n.addrs.map((a) => resolveAddr(a, n.loc, ctx));
        if (addrs[0] === undefined) {
          pending.ok = false;
          pending.why.push(`cannot resolve ${n.addrs[0]}: put its address here`);
          r.set("ip-address", n.addrs[0]);
          break;
        }
        r.set("ip-address", addrs[0]);
        pending.addr = addrs[0];
        if (n.addrs.length > 1) {
          const extra = new JArr();
          for (const a of addrs.slice(1)) extra.push(a ?? "");
          ctx.off(r, "extra-ip-addresses", extra, n.loc, ["Kea reservations hold one IPv4 address"]);
        }
        break;
      }
      case "option":
        if (!ctx.v6 && n.info?.code === 61 && n.info.space === "dhcp4" && n.value) {
          r.set(
            "client-id",
            n.value.csv
              ? hexOf(n.value.items.join("")).replace(/(..)(?!$)/g, "$1:")
              : n.value.items.join("").replace(/(..)(?!$)/g, "$1:"),
          );
          ctx.useId("client-id");
          ident = true;
        } else applyOption(n, r, ctx);
        break;
      case "param":
        applyParam(n, r, "host", ctx);
        break;
      case "group":
      case "host":
        break;
      case "stmt":
        ctx.off(r, "statement", n.src, n.loc, [n.note]);
        break;
      default:
        ctx.off(r, "statement", n.k, n.loc, [`'${n.k}' in a host declaration has no Kea equivalent`]);
    }
  }
  return ident;
}

function resolveAddr(a: string, loc: Node["loc"], ctx: Ctx): string | undefined {
  if (isIpv4(a)) return a;
  const mode = ctx.opts.resolve ?? "perform";
  if (mode === "fatal") throw new MigrateError(loc, `expected IPv4 address. got hostname ${a}`, a);
  if (mode === "pass") return a;
  return ctx.opts.resolver?.(a);
}

function v4num(a: string): number {
  return a.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
}

function v6big(a: string): bigint {
  const [h, t] = a.includes("::") ? a.split("::") : [a, undefined];
  const hs = h ? h.split(":") : [];
  const tsx = t ? t.split(":") : [];
  const groups = t === undefined ? hs : [...hs, ...Array(8 - hs.length - tsx.length).fill("0"), ...tsx];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

/** Whether `addr` lies in `prefix/len` (IPv4 or IPv6). */
export function inPrefix(addr: string, prefix: string, len: number, v6: boolean): boolean {
  if (!v6) {
    if (!isIpv4(addr)) return false;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return ((v4num(addr) & mask) >>> 0) === ((v4num(prefix) & mask) >>> 0);
  }
  const shift = BigInt(128 - len);
  return (v6big(addr) >> shift) === (v6big(prefix) >> shift);
}
