/**
 * NameChangeRequests in Kea's wire format (`src/lib/dhcp_ddns/ncr_msg.cc`): a 2-byte big-endian length followed by
 * exactly that many bytes of JSON with Kea's field names. Shared by the DHCP side (sender) and `weka ddns`
 * (receiver). Pure: no sockets.
 */
import * as v from "valibot";
import { parseIpv4 } from "../../wire/addr.ts";
import { parseHex, toHex } from "../../wire/addr.ts";
import { absoluteName, nameLabels } from "../dns/name.ts";
import { parseIpv6 } from "../dns/ipv6.ts";

/** Kea's four conflict-resolution modes (RFC 4703 and Kea's two relaxations). */
export const CONFLICT_MODES = [
  "check-with-dhcid",
  "no-check-with-dhcid",
  "check-exists-with-dhcid",
  "no-check-without-dhcid",
] as const;
/** One of {@link CONFLICT_MODES}. */
export type ConflictMode = typeof CONFLICT_MODES[number];

/** One request, in memory. `dhcid` is the DHCID rdata (RFC 4701) carried as hex on the wire. */
export interface NameChangeRequest {
  changeType: "add" | "remove";
  forwardChange: boolean;
  reverseChange: boolean;
  /** absolute, trailing dot */
  fqdn: string;
  ipAddress: string;
  dhcid: Uint8Array;
  /** "YYYYMMDDHHMMSS" (UTC), as Kea 2.2 writes it; "" when the sender left it out */
  leaseExpiresOn: string;
  /** the DNS TTL to use, in seconds (Kea sends the computed TTL in this field) */
  leaseLength: number;
  conflictResolutionMode: ConflictMode;
}

/** A request that cannot be read; `message` speaks to the operator and names the field. */
export class NcrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NcrError";
  }
}

/** The NCR JSON schema (valibot): the reference that {@link quickNcrJson} follows and that words the errors. */
export const NCR_JSON_SCHEMA = v.object({
  "change-type": v.picklist([0, 1], "change-type must be 0 (add) or 1 (remove)"),
  "forward-change": v.boolean("forward-change must be true or false"),
  "reverse-change": v.boolean("reverse-change must be true or false"),
  fqdn: v.pipe(v.string("fqdn must be a string"), v.nonEmpty("fqdn must not be empty")),
  "ip-address": v.string("ip-address must be a string"),
  dhcid: v.pipe(v.string("dhcid must be a hex string"), v.nonEmpty("dhcid must not be empty")),
  "lease-expires-on": v.optional(v.pipe(v.string(), v.regex(/^\d{14}$/, "lease-expires-on must be YYYYMMDDHHMMSS"))),
  "lease-length": v.pipe(
    v.number("lease-length must be a number"),
    v.integer("lease-length must be an integer"),
    v.minValue(0, "lease-length must not be negative"),
    v.maxValue(0xffffffff, "lease-length must fit in 32 bits"),
  ),
  "use-conflict-resolution": v.optional(v.boolean("use-conflict-resolution must be true or false")),
  "conflict-resolution-mode": v.optional(
    v.picklist(CONFLICT_MODES, `conflict-resolution-mode must be one of ${CONFLICT_MODES.join(", ")}`),
  ),
});

type NcrJson = v.InferOutput<typeof NCR_JSON_SCHEMA>;
const DIGITS14 = /^\d{14}$/;
const MODES: ReadonlySet<unknown> = new Set(CONFLICT_MODES);

/**
 * The NCR JSON as {@link NCR_JSON_SCHEMA} would output it when every field is as the schema wants, checked directly
 * (valibot's safeParse costs ~10 µs per request); undefined when anything is off, and the schema then says what.
 * Accepts nothing the schema refuses: each test is the schema's own (picklist, boolean, non-empty string,
 * integer in 0…2³²−1, optional fields absent or well-typed).
 */
export function quickNcrJson(raw: unknown): NcrJson | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const ct = o["change-type"], fwd = o["forward-change"], rev = o["reverse-change"];
  const fqdn = o.fqdn, ip = o["ip-address"], dhcid = o.dhcid, exp = o["lease-expires-on"];
  const len = o["lease-length"], use = o["use-conflict-resolution"], mode = o["conflict-resolution-mode"];
  if (ct !== 0 && ct !== 1) return undefined;
  if (typeof fwd !== "boolean" || typeof rev !== "boolean") return undefined;
  if (typeof fqdn !== "string" || fqdn === "" || typeof ip !== "string") return undefined;
  if (typeof dhcid !== "string" || dhcid === "") return undefined;
  if (exp !== undefined && (typeof exp !== "string" || !DIGITS14.test(exp))) return undefined;
  if (typeof len !== "number" || !Number.isInteger(len) || len < 0 || len > 0xffffffff) return undefined;
  if (use !== undefined && typeof use !== "boolean") return undefined;
  if (mode !== undefined && !MODES.has(mode)) return undefined;
  return {
    "change-type": ct,
    "forward-change": fwd,
    "reverse-change": rev,
    fqdn,
    "ip-address": ip,
    dhcid,
    "lease-expires-on": exp,
    "lease-length": len,
    "use-conflict-resolution": use,
    "conflict-resolution-mode": mode as ConflictMode | undefined,
  };
}

/**
 * Parses NCR JSON as Kea's `NameChangeRequest::fromJSON` does: required change-type, directions, fqdn, ip-address,
 * dhcid and lease-length; `conflict-resolution-mode` wins over the legacy `use-conflict-resolution` (true →
 * check-with-dhcid, false → no-check-with-dhcid; absent → check-with-dhcid). Unknown keys are ignored as Kea
 * ignores them. Throws {@link NcrError} naming the bad field, or when neither direction is requested.
 */
export function parseNcrJson(text: string): NameChangeRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NcrError(`NCR is not valid JSON: ${(e as Error).message}`);
  }
  let o = quickNcrJson(raw);
  if (!o) {
    const r = v.safeParse(NCR_JSON_SCHEMA, raw);
    if (!r.success) {
      const issue = r.issues[0];
      const path = issue.path?.map((p) => String(p.key)).join(".");
      throw new NcrError(`invalid NCR${path ? ` field ${path}` : ""}: ${issue.message}`);
    }
    o = r.output;
  }
  if (!o["forward-change"] && !o["reverse-change"]) {
    throw new NcrError("invalid NCR: forward-change and reverse-change are both false");
  }
  if (parseIpv4(o["ip-address"]) === undefined && parseIpv6(o["ip-address"]) === undefined) {
    throw new NcrError(`invalid NCR field ip-address: "${o["ip-address"]}" is not an IPv4 or IPv6 address`);
  }
  const dhcid = /^[0-9a-fA-F]+$/.test(o.dhcid) && o.dhcid.length % 2 === 0 ? parseHex(o.dhcid) : undefined;
  if (!dhcid) throw new NcrError(`invalid NCR field dhcid: "${o.dhcid}" is not an even-length hex string`);
  try {
    nameLabels(o.fqdn);
  } catch (e) {
    throw new NcrError(`invalid NCR field fqdn: ${(e as Error).message}`);
  }
  const mode: ConflictMode = o["conflict-resolution-mode"] ??
    (o["use-conflict-resolution"] === false ? "no-check-with-dhcid" : "check-with-dhcid");
  return {
    changeType: o["change-type"] === 0 ? "add" : "remove",
    forwardChange: o["forward-change"],
    reverseChange: o["reverse-change"],
    fqdn: absoluteName(o.fqdn),
    ipAddress: o["ip-address"],
    dhcid,
    leaseExpiresOn: o["lease-expires-on"] ?? "",
    leaseLength: o["lease-length"],
    conflictResolutionMode: mode,
  };
}

/**
 * Writes NCR JSON exactly as Kea 2.2 does (NameChangeRequest::toJSON: change-type … lease-length,
 * use-conflict-resolution), byte for byte, for the two modes Kea 2.2's boolean carries (check-with-dhcid: true,
 * no-check-with-dhcid: false); the two newer modes add `conflict-resolution-mode` so Kea ≥ 2.5 and weka keep the
 * exact mode (Kea 2.2 ignores the extra key). DHCID hex is upper-case as Kea writes it. `lease-expires-on` is
 * left out when empty; Kea 2.2's D2 requires it, so a sender talking to Kea must fill it.
 */
export function ncrToJson(n: NameChangeRequest): string {
  return JSON.stringify({
    "change-type": n.changeType === "add" ? 0 : 1,
    "forward-change": n.forwardChange,
    "reverse-change": n.reverseChange,
    fqdn: n.fqdn,
    "ip-address": n.ipAddress,
    dhcid: toHex(n.dhcid).toUpperCase(),
    ...(n.leaseExpiresOn ? { "lease-expires-on": n.leaseExpiresOn } : {}),
    "lease-length": n.leaseLength,
    "use-conflict-resolution": n.conflictResolutionMode === "check-with-dhcid" ||
      n.conflictResolutionMode === "check-exists-with-dhcid",
    ...(LEGACY_MODES.has(n.conflictResolutionMode) ? {} : { "conflict-resolution-mode": n.conflictResolutionMode }),
  });
}

/** The modes Kea 2.2's `use-conflict-resolution` expresses exactly (true, false). */
const LEGACY_MODES: ReadonlySet<ConflictMode> = new Set(["check-with-dhcid", "no-check-with-dhcid"]);

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

/** Frames JSON for the wire: 2-byte big-endian length, then the UTF-8 bytes (Kea's `NameChangeRequest::toFormat`). */
export function frameNcr(json: string): Uint8Array {
  const body = enc.encode(json);
  if (body.length > 0xffff) throw new NcrError(`NCR of ${body.length} bytes does not fit a 2-byte length`);
  const out = new Uint8Array(body.length + 2);
  out[0] = body.length >>> 8;
  out[1] = body.length & 0xff;
  out.set(body, 2);
  return out;
}

/**
 * Reads one framed NCR datagram (Kea's `fromFormat`): the 2-byte length must not exceed what follows. Throws
 * {@link NcrError} for a short frame, a length running past the datagram, or bytes that are not UTF-8.
 */
export function unframeNcr(datagram: Uint8Array): string {
  if (datagram.length < 2) throw new NcrError(`NCR datagram of ${datagram.length} bytes has no length prefix`);
  const len = (datagram[0] << 8) | datagram[1];
  if (len > datagram.length - 2) {
    throw new NcrError(`NCR length prefix says ${len} bytes but only ${datagram.length - 2} follow`);
  }
  try {
    return dec.decode(datagram.subarray(2, 2 + len));
  } catch {
    throw new NcrError("NCR payload is not UTF-8 text");
  }
}

/** Frames a request for the wire ({@link ncrToJson} + {@link frameNcr}). */
export function encodeNcr(n: NameChangeRequest): Uint8Array {
  return frameNcr(ncrToJson(n));
}

/** Reads a framed datagram into a request ({@link unframeNcr} + {@link parseNcrJson}). */
export function decodeNcr(datagram: Uint8Array): NameChangeRequest {
  return parseNcrJson(unframeNcr(datagram));
}
