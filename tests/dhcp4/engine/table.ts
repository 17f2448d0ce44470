/** The table runner shared by the engine tests: one row = one query against a prepared world. Tests only. */
import assert from "node:assert/strict";
import { handle4 } from "../../../mod/dhcp4/engine/handle4.ts";
import type { Destination, Outcome } from "../../../mod/dhcp4/engine/types.ts";
import type { Packet4 } from "../../../mod/packet4/packet.ts";
import { formatIpv4 } from "../../../mod/wire/addr.ts";
import { ctxOf, ip, replyType, stat, type World, world } from "./builders.ts";

export interface Row {
  name: string;
  /** prepares the world (leases, offers, config, arrival) */
  setup?: (w: World) => void;
  query: Packet4;
  expect: {
    kind: Outcome["kind"];
    /** reply message type (2 OFFER, 5 ACK, 6 NAK) */
    type?: number;
    /** dotted yiaddr of the reply */
    yiaddr?: string;
    /** destination: "broadcast", "link", or "unicast A.B.C.D:PORT" */
    dest?: string;
    /** drop reason */
    reason?: string;
    /** statistics that must change by exactly these amounts (0 = must not change) */
    stats?: Record<string, number>;
    /** log ids that must appear */
    logIds?: string[];
    /** more checks */
    check?: (out: Outcome, w: World) => void;
  };
}

/** Renders a destination compactly for comparison. */
export function destText(d: Destination): string {
  if (d.kind === "unicast") return `unicast ${formatIpv4(d.addr)}:${d.port}`;
  if (d.kind === "link") return `link ${formatIpv4(d.addr)}`;
  return "broadcast";
}

/** Runs one row and asserts its expectations; returns the outcome for further checks. */
export function runRow(row: Row): Outcome {
  const w = world();
  row.setup?.(w);
  const out = handle4(row.query, ctxOf(w));
  const e = row.expect;
  const why = `${row.name}: ${JSON.stringify(out.log)}`;
  assert.deepEqual(out.kind, e.kind, why);
  if (e.type !== undefined) assert.deepEqual(replyType(out), e.type, why);
  if (e.yiaddr !== undefined) {
    assert(out.kind === "reply", why);
    assert.deepEqual(formatIpv4(out.reply.yiaddr), e.yiaddr, why);
  }
  if (e.dest !== undefined) {
    assert(out.kind === "reply", why);
    assert.deepEqual(destText(out.dest), e.dest, why);
  }
  if (e.reason !== undefined) {
    assert(out.kind === "drop", why);
    assert.deepEqual(out.reason, e.reason, why);
  }
  for (const [name, v] of Object.entries(e.stats ?? {})) {
    assert.deepEqual(stat(out.stats, name), v, `${why} stat ${name}`);
  }
  for (const id of e.logIds ?? []) assert(out.log.some((l) => l.id === id), `${why}: missing log ${id}`);
  e.check?.(out, w);
  return out;
}

export { ip };
