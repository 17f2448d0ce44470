// @ts-check
/**
 * The status summary of a running server, computed from the JSON answers of Kea's control commands (status-get,
 * statistic-get-all, config-get) — the one place the status page (mod/control/page/app.js, in the browser) and
 * `weka status` (mod/cli/status.ts, in the terminal) get their figures from, so both show the same thing. Plain
 * JavaScript with JSDoc types, no imports, no build step: the browser loads this file as it is.
 */

/**
 * @typedef {{ id: number, prefix: string, network: string, total: number, assigned: number, declined: number }} PoolUse
 * @typedef {{ name: string, total: number, assigned: number, declined: number, subnets: number[] }} NetworkUse
 * @typedef {{ name: string, role: string, state: string }} HaLocal
 * @typedef {{ name: string, role: string, state: string, age: number, inTouch: boolean, interrupted: boolean,
 *   unacked: number }} HaRemote
 * @typedef {{ mode: string, local: HaLocal, remote?: HaRemote }} HaView
 * @typedef {{ time: string, level: string, logger: string, id: string, text: string }} Warning
 * @typedef {{ t: number, perSecond: number }} RatePoint
 * @typedef {{
 *   family: 4 | 6, pid: number, uptime: number, reload: number, dhcpEnabled: boolean, sockets: string,
 *   subnets: PoolUse[], networks: NetworkUse[], ha: HaView[], ddns: Record<string, number>,
 *   packets: Record<string, number>, rates: RatePoint[], warnings: Warning[], leases: number
 * }} Summary
 */

/** The statistics a summary counts as packet traffic, per family (Kea's names). */
export const PACKET_STATS = {
  4: ["pkt4-received", "pkt4-ack-sent", "pkt4-offer-sent", "pkt4-nak-sent", "pkt4-receive-drop", "pkt4-parse-failed"],
  6: ["pkt6-received", "pkt6-reply-sent", "pkt6-advertise-sent", "pkt6-receive-drop", "pkt6-parse-failed"],
};

/**
 * The current value of statistic `name` in a statistic-get-all answer's arguments (`{name: [[value, time], …]}`,
 * newest sample first, as Kea answers); 0 when absent.
 * @param {Record<string, unknown>} stats
 * @param {string} name
 * @returns {number}
 */
export function statValue(stats, name) {
  const s = stats[name];
  if (!Array.isArray(s) || !Array.isArray(s[0])) return 0;
  const v = Number(s[0][0]);
  return Number.isFinite(v) ? v : 0;
}

/**
 * Kea's statistic time ("2026-12-06 23:01:02.123456000", UTC) in ms since the epoch; NaN when unreadable.
 * @param {string} t
 */
export function statTime(t) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?/.exec(String(t));
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? +m[7].padEnd(3, "0") : 0);
}

/**
 * Packet rates per second between consecutive samples of a counter (samples newest first, as Kea keeps them),
 * oldest point first: what the small chart of the status page draws.
 * @param {unknown} samples
 * @returns {RatePoint[]}
 */
export function rateSeries(samples) {
  if (!Array.isArray(samples)) return [];
  /** @type {RatePoint[]} */
  const out = [];
  for (let i = samples.length - 1; i > 0; i--) {
    const [v0, t0] = samples[i], [v1, t1] = samples[i - 1];
    const a = statTime(t0), b = statTime(t1);
    if (!(b > a)) continue;
    out.push({ t: b, perSecond: Math.max(0, (Number(v1) - Number(v0)) / ((b - a) / 1000)) });
  }
  return out;
}

/**
 * The subnets and shared networks of a config-get answer's document (`{Dhcp4: {…}}` or `{Dhcp6: {…}}`): id,
 * prefix and the shared network each belongs to ("" for none).
 * @param {Record<string, any>} doc
 * @returns {{ family: 4 | 6, subnets: { id: number, prefix: string, network: string }[] }}
 */
export function subnetsOf(doc) {
  const family = doc?.Dhcp6 && !doc?.Dhcp4 ? 6 : 4;
  const map = (family === 6 ? doc?.Dhcp6 : doc?.Dhcp4) ?? {};
  const key = family === 6 ? "subnet6" : "subnet4";
  /** @type {{ id: number, prefix: string, network: string }[]} */
  const subnets = [];
  for (const s of map[key] ?? []) subnets.push({ id: Number(s.id), prefix: String(s.subnet), network: "" });
  for (const n of map["shared-networks"] ?? []) {
    for (const s of n[key] ?? []) subnets.push({ id: Number(s.id), prefix: String(s.subnet), network: String(n.name) });
  }
  return { family, subnets };
}

/**
 * Builds the summary from the answers' `arguments`: `status` of status-get, `stats` of statistic-get-all, `config`
 * of config-get. Pool use comes from Kea's per-subnet statistics (`subnet[ID].total-addresses`,
 * `assigned-addresses`, `declined-addresses`; for DHCPv6 `total-nas`/`assigned-nas`), summed per shared network.
 * @param {{ status: Record<string, any>, stats: Record<string, unknown>, config: Record<string, any> }} answers
 * @returns {Summary}
 */
export function summarize({ status, stats, config }) {
  const { family, subnets } = subnetsOf(config);
  const [total, assigned, declined] = family === 6
    ? ["total-nas", "assigned-nas", "declined-addresses"]
    : ["total-addresses", "assigned-addresses", "declined-addresses"];
  const pools = subnets.map((s) => ({
    ...s,
    total: statValue(stats, `subnet[${s.id}].${total}`),
    assigned: statValue(stats, `subnet[${s.id}].${assigned}`),
    declined: statValue(stats, `subnet[${s.id}].${declined}`),
  }));
  /** @type {Map<string, NetworkUse>} */
  const nets = new Map();
  for (const p of pools) {
    if (!p.network) continue;
    const n = nets.get(p.network) ?? { name: p.network, total: 0, assigned: 0, declined: 0, subnets: [] };
    n.total += p.total;
    n.assigned += p.assigned;
    n.declined += p.declined;
    n.subnets.push(p.id);
    nets.set(p.network, n);
  }
  /** @type {Record<string, number>} */
  const ddns = {};
  for (const name of Object.keys(stats).sort()) {
    if (/^(ncr-|update-|queue-mgr-)/.test(name)) ddns[name] = statValue(stats, name);
  }
  /** @type {Record<string, number>} */
  const packets = {};
  for (const name of PACKET_STATS[family]) packets[name] = statValue(stats, name);
  const st = status ?? {};
  const sockets = st.sockets?.status ?? "unknown";
  return {
    family,
    pid: Number(st.pid ?? 0),
    uptime: Number(st.uptime ?? 0),
    reload: Number(st.reload ?? 0),
    dhcpEnabled: st["dhcp-state"]?.["globally-disabled"] !== true,
    sockets: String(sockets),
    subnets: pools,
    networks: [...nets.values()],
    ha: haViews(st["high-availability"]),
    ddns,
    packets,
    rates: rateSeries(stats[family === 6 ? "pkt6-received" : "pkt4-received"]),
    warnings: Array.isArray(st["recent-warnings"]) ? st["recent-warnings"] : [],
    leases: pools.reduce((a, p) => a + p.assigned + p.declined, 0),
  };
}

/**
 * The HA relationships of status-get's `high-availability` list (Kea's `ha-servers.local` / `.remote`).
 * @param {unknown} section
 * @returns {HaView[]}
 */
export function haViews(section) {
  if (!Array.isArray(section)) return [];
  return section.map((r) => {
    const local = r?.["ha-servers"]?.local ?? {}, remote = r?.["ha-servers"]?.remote;
    /** @type {HaView} */
    const v = {
      mode: String(r?.["ha-mode"] ?? ""),
      local: {
        name: String(local["server-name"] ?? ""),
        role: String(local.role ?? ""),
        state: String(local.state ?? ""),
      },
    };
    if (remote) {
      v.remote = {
        name: String(remote["server-name"] ?? ""),
        role: String(remote.role ?? ""),
        state: String(remote["last-state"] || "unknown"),
        age: Number(remote.age ?? 0),
        inTouch: remote["in-touch"] === true,
        interrupted: remote["communication-interrupted"] === true,
        unacked: Number(remote["unacked-clients"] ?? 0),
      };
    }
    return v;
  });
}

/**
 * The lease command and arguments that look a search text up on the server: an address (lease4-get /
 * lease6-get), a MAC of 6 octets (…-get-by-hw-address), other colon hex (a client-id, or a DUID for DHCPv6), else
 * a hostname (…-get-by-hostname). Kea's lease_cmds commands, so the search costs the browser nothing.
 * @param {string} q
 * @param {4 | 6} family
 * @returns {[string, Record<string, unknown>]}
 */
export function searchCommand(q, family) {
  const v = family === 6 ? "lease6" : "lease4";
  const ip6 = family === 6 && /^[0-9a-f:]+$/i.test(q) && (q.includes("::") || q.split(":").length === 8);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(q) || ip6) return [`${v}-get`, { "ip-address": q }];
  if (/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(q)) {
    return [`${v}-get-by-hw-address`, { "hw-address": q.replaceAll("-", ":").toLowerCase() }];
  }
  if (/^([0-9a-f]{2}:)+[0-9a-f]{2}$/i.test(q)) {
    return family === 6 ? ["lease6-get-by-duid", { duid: q }] : ["lease4-get-by-client-id", { "client-id": q }];
  }
  return [`${v}-get-by-hostname`, { hostname: q }];
}

/**
 * "12 / 251 (4.8 %)": used and total addresses of a pool.
 * @param {number} used
 * @param {number} total
 */
export function useText(used, total) {
  const pct = total > 0 ? (100 * used) / total : 0;
  return `${used} / ${total} (${pct < 10 ? pct.toFixed(1) : Math.round(pct)} %)`;
}

/**
 * "3d 4h", "5m 2s": a duration in seconds, short.
 * @param {number} s
 */
export function durationText(s) {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return m ? `${m}m ${s % 60}s` : `${s}s`;
}

/**
 * The summary as terminal text (`weka status`): one block per part, the same figures as the page.
 * @param {Summary} s
 * @param {string} where the control socket asked
 * @returns {string}
 */
export function formatSummary(s, where) {
  const lines = [
    `weka DHCPv${s.family} server, pid ${s.pid}, up ${durationText(s.uptime)} (config loaded ${
      durationText(s.reload)
    } ago), DHCP ${s.dhcpEnabled ? "enabled" : "DISABLED"}, control sockets ${s.sockets} — asked ${where}`,
    "",
    "pools:",
  ];
  const w = Math.max(6, ...s.subnets.map((p) => p.prefix.length));
  for (const p of s.subnets) {
    lines.push(
      `  subnet ${String(p.id).padEnd(4)} ${p.prefix.padEnd(w)}  ${bar(p.assigned, p.total)} ${
        useText(p.assigned, p.total)
      }` +
        (p.declined ? `, ${p.declined} declined` : "") + (p.network ? `  [${p.network}]` : ""),
    );
  }
  if (!s.subnets.length) lines.push("  (no subnet)");
  for (const n of s.networks) {
    lines.push(`  network ${n.name}: ${bar(n.assigned, n.total)} ${useText(n.assigned, n.total)}`);
  }
  lines.push("", "high availability:");
  if (!s.ha.length) lines.push("  (not configured)");
  for (const h of s.ha) {
    lines.push(`  ${h.mode}: this server ${h.local.name} (${h.local.role}) is ${h.local.state}`);
    if (h.remote) {
      lines.push(
        `  partner ${h.remote.name} (${h.remote.role}): last state ${h.remote.state}, ` +
          (h.remote.inTouch ? `last heard ${h.remote.age}s ago` : "never heard from") +
          (h.remote.interrupted ? ", communication interrupted" : ""),
      );
    }
  }
  lines.push("", `packets: ${Object.entries(s.packets).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  const ddns = Object.entries(s.ddns);
  lines.push(`ddns: ${ddns.length ? ddns.map(([k, v]) => `${k}=${v}`).join(" ") : "(no NameChangeRequest yet)"}`);
  lines.push("", `recent warnings and errors: ${s.warnings.length ? "" : "none"}`);
  for (const x of s.warnings.slice(-10)) lines.push(`  ${x.time} ${x.level} ${x.id} ${x.text}`);
  return lines.join("\n");
}

/**
 * A 20-character text bar of `used` out of `total`.
 * @param {number} used
 * @param {number} total
 */
function bar(used, total) {
  const n = total > 0 ? Math.min(20, Math.round((20 * used) / total)) : 0;
  return `[${"#".repeat(n)}${".".repeat(20 - n)}]`;
}
