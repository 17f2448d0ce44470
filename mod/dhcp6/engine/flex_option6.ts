/**
 * Kea's `libdhcp_flex_option.so` applied to a DHCPv6 response (Kea 2.2 flex_option_callouts.cc `pkt6_send`,
 * called for every response: ADVERTISE and each REPLY): the same edits as DHCPv4 (dhcp4/engine/flex_option.ts
 * `applyFlex`: `add` when the response lacks the option and the value is not empty, `supersede` replacing it,
 * `remove` when the test is true, each under its `client-class`, then the sub-option entries), made on the
 * client message inside the RELAY-REPL layers (Kea's `Pkt6` options are the client message's; the relay layers
 * are not touched), with expressions evaluated by the DHCPv6 evaluator on the query and its relay layers.
 * Sub-options use DHCPv6's two-byte code and length (RFC 8415 §21.1). IA_NA (3) and IA_PD (25), kept decoded
 * in `ias`, count as present options: `remove` drops them, `supersede` replaces them with the raw value.
 */
import { evalBool6, evalString6 } from "../../classify/evaluate6.ts";
import { queryInput6 } from "../../classify/classify6.ts";
import type { FlexOptions4 } from "../../config/flex_option4.ts";
import type { Message6, Packet6, Relay6 } from "../../packet6/packet.ts";
import { applyFlex, type FlexStore } from "../../dhcp4/engine/flex_option.ts";
import type { Arrival6, LogEntry6 } from "./types.ts";

const ALL: ReadonlySet<string> = new Set(["ALL"]);

/** The IA kind an option code stands for, when the message keeps it decoded in `ias`. */
const iaKind = (code: number) => (code === 3 ? "na" : code === 25 ? "pd" : undefined);

/** The client message's top-level options as the hook sees them (Kea's `Pkt6::getOption` / `delOption`). */
function store6(m: Message6): FlexStore {
  return {
    has: (c) => m.options.some((o) => o.code === c) || m.ias.some((ia) => ia.kind === iaKind(c)),
    get: (c) => m.options.find((o) => o.code === c)?.data,
    delete: (c) => {
      m.options = m.options.filter((o) => o.code !== c);
      if (iaKind(c)) m.ias = m.ias.filter((ia) => ia.kind !== iaKind(c));
      delete m.layout;
    },
    set: (c, data) => {
      const i = m.options.findIndex((o) => o.code === c);
      const rest = m.options.filter((o, j) => o.code !== c || j === i);
      if (i >= 0) m.options = rest.map((o) => (o.code === c ? { code: c, data } : o));
      else m.options = [...m.options, { code: c, data }];
      if (iaKind(c)) m.ias = m.ias.filter((ia) => ia.kind !== iaKind(c));
      delete m.layout;
    },
  };
}

/**
 * Applies the hook's entries to a DHCPv6 `reply` (in place, on its client message): `query` is the client
 * message as received with its RELAY-FORW layers `relays` (outermost first), `classes` the query's classes.
 * Returns the log lines (FLEX_OPTION_PROCESS_ERROR when an expression fails, debug lines for each edit).
 */
export function applyFlexOptions6(
  flex: FlexOptions4,
  reply: Packet6,
  query: { msg: Message6; relays: readonly Relay6[]; arrival: Arrival6; classes?: ReadonlySet<string> },
  label: string,
): LogEntry6[] {
  let m: Packet6 = reply;
  while (m.kind === "relay") m = m.inner;
  const classes = query.classes ?? ALL;
  const a = query.arrival;
  const input = queryInput6(query.msg, { iface: a.iface, src: a.srcAddr, dst: a.dstAddr }, classes, query.relays);
  return applyFlex(flex, store6(m), {
    bool: (e) => evalBool6(e, input),
    str: (e) => evalString6(e, input),
    classes,
    width: 2,
  }, label);
}
