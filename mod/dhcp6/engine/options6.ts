/**
 * The options of a DHCPv6 reply beyond the IAs (RFC 8415 §21.7, Kea's `appendRequestedOptions` and
 * `buildCfgOptionList`): each code the client lists in its Option Request option (6), plus every `always-send`
 * option, is taken from the first scope that defines it, in Kea's precedence: host reservation, the pools of the
 * granted leases, the subnet (with its shared network), client classes in order (the additional ones evaluated
 * first: evaluateAdditional6), then the global scope. A
 * `never-send` definition found first suppresses the option. Relay-supplied options (RFC 6422, option 66) named
 * in `relay-supplied-options` are copied into the reply when the server has not set them.
 */
import { allowedOption } from "../../config/option_guard.ts";
import { getOption6, Opt6, type RawOption6, type Relay6 } from "../../packet6/packet.ts";
import type { OptionValue } from "../../config/model.ts";
import type { Options6, PdPool6, Pool6 } from "../../config/model6.ts";
import { additionalClasses6 } from "./classes6.ts";
import type { Lease6 } from "../../lease/types6.ts";
import { type Exchange6, requestedCodes6 } from "./exchange6.ts";
import { poolOf6 } from "./ia6.ts";

/** The pools the reply's leases come from, in lease order (each once). */
function leasePools6(ex: Exchange6, leases: readonly Lease6[]): (Pool6 | PdPool6)[] {
  const out: (Pool6 | PdPool6)[] = [];
  for (const l of leases) {
    const s = ex.ctx.config.subnets.find((x) => x.id === l.subnetId);
    const pool = s && poolOf6(s, l.type === 2 ? "pd" : "na", l.address, l.prefixLen);
    if (pool && !out.includes(pool)) out.push(pool);
  }
  return out;
}

/**
 * Kea's `evaluateAdditionalClasses` for this reply, before its options are gathered: the additional classes of the
 * granted leases' pools, then of the subnet, then of its shared network.
 */
function evaluateAdditional6(ex: Exchange6, pools: readonly (Pool6 | PdPool6)[]): void {
  if (!ex.classes || !ex.subnet) return;
  const names = [
    ...pools.flatMap((p) => p.additionalClasses),
    ...ex.subnet.additionalClasses,
    ...ex.subnet.networkAdditionalClasses,
  ];
  additionalClasses6(ex.classes, ex.msg, ex.ctx.config, ex.ctx.arrival, names, ex.relays);
}

/**
 * The option sources of this reply, highest precedence first; the client's classes count in the order it joined
 * them (Kea's ClientClasses keep insertion order).
 */
export function optionSources6(ex: Exchange6, leases: readonly Lease6[]): Options6[] {
  const config = ex.ctx.config;
  const out: Options6[] = [];
  if (ex.host) out.push(ex.host.res.options);
  for (const pool of leasePools6(ex, leases)) if (pool.options.size) out.push(pool.options);
  const classes = ex.classes ? [...ex.classes].flatMap((n) => config.clientClasses.filter((c) => c.name === n)) : [];
  if (ex.subnet) out.push(classes.length ? ex.subnet.ownOptions : ex.subnet.options);
  for (const c of classes) out.push(c.options);
  if (!ex.subnet || classes.length) out.push(config.options);
  return out;
}

/** RFC 6422 Relay-Supplied Options (66) payloads of every relay, decoded into options (malformed tails skipped). */
function rsoo(relays: readonly Relay6[]): RawOption6[] {
  const out: RawOption6[] = [];
  // Kea walks the relays in the order the query passed them: the one closest to the client first.
  for (let k = relays.length - 1; k >= 0; k--) {
    const p = getOption6(relays[k].options, 66);
    if (!p) continue;
    for (let i = 0; i + 4 <= p.length;) {
      const code = (p[i] << 8) | p[i + 1], len = (p[i + 2] << 8) | p[i + 3];
      if (i + 4 + len > p.length) break;
      out.push({ code, data: p.subarray(i + 4, i + 4 + len) });
      i += 4 + len;
    }
  }
  return out;
}

/**
 * Appends to `options` (the reply's top-level options so far) the requested and always-send options, in code
 * order as Kea emits them, skipping codes already present; then relay-supplied options allowed by
 * `relay-supplied-options`.
 */
export function appendRequested6(ex: Exchange6, options: RawOption6[], leases: readonly Lease6[]): void {
  evaluateAdditional6(ex, leasePools6(ex, leases));
  const sources = optionSources6(ex, leases);
  const wanted = new Set(requestedCodes6(getOption6(ex.msg.options, Opt6.ORO)));
  // an option guarded by client-classes counts only for a client in its classes (option_guard.ts)
  const allowed6 = (o: OptionValue | undefined) => allowedOption(o, ex.classes);
  for (const src of sources) for (const [code, o] of src) if (allowed6(o)?.alwaysSend) wanted.add(code);
  const present = new Set(options.map((o) => o.code));
  for (const code of [...wanted].sort((a, b) => a - b)) {
    if (present.has(code)) continue;
    let found: OptionValue | undefined;
    for (const src of sources) if ((found = allowed6(src.get(code)))) break;
    if (!found || found.neverSend) continue;
    options.push({ code, data: found.data });
    present.add(code);
  }
  const allowed = ex.ctx.config.relaySuppliedOptions;
  for (const o of rsoo(ex.relays)) {
    if (allowed.includes(o.code) && !present.has(o.code)) {
      options.push(o);
      present.add(o.code);
    }
  }
}
