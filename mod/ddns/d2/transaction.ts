/**
 * One NameChangeRequest as a pure state machine (DESIGN rule 5; Kea's `NameAddTransaction`,
 * `NameRemoveTransaction` and their check-exists / simple variants): `transition(state, event) → {state, effects}`.
 * The edge sends the UPDATEs the effects ask for and feeds back the outcome. Forward goes first; a forward failure
 * fails the request. Each server gets up to 3 tries (Kea's MAX_UPDATE_TRIES_PER_SERVER), then the next one.
 */
import { rcodeName } from "../dns/constants.ts";
import { Rcode } from "../dns/constants.ts";
import { toHex } from "../../wire/addr.ts";
import type { NameChangeRequest } from "../ncr/ncr.ts";
import type { D2Domain, D2Server } from "../../config/model_d2.ts";
import { buildStep, type Step, type StepUpdate } from "./updates.ts";

/** Kea's MAX_UPDATE_TRIES_PER_SERVER. */
export const MAX_TRIES_PER_SERVER = 3;
/** How often an NXDOMAIN on replace may send the transaction back to add (Kea loops; we bound it). */
export const MAX_READDS = 3;

/** What a transaction works on: the request, the matched domains (undefined = direction not done), the reverse name. */
export interface TxPlan {
  ncr: NameChangeRequest;
  fwd?: D2Domain;
  rev?: D2Domain;
  revName: string;
}

/** A transaction's state: its plan, where it is (step, server index, try on that server) and how it ended. */
export interface TxState {
  readonly plan: TxPlan;
  readonly status: "new" | "pending" | "ok" | "failed";
  readonly step?: Step;
  readonly server: number;
  readonly attempt: number;
  readonly readds: number;
  readonly reason?: string;
}

/** What the edge reports: a verified response's RCODE, a timeout, a send failure or an unusable response. */
export type TxEvent =
  | { kind: "start" }
  | { kind: "response"; rcode: number }
  | { kind: "timeout" }
  | { kind: "io-error"; reason: string }
  | { kind: "bad-response"; reason: string };

/** What the edge must do: send one UPDATE (zone + records) to a server, log, or finish the request. */
export type TxEffect =
  | { kind: "send"; step: Step; server: D2Server; zone: string; update: StepUpdate }
  | { kind: "log"; level: "debug" | "info" | "warn" | "error"; id: string; text: string }
  | { kind: "finish"; ok: boolean };

/** A new transaction for a plan; feed it `{kind: "start"}`. */
export function newTransaction(plan: TxPlan): TxState {
  return { plan, status: "new", server: 0, attempt: 0, readds: 0 };
}

/**
 * Request label in logs: Kea prints the DHCID as the request id. A DHCID over 64 octets (an RFC 4701 one has 35;
 * an NCR sender may put anything) shows its first 64 and its size, so one request cannot make every line huge.
 */
export function requestId(ncr: NameChangeRequest): string {
  let id = ids.get(ncr);
  if (id === undefined) {
    const d = ncr.dhcid;
    id = d.length <= 64 ? toHex(d).toUpperCase() : `${toHex(d.subarray(0, 64)).toUpperCase()}...(${d.length} bytes)`;
    ids.set(ncr, id);
  }
  return id;
}

/** Request ids worked out once per request (a transaction's log lines and the service ask several times). */
const ids = new WeakMap<NameChangeRequest, string>();

const isFwd = (s: Step) => s.startsWith("fwd");
const LOG_STEP: Record<Step, string> = {
  "fwd-add": "FORWARD_ADD",
  "fwd-replace": "FORWARD_REPLACE",
  "fwd-remove-addrs": "FORWARD_REMOVE_ADDRS",
  "fwd-remove-rrs": "FORWARD_REMOVE_RRS",
  "rev-add": "REVERSE_REPLACE",
  "rev-remove": "REVERSE_REMOVE",
};

function domainOf(st: TxState, step: Step): D2Domain {
  return (isFwd(step) ? st.plan.fwd : st.plan.rev)!;
}

function send(st: TxState, step: Step, server: number, attempt: number, extra: Partial<TxState> = {}) {
  const d = domainOf(st, step);
  const next: TxState = { ...st, ...extra, status: "pending", step, server, attempt };
  const zone = d.name === "*" ? zoneFor(st.plan, step) : d.name;
  const effects: TxEffect[] = [{
    kind: "send",
    step,
    server: d.servers[server],
    zone,
    update: buildStep(step, st.plan.ncr, st.plan.revName),
  }];
  return { state: next, effects };
}

/** For the wildcard domain Kea uses the name's parent as the zone; we do the same. */
function zoneFor(plan: TxPlan, step: Step): string {
  const n = isFwd(step) ? plan.ncr.fqdn : plan.revName;
  const i = n.indexOf(".");
  return i >= 0 && i < n.length - 1 ? n.slice(i + 1) : n;
}

function finish(st: TxState, ok: boolean, level: "info" | "error", msgId: string, text: string) {
  const id = requestId(st.plan.ncr);
  return {
    state: { ...st, status: ok ? "ok" as const : "failed" as const, reason: ok ? undefined : text },
    effects: [{ kind: "log" as const, level, id: msgId, text: `Request ID ${id}: ${text}` }, {
      kind: "finish" as const,
      ok,
    }],
  };
}

function done(st: TxState) {
  const n = st.plan.ncr;
  const what = n.changeType === "add" ? "ADD" : "REMOVE";
  return finish(
    st,
    true,
    "info",
    `DHCP_DDNS_${what}_SUCCEEDED`,
    `${n.changeType === "add" ? "added" : "removed"} the DNS mapping for ${n.fqdn} ${n.ipAddress}`,
  );
}

function afterForward(st: TxState) {
  if (st.plan.rev) return send(st, st.plan.ncr.changeType === "add" ? "rev-add" : "rev-remove", 0, 1);
  return done(st);
}

function first(st: TxState) {
  const add = st.plan.ncr.changeType === "add";
  if (st.plan.fwd) return send(st, add ? "fwd-add" : "fwd-remove-addrs", 0, 1);
  if (st.plan.rev) return send(st, add ? "rev-add" : "rev-remove", 0, 1);
  return finish(
    st,
    false,
    "error",
    "DHCP_DDNS_REQUEST_DROPPED",
    `no forward or reverse domain matches ${st.plan.ncr.fqdn}`,
  );
}

function onRcode(st: TxState, rcode: number) {
  const step = st.step!;
  const mode = st.plan.ncr.conflictResolutionMode;
  const checking = mode === "check-with-dhcid" || mode === "check-exists-with-dhcid";
  const reject = () => {
    const n = st.plan.ncr;
    const what = n.changeType === "add" ? "ADD" : "REMOVE";
    const server = domainOf(st, step).servers[st.server];
    const text = `DNS server ${server.ip}:${server.port} rejected the ${step} update for ${n.fqdn} ${n.ipAddress}` +
      ` with ${rcodeName(rcode)}${
        rcode === Rcode.YXRRSET || rcode === Rcode.NXRRSET ? " (the name belongs to another client)" : ""
      }`;
    const r = finish(st, false, "error", `DHCP_DDNS_${LOG_STEP[step]}_REJECTED`, text);
    r.effects.push({
      kind: "log",
      level: "error",
      id: `DHCP_DDNS_${what}_FAILED`,
      text: `Request ID ${requestId(n)}: failed`,
    });
    return r;
  };
  switch (step) {
    case "fwd-add":
      if (rcode === Rcode.NOERROR) return afterForward(st);
      if (checking && rcode === Rcode.YXDOMAIN) return send(st, "fwd-replace", st.server, 1);
      return reject();
    case "fwd-replace":
      if (rcode === Rcode.NOERROR) return afterForward(st);
      if (rcode === Rcode.NXDOMAIN && st.readds < MAX_READDS) {
        return send(st, "fwd-add", st.server, 1, { readds: st.readds + 1 });
      }
      return reject();
    case "fwd-remove-addrs":
      if (checking && (rcode === Rcode.NOERROR || rcode === Rcode.NXRRSET)) {
        return send(st, "fwd-remove-rrs", st.server, 1);
      }
      if (!checking && rcode === Rcode.NOERROR) return afterForward(st);
      return reject();
    case "fwd-remove-rrs":
      if (rcode === Rcode.NOERROR || rcode === Rcode.NXRRSET || rcode === Rcode.YXRRSET) return afterForward(st);
      return reject();
    case "rev-add":
      return rcode === Rcode.NOERROR ? done(st) : reject();
    case "rev-remove":
      return rcode === Rcode.NOERROR || rcode === Rcode.NXDOMAIN || rcode === Rcode.NXRRSET ? done(st) : reject();
  }
}

function onFailure(st: TxState, why: string) {
  const step = st.step!;
  const d = domainOf(st, step);
  const server = d.servers[st.server];
  const id = requestId(st.plan.ncr);
  const log: TxEffect = {
    kind: "log",
    level: "warn",
    id: `DHCP_DDNS_${LOG_STEP[step]}_IO_ERROR`,
    text:
      `Request ID ${id}: ${step} update to ${server.ip}:${server.port} for ${st.plan.ncr.fqdn}: ${why} (try ${st.attempt} of ${MAX_TRIES_PER_SERVER})`,
  };
  let r;
  if (st.attempt < MAX_TRIES_PER_SERVER) r = send(st, step, st.server, st.attempt + 1);
  else if (st.server + 1 < d.servers.length) r = send(st, step, st.server + 1, 1);
  else {
    const what = st.plan.ncr.changeType === "add" ? "ADD" : "REMOVE";
    r = finish(
      st,
      false,
      "error",
      `DHCP_DDNS_${what}_FAILED`,
      `no DNS server of ${d.name} answered the ${step} update for ${st.plan.ncr.fqdn}`,
    );
  }
  return { state: r.state, effects: [log, ...r.effects] };
}

/**
 * Advances a transaction. `start` sends the first step; a `response` moves by its RCODE as Kea's handlers do
 * (add: NOERROR → reverse, YXDOMAIN → replace; replace: NXDOMAIN → add again; remove: NOERROR/NXRRSET → remove
 * the rest, whose NOERROR/NXRRSET/YXRRSET all count as done); `timeout`, `io-error` and `bad-response` retry the
 * same server, then the next, then fail. Events for a finished transaction are ignored.
 */
export function transition(st: TxState, ev: TxEvent): { state: TxState; effects: TxEffect[] } {
  if (st.status === "ok" || st.status === "failed") return { state: st, effects: [] };
  if (ev.kind === "start") return st.status === "new" ? first(st) : { state: st, effects: [] };
  if (st.status !== "pending") return { state: st, effects: [] };
  switch (ev.kind) {
    case "response":
      return onRcode(st, ev.rcode);
    case "timeout":
      return onFailure(st, "timed out");
    case "io-error":
    case "bad-response":
      return onFailure(st, ev.reason);
  }
}
