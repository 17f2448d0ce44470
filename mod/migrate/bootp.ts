/**
 * BOOTP in a dhcpd.conf → Kea's libdhcp_bootp.so (Kea ARM "bootp: Support for BOOTP Clients"; weka has it built in),
 * translated as dhcpd behaves (ISC dhcpd's server/confpars.c parse_address_range() and dhcpd.conf(5) "PERMIT LISTS"):
 *
 * - a file that says `allow bootp`, has a `range dynamic-bootp` or a pool with `allow dynamic bootp clients` wants
 *   BOOTP clients served: the hook is loaded (unless `deny|ignore bootp` at the top level), with a `///` note;
 * - dhcpd gives BOOTP clients dynamic addresses only from `range dynamic-bootp` ranges: a range declared outside a
 *   `pool { }` without `dynamic-bootp` gets dhcpd's implicit `deny dynamic bootp clients`, which becomes a pool
 *   guard excluding Kea's class `BOOTP` (keama's generated class `gen#!BOOTP#`, test `not member('BOOTP')`); ranges in
 *   a `pool { }` follow that pool's permit list, where `dynamic bootp clients` names the class `BOOTP`;
 * - host declarations (fixed addresses) serve BOOTP clients in both servers;
 * - a BOOTP lease never expires under Kea's hook, which is also dhcpd's default for dynamic BOOTP leases.
 *
 * A file that never mentions BOOTP gets no hook: dhcpd would answer a BOOTP client that has a host declaration, but
 * nothing in the file says such clients exist.
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { jobj } from "./emit.ts";
import { hookPath } from "./services.ts";

/** The class Kea's hook gives BOOTP queries, as a dhcpd permit-list name ("dynamic bootp clients"). */
export const BOOTP_PERMIT = "dynamic bootp clients";

function walk(nodes: Node[], visit: (n: Node, top: boolean) => void, top = true): void {
  for (const n of nodes) {
    visit(n, top);
    if ("body" in n) walk(n.body, visit, top && n.k === "group");
  }
}

/**
 * Whether the translation loads the BOOTP hook (see the module comment), and where the file first asked for it
 * (the loc of its `allow bootp`, dynamic-bootp range or permit).
 */
export function bootpWanted(nodes: Node[]): Node["loc"] | undefined {
  let asked: Node["loc"] | undefined;
  let denied = false;
  walk(nodes, (n, top) => {
    const what = n.k === "param" ? n.args.map((a) => a.text.toLowerCase()).join(" ") : "";
    if (n.k === "param" && what === "bootp") {
      if (n.name === "allow") asked ??= n.loc;
      else if (top) denied = true;
    }
    if (n.k === "range" && n.bootp) asked ??= n.loc;
    if (n.k === "permit" && n.allow && n.what === BOOTP_PERMIT) asked ??= n.loc;
  });
  return denied ? undefined : asked;
}

/** Adds libdhcp_bootp.so to the hooks, with the notes that explain what it changes. */
export function addBootpHook(ctx: Ctx, from: Node["loc"]): void {
  ctx.dhcp.arr("hooks-libraries").push(jobj({ library: hookPath(ctx, "libdhcp_bootp.so") }), [
    `from: BOOTP allowed (${from.file}:${from.line}): Kea answers BOOTP clients with this hook`,
    "BOOTP clients are in class BOOTP and get leases that never expire (as dhcpd's dynamic BOOTP leases)",
    "dhcpd gives them dynamic addresses only from dynamic-bootp ranges: the other pools exclude class BOOTP",
  ]);
  ctx.note(from, "BOOTP: libdhcp_bootp.so loaded; pools that dhcpd keeps from BOOTP clients exclude class BOOTP");
}

/** The note on a pool guarded by dhcpd's implicit `deny dynamic bootp clients`. */
export const NO_BOOTP_NOTE =
  "not for BOOTP clients: dhcpd gives them no address from a range without dynamic-bootp outside a pool";

/** dhcpd's implicit permit-list entry of a plain range outside a pool: `deny dynamic bootp clients`. */
export function noBootpPermit(loc: Node["loc"]): Node & { k: "permit" } {
  return { k: "permit", allow: false, what: BOOTP_PERMIT, loc };
}
