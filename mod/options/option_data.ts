/**
 * Kea `option-data` text ⇄ option payload, driven by an {@link OptionDef} (Kea `OptionDataParser` +
 * `OptionDefinition::optionFactory`). Standard and custom definitions go through the same path.
 */
import { parseHex } from "../wire/addr.ts";
import { DecodeError } from "../wire/errors.ts";
import { encodeClasslessRoutes, formatClasslessRoutes } from "./classless_route.ts";
import { TYPE_CODECS, type TypeCodec, type ValueCtx } from "./data_types.ts";
import { OptionDataError, type OptionDataType, type OptionDef, optionLabel } from "./types.ts";
import { concatBytes } from "../wire/bytes.ts";
import { formatSpecial6, isSpecial6 } from "./special6.ts";
import { isSpace6 } from "./lookup6.ts";
import { encodeDnr4, encodeDnr6 } from "./dnr.ts";

/**
 * Splits csv-format data on commas the way Kea's `str::tokens(data, ",", escape=true)` does: `\,` is a literal
 * comma (written "\\," in JSON), `\\` a literal backslash; each value is trimmed and empty values are dropped.
 */
export function splitCsv(data: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === "\\" && (data[i + 1] === "," || data[i + 1] === "\\")) {
      cur += data[++i];
    } else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

function codec(type: OptionDataType, def: OptionDef): TypeCodec {
  const c = TYPE_CODECS[type];
  if (!c) throw new OptionDataError(`${optionLabel(def)}: type '${type}' has no generic codec`);
  return c;
}

// A tuple's length field: 1 byte in DHCPv4, 2 in DHCPv6 (Kea `OpaqueDataTuple` per universe). A definition that
// does not say (a custom one) is taken as DHCPv6 when it belongs to one of Kea's DHCPv6 spaces.
const ctxOf = (def: OptionDef): ValueCtx => ({
  tupleLength: def.tupleLength ?? (def.space !== undefined && isSpace6(def.space) ? 2 : 1),
});

function encodeCsv(def: OptionDef, values: string[]): Uint8Array {
  const ctx = ctxOf(def);
  if (def.type === "internal") {
    if (def.code === 121 && (def.space ?? "dhcp4") === "dhcp4") return encodeClasslessRoutes(values);
    throw new OptionDataError(
      "csv-format text is not supported for this option here; give hex data with csv-format false",
    );
  }
  if (def.type === "record") {
    const fields = def.recordTypes ?? [];
    if (values.length < fields.length) {
      throw new OptionDataError(
        `needs ${fields.length} comma-separated values (${fields.join(", ")}), got ${values.length}`,
      );
    }
    const parts = fields.map((t, i) => codec(t, def).write(values[i], ctx));
    // Kea: the last field of an array record repeats; extra values of a plain record are ignored
    if (def.array) {
      for (let i = fields.length; i < values.length; i++) {
        parts.push(codec(fields.at(-1)!, def).write(values[i], ctx));
      }
    }
    return concatBytes(parts);
  }
  if (def.array) return concatBytes(values.map((v) => codec(def.type, def).write(v, ctx)));
  if (values.length === 0) {
    if (def.type === "empty") return new Uint8Array(0);
    throw new OptionDataError("no value given");
  }
  // Kea uses the first value of a single-valued option (unescaped commas cut a string short: write "\\,")
  const out = codec(def.type, def).write(values[0], ctx);
  // Kea OptionVendor (DHCPv4 125): enterprise-id, then a data-len byte for the (here absent) sub-options
  if (def.code === 125 && (def.space ?? "dhcp4") === "dhcp4") return concatBytes([out, Uint8Array.of(0)]);
  return out;
}

/**
 * Converts an `option-data` `data` string into the option payload. csv-format true: comma-separated values typed
 * by the definition (arrays repeat the type, records take one value per field, classless-static-route takes
 * "subnet/len - router" items). csv-format false: hex ("0a0b0c", "0a:0b:0c", "0a 0b 0c", "0x0a0b0c") or a quoted
 * 'text', checked against the definition unless the option only encapsulates sub-options (43, 82). Errors are
 * {@link OptionDataError}s such as `option 'routers' (3): '198.18.0.300' is not an IPv4 address`.
 */
export function encodeOptionData(def: OptionDef, data: string, csvFormat: boolean): Uint8Array {
  try {
    if (csvFormat) {
      if (def.type === "empty" && def.encapsulate && data.trim() === "") return new Uint8Array(0);
      // RFC 9463 DNR options: Kea's own text form (instances, addresses and service parameters: dnr.ts)
      if (def.type === "internal" && def.code === 162 && (def.space ?? "dhcp4") === "dhcp4") return encodeDnr4(data);
      if (def.type === "internal" && def.code === 144 && def.space === "dhcp6") return encodeDnr6(data);
      const out = encodeCsv(def, splitCsv(data));
      if (isSpecial6(def)) formatOptionData(def, out); // DHCPv6 16: the class data must be 2-byte tuples
      return out;
    }
    const t = data.trim();
    const q = /^'(.*)'$/s.exec(t);
    const bytes = q ? new TextEncoder().encode(q[1]) : parseHex(t);
    if (!bytes) throw new OptionDataError(`'${t}' is not hexadecimal data (csv-format is false)`);
    if (def.type === "empty" && def.encapsulate) return bytes;
    formatOptionData(def, bytes); // validates the payload against the definition
    return bytes;
  } catch (e) {
    if (e instanceof OptionDataError && !e.message.startsWith("option '")) {
      throw new OptionDataError(`${optionLabel(def)}: ${e.message}`);
    }
    if (e instanceof DecodeError) {
      throw new OptionDataError(`${optionLabel(def)}: the data does not fit the definition: ${e.message}`);
    }
    throw e;
  }
}

function readAll(def: OptionDef, type: OptionDataType, b: Uint8Array, off: number, out: string[]): void {
  const c = codec(type, def), ctx = ctxOf(def);
  if (c.size && (b.length - off) % c.size) {
    throw new DecodeError(
      `${b.length - off} bytes is not a whole number of ${type} values (${c.size} bytes each)`,
      off,
    );
  }
  while (off < b.length) {
    const r = c.read(b, off, b.length, ctx);
    out.push(r.text);
    off = r.next;
  }
}

/**
 * Renders a payload as Kea-style text, in the csv-format form {@link encodeOptionData} reads back: values joined with
 * ", ", commas inside string values escaped as "\,", binary as colon hex, names with a trailing dot. A payload that
 * does not fit the definition throws a {@link DecodeError} with the offset.
 */
export function formatOptionData(def: OptionDef, payload: Uint8Array): string {
  const esc = (s: string) => s.replaceAll("\\", "\\\\").replaceAll(",", "\\,");
  const ctx = ctxOf(def);
  if (def.type === "internal") {
    if (def.code === 121 && (def.space ?? "dhcp4") === "dhcp4") return formatClasslessRoutes(payload);
    return codec("binary", def).read(payload, 0, payload.length, ctx).text;
  }
  if (def.type === "empty" && def.encapsulate) return codec("binary", def).read(payload, 0, payload.length, ctx).text;
  if (isSpecial6(def)) return formatSpecial6(def, payload);
  if (def.type === "record") {
    const fields = def.recordTypes ?? [];
    const out: string[] = [];
    let off = 0;
    fields.forEach((t, i) => {
      if (i === fields.length - 1 && def.array) {
        readAll(def, t, payload, off, out);
        off = payload.length;
        return;
      }
      const last = i === fields.length - 1;
      const r = codec(t, def).read(payload, off, payload.length, ctx);
      out.push(t === "string" ? esc(r.text) : r.text);
      off = r.next;
      if (last && off < payload.length) {
        throw new DecodeError(`${payload.length - off} bytes left after the last field`, off);
      }
    });
    return out.join(", ");
  }
  if (def.array) {
    const out: string[] = [];
    readAll(def, def.type, payload, 0, out);
    return out.join(", ");
  }
  if (def.code === 125 && (def.space ?? "dhcp4") === "dhcp4") {
    return codec("uint32", def).read(payload, 0, payload.length, ctx).text;
  }
  const r = codec(def.type, def).read(payload, 0, payload.length, ctx);
  if (r.next < payload.length) throw new DecodeError(`${payload.length - r.next} bytes left after the value`, r.next);
  return def.type === "string" ? esc(r.text) : r.text;
}
