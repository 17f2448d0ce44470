/**
 * The server DUID (RFC 8415 §11) built from `Dhcp6.server-id` the way Kea's `CfgDUID::create` does it, and kept in
 * a `kea-dhcp6-serverid` file (colon hex on one line, as Kea writes it) so a restart answers with the same DUID and
 * clients keep renewing with this server. Building is pure; only {@link loadServerDuid} touches the file.
 */
import type { ServerIdSpec } from "../config/model6.ts";

/** Kea's file name of the persisted server DUID. */
export const SERVER_ID_FILE = "kea-dhcp6-serverid";
/** ISC's enterprise number, Kea's default for DUID-EN. */
export const ISC_ENTERPRISE = 2495;
/** Seconds from the Unix epoch to 2000-01-01T00:00:00Z (RFC 8415 §11.2 DUID-LLT time base). */
export const DUID_EPOCH = 946684800;

const TYPE_CODE = { LLT: 1, EN: 2, LL: 3 } as const;

/** What building a DUID may draw on besides the spec: a MAC of the host, the clock, random bytes. */
export interface DuidSources {
  /** the first served interface's MAC (6 bytes), when any */
  mac?: Uint8Array;
  /** unix seconds */
  now: number;
  random: (n: number) => Uint8Array;
}

/** Kea's spelling of a DUID: lower-case colon hex. */
export function duidText(d: Uint8Array): string {
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** Parses colon (or plain) hex; undefined when it is not a DUID (2 to 130 bytes, RFC 8415 §11.1). */
export function parseDuidText(text: string): Uint8Array | undefined {
  const hex = text.trim().replaceAll(":", "");
  if (!/^([0-9a-fA-F]{2}){2,130}$/.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g)!.map((x) => parseInt(x, 16)));
}

/**
 * Builds the server DUID from the spec (RFC 8415 §11.2 LLT: type 1, htype, time, link-layer address; §11.3 EN:
 * type 2, enterprise number, identifier; §11.4 LL: type 3, htype, link-layer address). Unset parts come, as in
 * Kea, from `previous` (the persisted DUID) when it has the same type, else: htype 1 (Ethernet), time = now since
 * 2000-01-01, the MAC for LLT/LL (6 random bytes when there is none), enterprise 2495 (ISC) with 6 random bytes.
 */
export function buildServerDuid(spec: ServerIdSpec, src: DuidSources, previous?: Uint8Array): Uint8Array {
  const code = TYPE_CODE[spec.type];
  const prev = previous && previous.length >= 4 && ((previous[0] << 8) | previous[1]) === code ? previous : undefined;
  const pv = prev ? new DataView(prev.buffer, prev.byteOffset, prev.byteLength) : undefined;
  const ll = () => src.mac && src.mac.length ? src.mac : src.random(6);
  let body: Uint8Array;
  let head: Uint8Array;
  if (spec.type === "EN") {
    const ent = spec.enterpriseId || (pv && prev!.length >= 6 ? pv.getUint32(2) : ISC_ENTERPRISE);
    body = spec.identifier.length ? spec.identifier : (prev && prev.length > 6 ? prev.slice(6) : src.random(6));
    head = new Uint8Array(6);
    new DataView(head.buffer).setUint32(2, ent);
  } else if (spec.type === "LLT") {
    const htype = spec.htype || (pv && prev!.length >= 8 ? pv.getUint16(2) : 1);
    const time = spec.time || (pv && prev!.length >= 8 ? pv.getUint32(4) : Math.max(0, src.now - DUID_EPOCH));
    body = spec.identifier.length ? spec.identifier : (prev && prev.length > 8 ? prev.slice(8) : ll());
    head = new Uint8Array(8);
    const v = new DataView(head.buffer);
    v.setUint16(2, htype);
    v.setUint32(4, time >>> 0);
  } else {
    const htype = spec.htype || (pv ? pv.getUint16(2) : 1);
    body = spec.identifier.length ? spec.identifier : (prev && prev.length > 4 ? prev.slice(4) : ll());
    head = new Uint8Array(4);
    new DataView(head.buffer).setUint16(2, htype);
  }
  head[0] = 0;
  head[1] = code;
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/**
 * The server DUID for this start: the persisted one (file `path`) fills in whatever the spec leaves unset, as Kea
 * does, so an unchanged configuration keeps its DUID across restarts; with `persist` (Kea's default) the result is
 * written back when it differs. An unreadable or malformed file is replaced (reported through `warn`).
 */
export async function loadServerDuid(
  spec: ServerIdSpec,
  path: string,
  src: DuidSources,
  warn: (text: string) => void,
): Promise<Uint8Array> {
  let previous: Uint8Array | undefined;
  try {
    const text = await Deno.readTextFile(path);
    previous = parseDuidText(text);
    if (!previous) warn(`${path} does not hold a DUID (${JSON.stringify(text.slice(0, 40))}); generating a new one`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) warn(`cannot read ${path}: ${(e as Error).message}`);
  }
  const duid = buildServerDuid(spec, src, previous);
  if (spec.persist && (!previous || duidText(previous) !== duidText(duid))) {
    try {
      await Deno.writeTextFile(path, duidText(duid) + "\n");
    } catch (e) {
      warn(`cannot write the server DUID to ${path}: ${(e as Error).message}; it will change at the next start`);
    }
  }
  return duid;
}
