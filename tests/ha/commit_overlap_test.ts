/**
 * The HA lease update overlaps the local commit (mod/dhcp4/edge_common.ts commitThenFinish): the update goes to the
 * partner as soon as the query's lease changes are in memory, while they are being made durable, and the reply is
 * sent only once both the local commit and the partner's acknowledgement are done (the rule "no ACK before the
 * partner's answer" and "nothing acknowledged before it is durable" both hold). A failed local commit sends no
 * reply even when the partner acknowledged; a store whose commit another server may refuse (shared SQL database)
 * replicates only after its commit, as before.
 */
import assert from "node:assert/strict";
import { commitThenFinish, type DurableReply } from "../../mod/dhcp4/edge_common.ts";
import { categoryLog } from "../../mod/log/logger.ts";
import { Stats } from "../../mod/stats/stats.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

function harness(refusable = false) {
  const commit = Promise.withResolvers<void>();
  const ack = Promise.withResolvers<void>();
  const events: string[] = [];
  const edge: DurableReply<string> = {
    pkt: "pkt4",
    prefix: "DHCP4",
    store: {
      refusable,
      apply: (m) => {
        events.push(`apply ${m.join(",")}`);
        return commit.promise;
      },
    },
    stats: new Stats(),
    log: categoryLog("kea-dhcp4.test-overlap"),
    pending: new Set(),
  };
  commitThenFinish(edge, {
    mutations: ["lease"],
    label: () => "client",
    replicate: () => {
      events.push("replicate");
      return ack.promise;
    },
    finish: () => void events.push("reply"),
    failed: (e) => void events.push(`failed ${(e as Error).message}`),
  });
  return { commit, ack, events, edge };
}

Deno.test("HA update goes out while the local commit runs; the reply waits for both", async () => {
  const h = harness();
  assert.deepEqual(h.events, ["apply lease", "replicate"], "sent before the commit is done");
  h.ack.resolve();
  await tick();
  assert.deepEqual(h.events, ["apply lease", "replicate"], "no reply before the commit");
  h.commit.resolve();
  await tick();
  assert.deepEqual(h.events, ["apply lease", "replicate", "reply"]);
  assert.equal(h.edge.pending.size, 0);

  const k = harness();
  k.commit.resolve();
  await tick();
  assert.deepEqual(k.events, ["apply lease", "replicate"], "no reply before the partner's answer");
  k.ack.resolve();
  await tick();
  assert.deepEqual(k.events, ["apply lease", "replicate", "reply"]);
});

Deno.test("HA overlap: a failed commit or a refused update sends no reply", async () => {
  const h = harness();
  h.ack.resolve();
  h.commit.reject(new Error("disk full"));
  await tick();
  await tick();
  assert.deepEqual(h.events, ["apply lease", "replicate"]);
  assert.equal(h.edge.stats.get("pkt4-receive-drop"), 1);

  const k = harness();
  k.ack.reject(new Error("partner down"));
  k.commit.resolve();
  await tick();
  await tick();
  assert.deepEqual(k.events, ["apply lease", "replicate"]);
  assert.equal(k.edge.stats.get("pkt4-receive-drop"), 1);
});

Deno.test("HA overlap: a refusable store (shared SQL database) replicates only after its commit", async () => {
  const h = harness(true);
  assert.deepEqual(h.events, ["apply lease"]);
  h.commit.resolve();
  await tick();
  assert.deepEqual(h.events, ["apply lease", "replicate"]);
  h.ack.resolve();
  await tick();
  assert.deepEqual(h.events, ["apply lease", "replicate", "reply"]);
});
