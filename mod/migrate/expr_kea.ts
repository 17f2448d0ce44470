/**
 * Translates dhcpd expressions into Kea's classification expression language (Kea ARM "Using Expressions in
 * Classification"), after keama's reduce.c: constant sub-expressions are folded first (concat of literals,
 * substring/suffix of literals, binary-to-ascii, encode-int of extract-int, pick-first-value), double negations
 * dropped and `!=` written `not (a == b)`. What Kea cannot express raises `Untranslatable` with the reason.
 */

import type { Expr } from "./ast.ts";
import { hexOf } from "./parse_expr.ts";

/** Raised for an expression that has no Kea equivalent. */
export class Untranslatable extends Error {}

function isConst(e: Expr): e is Expr & { op: "const" } {
  return e.op === "const";
}

function intOf(bytes: string): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n = n * 256 + (bytes.charCodeAt(i) & 0xff);
  return n;
}

function bytesOf(n: number, width: number): string {
  let s = "";
  for (let i = width / 8 - 1; i >= 0; i--) s += String.fromCharCode(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return s;
}

/** Folds constant sub-expressions (keama reduce.c), returning a simpler equivalent expression. */
export function fold(e: Expr): Expr {
  switch (e.op) {
    case "eq":
    case "ne":
    case "and":
    case "or":
      return { op: e.op, left: fold(e.left), right: fold(e.right) };
    case "not": {
      const a = fold(e.arg);
      if (a.op === "not") return a.arg;
      if (a.op === "ne") return { op: "eq", left: a.left, right: a.right };
      return { op: "not", arg: a };
    }
    case "call": {
      const args = e.args.map(fold);
      const c = (i: number) => args[i] && isConst(args[i]) ? (args[i] as { bytes: string }).bytes : undefined;
      const n = (i: number) => args[i]?.op === "num" ? (args[i] as { value: number }).value : undefined;
      switch (e.name) {
        case "concat":
          if (args.every(isConst)) {
            return {
              op: "const",
              bytes: args.map((a) => (a as { bytes: string }).bytes).join(""),
              text: args.every((a) => (a as { text: boolean }).text),
            };
          }
          break;
        case "substring":
          if (c(0) !== undefined && n(1) !== undefined && n(2) !== undefined) {
            return { op: "const", bytes: c(0)!.substr(n(1)!, n(2)!), text: true };
          }
          break;
        case "suffix":
          if (c(0) !== undefined && n(1) !== undefined) {
            return { op: "const", bytes: c(0)!.slice(Math.max(0, c(0)!.length - n(1)!)), text: true };
          }
          break;
        case "binary-to-ascii": {
          const base = n(0), width = n(1), sep = c(2), buf = c(3);
          if (base !== undefined && width === 8 && sep !== undefined && buf !== undefined) {
            return {
              op: "const",
              bytes: [...buf].map((ch) => (ch.charCodeAt(0) & 0xff).toString(base)).join(sep),
              text: true,
            };
          }
          break;
        }
        case "extract-int":
          if (c(0) !== undefined && n(1) !== undefined && c(0)!.length >= n(1)! / 8) {
            return { op: "num", value: intOf(c(0)!.slice(0, n(1)! / 8)) };
          }
          break;
        case "encode-int":
          if (n(0) !== undefined && n(1) !== undefined) {
            return { op: "const", bytes: bytesOf(n(0)! % 2 ** n(1)!, n(1)!), text: true };
          }
          break;
        case "pick-first-value":
        case "pick":
          for (const a of args) {
            if (a.op === "null" || (isConst(a) && a.bytes === "")) continue;
            if (isConst(a)) return a;
            return { op: "call", name: e.name, args };
          }
          return { op: "const", bytes: "", text: true };
      }
      return { op: "call", name: e.name, args };
    }
    default:
      return e;
  }
}

function lit(e: Expr & { op: "const" }): string {
  return e.text && /^[\x20-\x26\x28-\x7e]*$/.test(e.bytes) ? `'${e.bytes}'` : `0x${hexOf(e.bytes)}`;
}

function paren(e: Expr, s: string): string {
  return ["eq", "ne", "and", "or", "not"].includes(e.op) ? `(${s})` : s;
}

function data(e: Expr, v6: boolean): string {
  switch (e.op) {
    case "const":
      return lit(e);
    case "num":
      return String(e.value);
    case "option":
      if (e.code === undefined) throw new Untranslatable(`option ${e.space}.${e.name} has no code Kea can test`);
      return `option[${e.code}].hex`;
    case "hardware":
      if (v6) throw new Untranslatable("hardware is a DHCPv4 expression");
      return "concat(substring(pkt4.htype,-1,all), pkt4.mac)";
    case "call": {
      const a = e.args;
      switch (e.name) {
        case "substring":
          if (a[1]?.op !== "num" || a[2]?.op !== "num") break;
          return `substring(${data(a[0], v6)},${a[1].value},${a[2].value})`;
        case "suffix":
          if (a[1]?.op !== "num") break;
          return `substring(${data(a[0], v6)},-${a[1].value},all)`;
        case "concat":
          return a.slice(1).reduce((acc, x) => `concat(${acc}, ${data(x, v6)})`, data(a[0], v6));
      }
      throw new Untranslatable(`${e.name}() has no Kea equivalent`);
    }
    default:
      throw new Untranslatable(`'${e.op}' cannot be used as data in Kea`);
  }
}

function bool(e: Expr, v6: boolean): string {
  switch (e.op) {
    case "eq":
      return `${data(e.left, v6)} == ${data(e.right, v6)}`;
    case "ne":
      return `not (${data(e.left, v6)} == ${data(e.right, v6)})`;
    case "and":
    case "or":
      return `${paren(e.left, bool(e.left, v6))} ${e.op} ${paren(e.right, bool(e.right, v6))}`;
    case "not":
      return `not ${paren(e.arg, bool(e.arg, v6))}`;
    case "exists":
      if (e.code === undefined) throw new Untranslatable(`option ${e.space}.${e.name} has no code Kea can test`);
      return `option[${e.code}].exists`;
    case "call":
      if (e.name === "known") return "member('KNOWN')";
      throw new Untranslatable(`${e.name} has no Kea equivalent`);
    default:
      throw new Untranslatable("not a boolean expression");
  }
}

/** Kea `test` text for a dhcpd boolean expression (`match if`), or throws Untranslatable. */
export function keaTest(e: Expr, v6: boolean): string {
  return bool(fold(e), v6);
}

/** Kea text for a dhcpd data expression (the `match` of a class with subclasses), or throws Untranslatable. */
export function keaData(e: Expr, v6: boolean): string {
  return data(fold(e), v6);
}

/** Kea literal text for a subclass selector (a string or hex list). */
export function keaLiteral(e: Expr): string {
  return e.op === "const" ? lit(e) : data(e, false);
}
