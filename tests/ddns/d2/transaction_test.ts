import assert from "node:assert/strict";
import { Rcode } from "../../../mod/ddns/dns/constants.ts";
import { recordText } from "../../../mod/ddns/dns/update.ts";
import type { ConflictMode, NameChangeRequest } from "../../../mod/ddns/ncr/ncr.ts";
import type { D2Domain } from "../../../mod/config/model_d2.ts";
import { buildStep, type Step } from "../../../mod/ddns/d2/updates.ts";
import {
  MAX_TRIES_PER_SERVER,
  newTransaction,
  transition,
  type TxEffect,
  type TxEvent,
  type TxState,
} from "../../../mod/ddns/d2/transaction.ts";
import { b64 } from "../fixture.ts";

const D = "AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No=";
const REV = "7.1.18.198.in-addr.arpa.";
const ncr = (
  changeType: "add" | "remove",
  mode: ConflictMode = "check-with-dhcid",
  ip = "198.18.1.7",
): NameChangeRequest => ({
  changeType,
  forwardChange: true,
  reverseChange: true,
  fqdn: "h.lab.test.",
  ipAddress: ip,
  dhcid: b64(D),
  leaseExpiresOn: "",
  leaseLength: 1200,
  conflictResolutionMode: mode,
});
const text = (step: Step, n: NameChangeRequest) => {
  const u = buildStep(step, n, REV);
  return { prereqs: u.prereqs.map(recordText), updates: u.updates.map(recordText) };
};

Deno.test("check-with-dhcid records (RFC 4703 §5): add, replace, reverse, remove steps", () => {
  const a = ncr("add");
  assert.deepEqual(text("fwd-add", a), {
    prereqs: ["h.lab.test. 0 NONE ANY"],
    updates: ["h.lab.test. 1200 IN A 198.18.1.7", `h.lab.test. 1200 IN DHCID ${D}`],
  });
  assert.deepEqual(text("fwd-replace", a), {
    prereqs: ["h.lab.test. 0 ANY ANY", `h.lab.test. 0 IN DHCID ${D}`],
    updates: ["h.lab.test. 0 ANY A", "h.lab.test. 1200 IN A 198.18.1.7"],
  });
  assert.deepEqual(text("rev-add", a), {
    prereqs: [],
    updates: [`${REV} 0 ANY PTR`, `${REV} 0 ANY DHCID`, `${REV} 1200 IN PTR h.lab.test.`, `${REV} 1200 IN DHCID ${D}`],
  });
  assert.deepEqual(text("fwd-remove-addrs", ncr("remove")), {
    prereqs: [`h.lab.test. 0 IN DHCID ${D}`],
    updates: ["h.lab.test. 0 NONE A 198.18.1.7"],
  });
  assert.deepEqual(text("fwd-remove-rrs", ncr("remove")), {
    prereqs: [`h.lab.test. 0 IN DHCID ${D}`, "h.lab.test. 0 NONE A", "h.lab.test. 0 NONE AAAA"],
    updates: ["h.lab.test. 0 ANY ANY"],
  });
  assert.deepEqual(text("rev-remove", ncr("remove")), {
    prereqs: [`${REV} 0 IN PTR h.lab.test.`],
    updates: [`${REV} 0 ANY ANY`],
  });
  assert.deepEqual(
    text("fwd-add", ncr("add", "check-with-dhcid", "2001:db8::7")).updates[0],
    "h.lab.test. 1200 IN AAAA 2001:db8::7",
  );
});

Deno.test("check-exists-with-dhcid, no-check-with-dhcid, no-check-without-dhcid records", () => {
  const ce = ncr("add", "check-exists-with-dhcid");
  assert.deepEqual(text("fwd-replace", ce), {
    prereqs: ["h.lab.test. 0 ANY DHCID"],
    updates: [
      "h.lab.test. 0 ANY A",
      "h.lab.test. 0 ANY DHCID",
      "h.lab.test. 1200 IN A 198.18.1.7",
      `h.lab.test. 1200 IN DHCID ${D}`,
    ],
  });
  assert.deepEqual(text("fwd-remove-addrs", ncr("remove", "check-exists-with-dhcid")).prereqs, [
    "h.lab.test. 0 ANY DHCID",
  ]);
  assert.deepEqual(text("fwd-remove-rrs", ncr("remove", "check-exists-with-dhcid")), {
    prereqs: ["h.lab.test. 0 NONE A", "h.lab.test. 0 NONE AAAA"],
    updates: ["h.lab.test. 0 ANY DHCID"],
  });
  assert.deepEqual(text("fwd-add", ncr("add", "no-check-with-dhcid")), {
    prereqs: [],
    updates: [
      "h.lab.test. 0 ANY A",
      "h.lab.test. 0 ANY DHCID",
      "h.lab.test. 1200 IN A 198.18.1.7",
      `h.lab.test. 1200 IN DHCID ${D}`,
    ],
  });
  assert.deepEqual(text("fwd-remove-addrs", ncr("remove", "no-check-with-dhcid")), {
    prereqs: [],
    updates: ["h.lab.test. 0 ANY A", "h.lab.test. 0 ANY DHCID"],
  });
  assert.deepEqual(text("rev-remove", ncr("remove", "no-check-with-dhcid")).updates, [
    `${REV} 0 ANY PTR`,
    `${REV} 0 ANY DHCID`,
  ]);
  const nd = ncr("add", "no-check-without-dhcid");
  assert.deepEqual(text("fwd-add", nd).updates, ["h.lab.test. 0 ANY A", "h.lab.test. 1200 IN A 198.18.1.7"]);
  assert.deepEqual(text("rev-add", nd).updates, [`${REV} 0 ANY PTR`, `${REV} 1200 IN PTR h.lab.test.`]);
  assert.deepEqual(text("fwd-remove-addrs", ncr("remove", "no-check-without-dhcid")).updates, ["h.lab.test. 0 ANY A"]);
  assert.throws(() => buildStep("fwd-replace", nd, REV), /does not exist/);
});

const fwd: D2Domain = { name: "lab.test.", servers: [{ ip: "127.0.0.1", port: 53 }, { ip: "127.0.0.2", port: 53 }] };
const rev: D2Domain = { name: "18.198.in-addr.arpa.", servers: [{ ip: "127.0.0.1", port: 53 }] };

/** Runs events through the machine; returns the sends as "step@ip" and the final state. */
function drive(n: NameChangeRequest, events: TxEvent[], plan: { fwd?: D2Domain; rev?: D2Domain } = { fwd, rev }) {
  let st: TxState = newTransaction({ ncr: n, ...plan, revName: REV });
  const sends: string[] = [];
  const all: TxEffect[] = [];
  for (const ev of [{ kind: "start" } as TxEvent, ...events]) {
    const r = transition(st, ev);
    st = r.state;
    all.push(...r.effects);
    for (const e of r.effects) if (e.kind === "send") sends.push(`${e.step}@${e.server.ip}:${e.zone}`);
  }
  return { st, sends, all };
}
const ok = { kind: "response", rcode: Rcode.NOERROR } as const;
const rc = (rcode: number): TxEvent => ({ kind: "response", rcode });

Deno.test("add: forward then reverse; YXDOMAIN → replace; conflict (DHCID differs) refuses and skips reverse", () => {
  const plain = drive(ncr("add"), [ok, ok]);
  assert.deepEqual(plain.sends, ["fwd-add@127.0.0.1:lab.test.", "rev-add@127.0.0.1:18.198.in-addr.arpa."]);
  assert.equal(plain.st.status, "ok");
  assert.ok(plain.all.some((e) => e.kind === "log" && e.id === "DHCP_DDNS_ADD_SUCCEEDED"));
  const renew = drive(ncr("add"), [rc(Rcode.YXDOMAIN), ok, ok]);
  assert.deepEqual(renew.sends.map((s) => s.split("@")[0]), ["fwd-add", "fwd-replace", "rev-add"]);
  assert.equal(renew.st.status, "ok");
  const conflict = drive(ncr("add"), [rc(Rcode.YXDOMAIN), rc(Rcode.NXRRSET)]);
  assert.deepEqual(conflict.sends.map((s) => s.split("@")[0]), ["fwd-add", "fwd-replace"]);
  assert.equal(conflict.st.status, "failed");
  assert.match(conflict.st.reason!, /NXRRSET \(the name belongs to another client\)/);
  assert.ok(conflict.all.some((e) => e.kind === "log" && e.id === "DHCP_DDNS_FORWARD_REPLACE_REJECTED"));
  const gone = drive(ncr("add"), [rc(Rcode.YXDOMAIN), rc(Rcode.NXDOMAIN), ok, ok]);
  assert.deepEqual(gone.sends.map((s) => s.split("@")[0]), ["fwd-add", "fwd-replace", "fwd-add", "rev-add"]);
  // no-check mode has no replace step: YXDOMAIN cannot happen and any error fails
  assert.equal(drive(ncr("add", "no-check-with-dhcid"), [rc(Rcode.REFUSED)]).st.status, "failed");
  // reverse refused after forward success: request fails
  assert.equal(drive(ncr("add"), [ok, rc(Rcode.NOTAUTH)]).st.status, "failed");
});

Deno.test("remove: addresses, then remaining RRs, then PTR; NXRRSET/YXRRSET tolerated where Kea tolerates them", () => {
  const r = drive(ncr("remove"), [ok, ok, ok]);
  assert.deepEqual(r.sends.map((s) => s.split("@")[0]), ["fwd-remove-addrs", "fwd-remove-rrs", "rev-remove"]);
  assert.equal(r.st.status, "ok");
  assert.equal(drive(ncr("remove"), [rc(Rcode.NXRRSET), rc(Rcode.YXRRSET), rc(Rcode.NXDOMAIN)]).st.status, "ok");
  assert.equal(drive(ncr("remove"), [rc(Rcode.REFUSED)]).sends.length, 1);
  assert.equal(drive(ncr("remove"), [rc(Rcode.REFUSED)]).st.status, "failed");
  const simple = drive(ncr("remove", "no-check-without-dhcid"), [ok, ok]);
  assert.deepEqual(simple.sends.map((s) => s.split("@")[0]), ["fwd-remove-addrs", "rev-remove"]);
});

Deno.test("timeouts: 3 tries per server, then the next server, then failure", () => {
  const to: TxEvent = { kind: "timeout" };
  const r = drive(ncr("add"), [to, to, to, ok, ok]);
  assert.deepEqual(r.sends.map((s) => s.split(":")[0]), [
    "fwd-add@127.0.0.1",
    "fwd-add@127.0.0.1",
    "fwd-add@127.0.0.1",
    "fwd-add@127.0.0.2",
    "rev-add@127.0.0.1",
  ]);
  assert.equal(r.st.status, "ok");
  const dead = drive(ncr("add"), new Array(2 * MAX_TRIES_PER_SERVER).fill(to));
  assert.equal(dead.sends.length, 6);
  assert.equal(dead.st.status, "failed");
  assert.match(dead.st.reason!, /no DNS server of lab.test. answered/);
  const bad = drive(ncr("add"), [{ kind: "bad-response", reason: "TSIG BADSIG" }, ok, ok]);
  assert.equal(bad.sends.length, 3);
  assert.ok(bad.all.some((e) => e.kind === "log" && e.level === "warn" && /TSIG BADSIG/.test(e.text)));
});

Deno.test("only one direction, no direction, wildcard zone, events after the end", () => {
  const revOnly = drive(ncr("add"), [ok], { rev });
  assert.deepEqual(revOnly.sends.map((s) => s.split("@")[0]), ["rev-add"]);
  assert.equal(revOnly.st.status, "ok");
  assert.equal(drive(ncr("add"), [], {}).st.status, "failed");
  const wild = drive(ncr("add"), [ok], { fwd: { name: "*", servers: fwd.servers } });
  assert.equal(wild.sends[0], "fwd-add@127.0.0.1:lab.test.");
  const end = drive(ncr("add"), [ok, ok, ok, { kind: "timeout" }]);
  assert.equal(end.sends.length, 2);
  assert.equal(end.st.status, "ok");
});
