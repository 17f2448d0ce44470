/**
 * commitThenFinish (mod/dhcp4/edge_common.ts), the acknowledgement rule both server edges share: the reply (`finish`)
 * runs only once the lease commit has returned and, with HA, the partner has acknowledged the update. With
 * `replicateAlongside` the update leaves while the commit runs (the ACK then waits for the longer of the two, not
 * their sum); the rule stays: no finish before both, none at all when either fails. The store and the partner are
 * promises the test settles by hand, so the order of events is exact.
 */
import assert from "node:assert/strict";
import { commitThenFinish, type DurableReply } from "../../mod/dhcp4/edge_common.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { memoryLog } from "../ddns/fixture.ts";

interface Gate {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}
function gate(): Gate {
  let resolve!: () => void, reject!: (e: unknown) => void;
  const promise = new Promise<void>((a, b) => (resolve = a, reject = b));
  return { promise, resolve, reject };
}
const turn = () => new Promise<void>((r) => setImmediate(r));

function bed() {
  const commit = gate(), partner = gate(), events: string[] = [];
  const edge: DurableReply<number> = {
    pkt: "pkt4",
    prefix: "DHCP4",
    store: { apply: () => (events.push("commit started"), commit.promise) },
    stats: new Stats(),
    log: memoryLog(),
    pending: new Set(),
  };
  const run = (alongside: boolean) =>
    commitThenFinish(edge, {
      mutations: [1],
      label: () => "client",
      replicate: () => (events.push("update sent"), partner.promise),
      replicateAlongside: alongside,
      finish: () => void events.push("finish"),
      failed: (e) => void events.push(`failed ${e}`),
    });
  return { commit, partner, events, edge, run };
}

Deno.test("after the commit (default): the update leaves once the commit returned; finish after the partner's answer", async () => {
  const b = bed();
  b.run(false);
  await turn();
  assert.deepEqual(b.events, ["commit started"]);
  b.commit.resolve();
  await turn();
  assert.deepEqual(b.events, ["commit started", "update sent"]);
  b.partner.resolve();
  await turn();
  assert.deepEqual(b.events, ["commit started", "update sent", "finish"]);
  assert.equal(b.edge.pending.size, 0);
});

Deno.test("alongside: the update leaves with the commit; finish waits for both, in either order", async () => {
  for (const first of ["partner", "commit"] as const) {
    const b = bed();
    b.run(true);
    assert.deepEqual(b.events, ["update sent", "commit started"], "both under way at once");
    (first === "partner" ? b.partner : b.commit).resolve();
    await turn();
    assert.ok(!b.events.includes("finish"), `no reply after only the ${first}`);
    (first === "partner" ? b.commit : b.partner).resolve();
    await turn();
    assert.equal(b.events.at(-1), "finish");
    assert.equal(b.edge.pending.size, 0);
  }
});

Deno.test("alongside: a partner that refuses before the commit returns drops the reply, and nothing goes unhandled", async () => {
  const b = bed();
  b.run(true);
  b.partner.reject(new Error("partner said no")); // an unhandled rejection here would fail the test
  await turn();
  await turn();
  b.commit.resolve();
  await turn();
  assert.ok(!b.events.includes("finish"));
  assert.equal(b.edge.stats.get("pkt4-receive-drop"), 1);
  assert.equal(b.edge.pending.size, 0);
});

Deno.test("alongside: a failed commit sends no reply although the partner acknowledged", async () => {
  const b = bed();
  b.run(true);
  b.partner.resolve();
  b.commit.reject(new Error("disk full"));
  await turn();
  assert.ok(!b.events.includes("finish"));
  assert.equal(b.edge.stats.get("pkt4-processing-failed"), 1);
  assert.match((b.edge.log as ReturnType<typeof memoryLog>).lines.join("\n"), /DHCP4_LEASE_COMMIT_FAILED .*disk full/);
});
