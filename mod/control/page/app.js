// @ts-check
/**
 * The status page's script (served by every HTTP control listener at GET /, mod/control/status_page.ts): it asks
 * the server through Kea's own command API on `POST /` (the browser sends the credentials the page was opened
 * with) and draws what the answers say. Every text that comes from the server — and so possibly from a DHCP
 * client, such as a hostname — is set with `textContent`, never parsed as HTML (rule 8). Leases are paged and
 * searched on the server (lease4-get-page, lease4-get, lease4-get-by-*), so 100 000 leases cost the browser one
 * page of rows.
 */
import { durationText, haViews, rateSeries, searchCommand, summarize, useText } from "./summary.js";

const PAGE_SIZE = 50;
const REFRESH_MS = 5000;
const HISTORY_MS = 10 * 60 * 1000;
const STATE_NAMES = ["default", "declined", "expired-reclaimed", "released"];

/** @type {Set<string>} */
let commands = new Set();
/** `["dhcp4"]` or `["dhcp6"]` when the page is served by a Control Agent (commands forwarded by service) */
/** @type {string[] | undefined} */
let service;
/** @type {4 | 6} */
let family = 4;
/** @type {Record<string, any>} */
let configDoc = {};
let configHash = "";
/** the `from` of each page shown so far (for "previous") and the search text, when searching */
const paging = { starts: ["start"], search: "" };
/** packets received per second, oldest first, for the chart */
/** @type {{ t: number, perSecond: number }[]} */
let history = [];
/** @type {{ t: number, v: number } | undefined} */
let lastCount;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Creates an element with text (never HTML) and an optional class.
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [cls]
 */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/**
 * Sends one control command and returns Kea's answer map.
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<{ result: number, text?: string, arguments?: any }>}
 */
async function cmd(command, args) {
  const body = JSON.stringify({ command, ...(service ? { service } : {}), ...(args ? { arguments: args } : {}) });
  // the origin, not "./": a page opened as http://user:pass@host/ has credentials in its URL, which fetch refuses;
  // the browser sends the credentials it logged in with on its own
  const r = await fetch(`${location.origin}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    credentials: "same-origin",
  });
  if (r.status === 401) throw new Error("the server refused the credentials (HTTP 401): reload and log in");
  if (!r.ok) throw new Error(`${command}: HTTP ${r.status}`);
  const a = await r.json();
  return Array.isArray(a) ? a[0] : a;
}

/** @param {string} text */
function showError(text) {
  const e = $("error");
  e.textContent = text;
  e.hidden = !text;
}

/**
 * A labelled bar of `used` out of `total`.
 * @param {string} label
 * @param {number} used
 * @param {number} total
 * @param {string} [cls]
 */
function meter(label, used, total, cls) {
  const box = el("div", undefined, `pool${cls ? ` ${cls}` : ""}`);
  const head = el("div", undefined, "label");
  head.append(el("span", label), el("span", useText(used, total)));
  const pct = total > 0 ? Math.min(100, (100 * used) / total) : 0;
  const m = el("div", undefined, `meter${pct >= 100 ? " full" : pct >= 80 ? " high" : ""}`);
  const fill = el("div");
  fill.style.width = `${pct}%`;
  m.append(fill);
  box.append(head, m);
  return box;
}

/** @param {string} state */
function stateBadge(state) {
  const good = ["hot-standby", "load-balancing", "backup", "passive-backup"].includes(state);
  const alert = ["partner-down", "terminated", "unavailable", "communication-recovery"].includes(state);
  return el("span", state, `state ${good ? "good" : alert ? "alert" : "other"}`);
}

/**
 * Fills a <dl> with name/value pairs.
 * @param {HTMLElement} dl
 * @param {Record<string, number>} values
 */
function fillList(dl, values) {
  const items = Object.entries(values);
  dl.replaceChildren(...items.flatMap(([k, v]) => [el("dt", k), el("dd", String(v))]));
  if (!items.length) dl.replaceChildren(el("dt", "none yet"), el("dd", ""));
}

/** Draws the packets-received rate of the last minutes as a small SVG line. */
function drawRates() {
  const box = $("rates");
  const now = Date.now();
  history = history.filter((p) => now - p.t <= HISTORY_MS);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 300 70");
  svg.setAttribute("preserveAspectRatio", "none");
  const axis = document.createElementNS(ns, "line");
  for (const [k, v] of Object.entries({ x1: "0", y1: "69", x2: "300", y2: "69", class: "axis" })) {
    axis.setAttribute(k, v);
  }
  svg.append(axis);
  const top = Math.max(0, ...history.map((p) => p.perSecond));
  const peak = Math.max(1, top); // the chart's scale
  if (history.length > 1) {
    const line = document.createElementNS(ns, "polyline");
    const pts = history.map((p) => {
      const x = 300 - ((now - p.t) / HISTORY_MS) * 300, y = 68 - (p.perSecond / peak) * 64;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    });
    line.setAttribute("points", pts.join(" "));
    svg.append(line);
  }
  const last = history.at(-1)?.perSecond ?? 0;
  box.replaceChildren(
    svg,
    el("p", `received now ${last.toFixed(1)}/s, peak ${top.toFixed(1)}/s over the last 10 minutes`),
  );
}

/**
 * Adds this refresh's packet counter to the rate history (seeded from the statistic's own samples).
 * @param {Record<string, unknown>} stats
 */
function trackRates(stats) {
  const name = family === 6 ? "pkt6-received" : "pkt4-received";
  const samples = /** @type {any[]} */ (stats[name] ?? []);
  if (!history.length) history = rateSeries(samples);
  const v = Number(samples[0]?.[0] ?? 0), t = Date.now();
  if (lastCount && t > lastCount.t) {
    history.push({ t, perSecond: Math.max(0, (v - lastCount.v) / ((t - lastCount.t) / 1000)) });
  }
  lastCount = { t, v };
}

/** One refresh of everything but the lease table. */
async function refresh() {
  const [status, stats, hash] = await Promise.all([
    cmd("status-get"),
    cmd("statistic-get-all"),
    commands.has("config-hash-get") ? cmd("config-hash-get") : Promise.resolve({ result: 1 }),
  ]);
  const h = String(hash.arguments?.hash ?? "");
  if (!h || h !== configHash) {
    const c = await cmd("config-get");
    configDoc = c.arguments ?? {};
    configHash = h;
  }
  const s = summarize({ status: status.arguments ?? {}, stats: stats.arguments ?? {}, config: configDoc });
  family = s.family;
  $("server").textContent = `DHCPv${s.family} server · pid ${s.pid} · up ${durationText(s.uptime)} · DHCP ${
    s.dhcpEnabled ? "enabled" : "DISABLED"
  } · ${s.leases} active lease(s) · control sockets ${s.sockets}`;

  const pools = $("pools");
  pools.replaceChildren(
    ...s.networks.map((n) => meter(`shared network ${n.name}`, n.assigned, n.total, "network")),
    ...s.subnets.map((p) =>
      meter(`subnet ${p.id} ${p.prefix}${p.network ? ` (${p.network})` : ""}`, p.assigned, p.total)
    ),
  );
  if (!s.subnets.length) pools.replaceChildren(el("p", "no subnet configured"));

  const ha = $("ha");
  const views = haViews(status.arguments?.["high-availability"]);
  if (!views.length) ha.replaceChildren(el("p", "not configured"));
  else {
    ha.replaceChildren(...views.flatMap((v) => {
      const me = el("p");
      me.append(`${v.mode}: this server ${v.local.name} (${v.local.role}) `, stateBadge(v.local.state));
      const out = [me];
      if (v.remote) {
        const p = el("p");
        p.append(`partner ${v.remote.name} (${v.remote.role}) last reported `, stateBadge(v.remote.state));
        p.append(
          v.remote.inTouch ? ` · last heartbeat ${v.remote.age} s ago` : " · never heard from",
          v.remote.interrupted ? ` · communication interrupted (${v.remote.unacked} unacked clients)` : "",
        );
        out.push(p);
      }
      return out;
    }));
  }
  trackRates(stats.arguments ?? {});
  drawRates();
  fillList($("packets"), s.packets);
  fillList($("ddns"), s.ddns);
  const w = $("warnings");
  w.replaceChildren(
    ...s.warnings.slice(-10).reverse().map((x) => el("li", `${x.time} ${x.level} ${x.id} ${x.text}`, x.level)),
  );
  if (!s.warnings.length) w.replaceChildren(el("li", "none"));
}

/** Shows one page of the lease table (or the search result). */
async function showLeases() {
  const v = family === 6 ? "lease6" : "lease4";
  /** @type {any[]} */
  let leases = [];
  let more = false;
  if (paging.search) {
    const [c, args] = searchCommand(paging.search, family);
    const a = commands.has(c) ? await cmd(c, args) : { result: 2, text: `${c} is not available` };
    if (a.result === 0) leases = a.arguments?.leases ?? [a.arguments];
    else if (a.result !== 3) throw new Error(`${c}: ${a.text}`);
  } else if (commands.has(`${v}-get-page`)) {
    const from = paging.starts.at(-1) ?? "start";
    const a = await cmd(`${v}-get-page`, { from, limit: PAGE_SIZE });
    if (a.result === 0) leases = a.arguments?.leases ?? [];
    else if (a.result !== 3) throw new Error(`${v}-get-page: ${a.text}`);
    more = leases.length === PAGE_SIZE;
  }
  const now = Date.now() / 1000;
  const rows = leases.map((l) => {
    const tr = el("tr");
    const left = Number(l.cltt) + Number(l["valid-lft"]) - now;
    tr.append(
      el("td", String(l["ip-address"] ?? "")),
      el("td", String(l["hw-address"] ?? l.duid ?? "")),
      el("td", String(l.hostname ?? "")),
      el("td", String(l["subnet-id"] ?? "")),
      el("td", STATE_NAMES[Number(l.state)] ?? String(l.state)),
      el("td", left > 1e9 ? "never" : left <= 0 ? "expired" : `in ${durationText(Math.round(left))}`),
    );
    return tr;
  });
  const body = /** @type {HTMLElement} */ (document.querySelector("#leases tbody"));
  body.replaceChildren(...rows);
  if (!rows.length) {
    const tr = el("tr");
    const td = el("td", paging.search ? `no lease matches ${paging.search}` : "no lease");
    td.setAttribute("colspan", "6");
    tr.append(td);
    body.replaceChildren(tr);
  }
  const n = paging.starts.length;
  $("page-info").textContent = paging.search ? `${leases.length} found` : `page ${n}`;
  /** @type {HTMLButtonElement} */ ($("prev")).disabled = paging.search !== "" || n <= 1;
  const next = /** @type {HTMLButtonElement} */ ($("next"));
  next.disabled = !more;
  next.dataset.from = more ? String(leases.at(-1)["ip-address"]) : "";
}

/** @param {() => Promise<void>} fn */
async function guarded(fn) {
  try {
    await fn();
    showError("");
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
}

/** @param {{ arguments?: unknown }} answer */
const names = (answer) => new Set(Array.isArray(answer.arguments) ? answer.arguments : []);

async function start() {
  commands = names(await cmd("list-commands"));
  // a Control Agent answers for itself: address its DHCPv4 server, else its DHCPv6 server, by `service`
  for (const s of commands.has("statistic-get-all") ? [] : ["dhcp4", "dhcp6"]) {
    service = [s];
    const list = await cmd("list-commands");
    if (list.result === 0) {
      commands = names(list);
      break;
    }
    service = undefined;
  }
  family = commands.has("lease6-get-page") && !commands.has("lease4-get-page") ? 6 : 4;
  await refresh();
  await showLeases();
}

$("search").addEventListener("submit", (ev) => {
  ev.preventDefault();
  paging.search = /** @type {HTMLInputElement} */ ($("q")).value.trim();
  paging.starts = ["start"];
  guarded(showLeases);
});
$("clear").addEventListener("click", () => {
  /** @type {HTMLInputElement} */ ($("q")).value = "";
  paging.search = "";
  paging.starts = ["start"];
  guarded(showLeases);
});
$("next").addEventListener("click", () => {
  const from = $("next").dataset.from;
  if (from) paging.starts.push(from);
  guarded(showLeases);
});
$("prev").addEventListener("click", () => {
  if (paging.starts.length > 1) paging.starts.pop();
  guarded(showLeases);
});

guarded(start);
setInterval(() =>
  guarded(async () => {
    await refresh();
    await showLeases();
  }), REFRESH_MS);
