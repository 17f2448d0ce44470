/**
 * Shared builders for the HA config tests: a Dhcp4 document carrying libdhcp_ha.so parameters, peers and
 * relationships as JSON text, the loader call, and the file position of a marked snippet.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";

export const HA = "Dhcp4.hooks-libraries[1].parameters.high-availability";

/** A Dhcp4 document whose second hook is libdhcp_ha.so with `haList` as its high-availability value. */
export function doc(haList: string, extra = ""): string {
  return `{"Dhcp4": {"hooks-libraries": [
 {"library": "/usr/lib/kea/hooks/libdhcp_lease_cmds.so"},
 {"library": "/usr/lib/kea/hooks/libdhcp_ha.so", "parameters": {"high-availability": ${haList}}}]${extra}}}
`;
}
export const peer = (name: string, url: string, role: string, more = "") =>
  `{"name": "${name}", "url": "${url}", "role": "${role}"${more}}`;
export const P1 = peer("s1", "http://192.0.2.1:8000/", "primary");
export const P2 = peer("s2", "http://192.0.2.2:8000/", "secondary");
export const rel = (more: string, peers = `${P1}, ${P2}`, mode = "load-balancing", me = "s1") =>
  `[{"this-server-name": "${me}", "mode": "${mode}"${more}, "peers": [${peers}]}]`;

export function load(text: string) {
  return parseConfigText(text, "ha.json", () => "");
}

/** 1-based line and column of the "|" mark inside `snippet`, which must occur exactly once in `text`. */
export function positionOf(text: string, snippet: string): string {
  const mark = snippet.indexOf("|");
  const plain = snippet.replace("|", "");
  const at = text.indexOf(plain);
  assert.ok(at >= 0 && text.indexOf(plain, at + 1) < 0, `snippet ${snippet} must occur once`);
  const before = text.slice(0, at + mark);
  const line = before.split("\n").length;
  return `${line}:${before.length - before.lastIndexOf("\n")}`;
}
