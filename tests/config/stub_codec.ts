/**
 * A small stand-in for the options module in config tests: a handful of dhcp4 definitions (ipv4-address lists,
 * strings, uint32) with the same encode contract, so config tests do not depend on the full option tables.
 */
import type { OptionCodec4, OptionDefLike } from "../../mod/config/option_codec.ts";
import { ipv4Bytes, parseIpv4 } from "../../mod/wire/addr.ts";

const DEFS: (OptionDefLike & { type: "ip" | "string" | "uint32" })[] = [
  { name: "subnet-mask", code: 1, type: "ip" },
  { name: "routers", code: 3, type: "ip" },
  { name: "domain-name-servers", code: 6, type: "ip" },
  { name: "domain-name", code: 15, type: "string" },
  { name: "dhcp-lease-time", code: 51, type: "uint32" },
];

/** The stub codec: finds by name or code; encodes ip lists, strings and uint32. */
export const stubCodec: OptionCodec4 = {
  findOption4(nameOrCode, space = "dhcp4") {
    if (space !== "dhcp4") return undefined;
    return DEFS.find((d) => d.name === nameOrCode || d.code === nameOrCode);
  },
  encodeOptionData(def, data) {
    const d = DEFS.find((x) => x.code === def.code)!;
    if (d.type === "string") return new TextEncoder().encode(data);
    if (d.type === "uint32") {
      const n = Number(data);
      if (!Number.isInteger(n) || n < 0) throw new Error(`'${data}' is not a uint32`);
      return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    }
    const parts = data.split(",").map((s) => s.trim());
    const out: number[] = [];
    for (const p of parts) {
      const a = parseIpv4(p);
      if (a === undefined) throw new Error(`'${p}' is not an IPv4 address`);
      out.push(...ipv4Bytes(a));
    }
    return new Uint8Array(out);
  },
};
