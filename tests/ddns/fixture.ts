import type { Log } from "../../mod/log/logger.ts";
import { computeDhcid } from "../../mod/ddns/dns/dhcid.ts";
import type { NameChangeRequest } from "../../mod/ddns/ncr/ncr.ts";

/**
 * Loads an annotated hex fixture from tests/fixtures/ddns/: `#` starts a comment, everything else is hex bytes.
 */
export function loadHex(name: string): Uint8Array {
  const text = Deno.readTextFileSync(new URL(`../fixtures/ddns/${name}`, import.meta.url));
  const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** Base64 text → bytes. */
export function b64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** A Log that keeps its lines ("INFO ID text") for assertions. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  const put = (lvl: string) => (id: string, text: string) => void lines.push(`${lvl} ${id} ${text}`);
  return {
    lines,
    debug: put("DEBUG"),
    info: put("INFO"),
    warn: put("WARN"),
    error: put("ERROR"),
    infoEnabled: true,
    debugEnabled: true,
  };
}

const CAROL = "carol.lab.test.";
/** The add NCR whose processing by kea-dhcp-ddns was captured into the kea_d2_* fixtures (capture_kea_d2.ts). */
export const CAROL_NCR: NameChangeRequest = {
  changeType: "add",
  forwardChange: true,
  reverseChange: true,
  fqdn: CAROL,
  ipAddress: "198.18.1.21",
  dhcid: computeDhcid(1, new Uint8Array([1, 0x0c, 0, 0, 0, 0, 0x21]), CAROL),
  leaseExpiresOn: "20301127180000",
  leaseLength: 1200,
  conflictResolutionMode: "check-with-dhcid",
};
