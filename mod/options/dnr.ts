/**
 * The Discovery of Network-designated Resolvers options (RFC 9463): v4-dnr (DHCPv4 162, §5.1) and v6-dnr (DHCPv6
 * 144, §4.1), from Kea's text form (Kea ≥ 2.5, ARM "DNR options"): one resolver per instance written as
 * `priority, adn[, addresses[, svcparams]]`, addresses separated by spaces, service parameters as space-separated
 * `key=value` pairs (`alpn=dot\,h2 port=853 dohpath=/q{?dns}`: commas inside a value escaped); v4-dnr takes several
 * instances separated by `|`, v6-dnr one. An instance with the resolver's name alone is ADN-only mode. Service
 * parameters are written in wire form (RFC 9460 §2.2: key, length, value; keys in increasing order): mandatory (0),
 * alpn (1), no-default-alpn (2), port (3), ipv4hint (4), ipv6hint (6), dohpath (7).
 */
import { parseIpv4 } from "../wire/addr.ts";
import { parseIpv6 } from "../wire/ipv6.ts";
import { concatBytes } from "../wire/bytes.ts";
import { encodeName } from "./fqdn_wire.ts";
import { OptionDataError } from "./types.ts";

const KEYS: Record<string, number> = {
  mandatory: 0,
  alpn: 1,
  "no-default-alpn": 2,
  port: 3,
  ipv4hint: 4,
  ipv6hint: 6,
  dohpath: 7,
};

const enc = new TextEncoder();

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 255);

/** Splits on `sep` where it is not escaped by a backslash (escapes are kept, for the service parameters). */
function splitEscaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\" && i + 1 < text.length) cur += text[i] + text[++i];
    else if (text[i] === sep) {
      out.push(cur);
      cur = "";
    } else cur += text[i];
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function addresses(text: string, family: 4 | 6): Uint8Array {
  const list = text.split(/\s+/).filter((s) => s !== "");
  if (list.length === 0) throw new OptionDataError("a DNR instance with addresses needs at least one");
  return concatBytes(list.map((a) => {
    if (family === 4) {
      const v = parseIpv4(a);
      if (v === undefined) throw new OptionDataError(`'${a}' is not an IPv4 address`);
      return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    }
    const b = parseIpv6(a);
    if (!b) throw new OptionDataError(`'${a}' is not an IPv6 address`);
    return b;
  }));
}

/** One SvcParam value in wire form (RFC 9460 §7). */
function paramValue(key: string, value: string): Uint8Array {
  switch (key) {
    case "mandatory":
      return concatBytes(
        value.split(",").map((k) => {
          const code = KEYS[k.trim()];
          if (code === undefined) throw new OptionDataError(`'${k}' is not a service parameter key`);
          return u16(code);
        }),
      );
    case "alpn":
      return concatBytes(
        value.split(",").map((id) => {
          const b = enc.encode(id.trim());
          if (b.length === 0 || b.length > 255) throw new OptionDataError(`'${id}' is not an ALPN id`);
          return concatBytes([Uint8Array.of(b.length), b]);
        }),
      );
    case "no-default-alpn":
      return new Uint8Array(0);
    case "port": {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n > 65535) throw new OptionDataError(`port '${value}' is not 0..65535`);
      return u16(n);
    }
    case "ipv4hint":
      return addresses(value.replaceAll(",", " "), 4);
    case "ipv6hint":
      return addresses(value.replaceAll(",", " "), 6);
    default:
      return enc.encode(value); // dohpath: a URI template (RFC 9461 §5)
  }
}

/** The service parameters `key=value …` in wire form, sorted by key as RFC 9460 requires. */
function svcParams(text: string): Uint8Array {
  const params = text.match(/(?:[^\s\\]|\\.)+/g) ?? [];
  const coded = params.map((p) => {
    const eq = p.indexOf("=");
    const key = (eq < 0 ? p : p.slice(0, eq)).trim();
    const code = KEYS[key];
    if (code === undefined) throw new OptionDataError(`'${key}' is not a service parameter key Kea knows`);
    const value = eq < 0 ? "" : p.slice(eq + 1).replace(/\\(.)/g, "$1");
    const v = paramValue(key, value);
    return { code, bytes: concatBytes([u16(code), u16(v.length), v]) };
  });
  coded.sort((a, b) => a.code - b.code);
  for (let i = 1; i < coded.length; i++) {
    if (coded[i].code === coded[i - 1].code) throw new OptionDataError("a service parameter key is given twice");
  }
  return concatBytes(coded.map((c) => c.bytes));
}

/** One instance: priority, ADN, and when given the addresses and service parameters, as fields of `family`. */
function instance(text: string, family: 4 | 6): Uint8Array {
  const f = splitEscaped(text, ",");
  if (f.length < 2 || f.length > 4) {
    throw new OptionDataError(`'${text}' is not a DNR instance ("priority, adn[, addresses[, svcparams]]")`);
  }
  const prio = Number(f[0]);
  if (!/^\d+$/.test(f[0]) || prio > 65535) throw new OptionDataError(`priority '${f[0]}' is not 0..65535`);
  const adn = encodeName(f[1]);
  const len = (n: number) => (family === 4 ? Uint8Array.of(n) : u16(n));
  const parts = [u16(prio), len(adn.length), adn];
  if (f.length > 2) {
    const a = addresses(f[2], family);
    parts.push(len(a.length), a);
    if (f.length > 3) parts.push(svcParams(f[3]));
  }
  return concatBytes(parts);
}

/**
 * v4-dnr (162) from Kea's text: one or more instances separated by `|`, each as the RFC 9463 §5.1 DNR Instance
 * Data: its 2-byte length, then priority, ADN length (1 byte), ADN, address length (1 byte), IPv4 addresses and
 * service parameters.
 */
export function encodeDnr4(text: string): Uint8Array {
  return concatBytes(
    splitEscaped(text, "|").map((t) => {
      const body = instance(t, 4);
      return concatBytes([u16(body.length), body]);
    }),
  );
}

/** v6-dnr (144) from Kea's text: one instance (RFC 9463 §4.1: 2-byte ADN and address lengths, IPv6 addresses). */
export function encodeDnr6(text: string): Uint8Array {
  return instance(text, 6);
}
