/** Prometheus exposition with Stork's names, and basic-auth client configuration (Kea's forms). */
import assert from "node:assert/strict";
import { renderPrometheus } from "../../mod/stats/prometheus.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { basicAuthFrom } from "../../mod/control/basic_auth.ts";
import { readConfiguredFile } from "../../mod/control/tls_files.ts";
import { ensureKeaStats } from "../../mod/control/stat_cmds.ts";

Deno.test("Prometheus text uses the Stork agent's families, labels and one HELP/TYPE block each", () => {
  const stats = new Stats(() => 0);
  ensureKeaStats(stats, [1]);
  stats.add("pkt4-discover-received", 5);
  stats.add("pkt4-ack-sent", 4);
  stats.add("pkt4-receive-drop", 2);
  stats.set("subnet[1].total-addresses", 100);
  stats.set("subnet[1].assigned-addresses", 4);
  const text = renderPrometheus(stats, [{ id: 1, prefix: "198.18.0.0/16" }]);
  assert.match(text, /^kea_dhcp4_packets_received_total\{operation="discover"\} 5$/m);
  assert.match(text, /^kea_dhcp4_packets_received_total\{operation="drop"\} 2$/m);
  assert.match(text, /^kea_dhcp4_packets_sent_total\{operation="ack"\} 4$/m);
  assert.match(text, /^kea_dhcp4_addresses_total\{subnet="1",subnet_id="1",prefix="198.18.0.0\/16"\} 100$/m);
  assert.match(text, /^kea_dhcp4_addresses_assigned_total\{subnet="1",subnet_id="1",prefix="198.18.0.0\/16"\} 4$/m);
  assert.match(text, /^kea_dhcp4_cumulative_addresses_assigned_total\{subnet="1"/m);
  assert.match(text, /^kea_dhcp4_pkt4_rfc_violation 0$/m); // no Stork name: still exported
  assert.match(text, /^kea_dhcp4_packets_received_total\{operation="not-for-us"\} 0$/m);
  const types = text.split("\n").filter((l) => l.startsWith("# TYPE kea_dhcp4_packets_received_total"));
  assert.equal(types.length, 1);
  for (const line of text.trim().split("\n")) {
    assert.match(line, /^(# (HELP|TYPE) [a-z0-9_]+ .+|[a-z0-9_]+(\{[^}]*\})? -?\d+)$/, line);
  }
});

Deno.test("basic auth: user/password, user-file/password-file, and a password-file holding user:password", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  try {
    await Deno.writeTextFile(`${dir}/u`, "bob\n");
    await Deno.writeTextFile(`${dir}/p`, "b0b-pass\n");
    await Deno.writeTextFile(`${dir}/secret`, "carol:c:a:rol\n");
    const auth = basicAuthFrom({
      type: "basic",
      directory: dir,
      clients: [{ user: "alice", password: "a1" }, { "user-file": "u", "password-file": "p" }, {
        "password-file": "secret",
      }],
    }, (p) => Deno.readTextFileSync(p))!;
    const h = (pair: string) => `Basic ${btoa(pair)}`;
    assert.equal(auth.realm, "kea-dhcpv4-server");
    assert.equal(auth.check(h("alice:a1")), "alice");
    assert.equal(auth.check(h("bob:b0b-pass")), "bob");
    assert.equal(auth.check(h("carol:c:a:rol")), "carol");
    assert.equal(auth.check(h("alice:wrong")), undefined);
    assert.equal(auth.check(null), undefined);
    assert.equal(auth.check("Bearer abc"), undefined);
    assert.equal(auth.check("Basic !!!"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("basic auth refuses unknown types, users with ':' and missing files, naming the problem", () => {
  const read = readConfiguredFile;
  assert.equal(basicAuthFrom(undefined, read), undefined);
  assert.throws(() => basicAuthFrom({ type: "digest", clients: [] }, read), /type "digest" is not supported/);
  assert.throws(
    () => basicAuthFrom({ type: "basic", clients: [{ user: "a:b", password: "x" }] }, read),
    /must not contain ':'/,
  );
  assert.throws(() => basicAuthFrom({ type: "basic", clients: [] }, read), /at least one user/);
  assert.throws(
    () => basicAuthFrom({ type: "basic", clients: [{ user: "a", "password-file": "/nonexistent/pw" }] }, read),
    /cannot read the password-file \/nonexistent\/pw/,
  );
});
