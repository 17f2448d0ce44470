/**
 * Bad HA relationships (mod/config/compile_ha.ts) through the whole loader: each is refused with Kea 2.2's words
 * (checked against kea-dhcp4 2.2.0 loading libdhcp_ha.so; the two weka-only refusals say so) at its file:line:col
 * and JSON path; plus the compiler on its own and the peer URL parser (mod/config/ha_url.ts).
 */
import assert from "node:assert/strict";
import { ConfigError, Problems } from "../../mod/config/errors.ts";
import { compileHaParameters } from "../../mod/config/compile_ha.ts";
import { parseHaUrl } from "../../mod/config/ha_url.ts";
import { doc, HA, load, P1, P2, peer, positionOf, rel } from "../ha/config_helpers.ts";

/** [name, high-availability text, where the position points ("|" marks it inside the unique snippet), path: message] */
export const BAD: [string, string, string, string][] = [
  ["not a list", `{"this-server-name": "s1"}`, `|{"this-server-name"`, `${HA}: HA configuration must be a list`],
  [
    "empty list",
    `[]`,
    `|[]`,
    `${HA}: invalid number of configurations in the HA configuration list. Expected exactly one configuration`,
  ],
  [
    "two relationships",
    `${rel("").slice(0, -1)}, {"this-server-name": "s2", "mode": "hot-standby", "peers": []}]`,
    `|{"this-server-name": "s2"`,
    `${HA}[1]: 2 HA relationships (hub-and-spoke) are not supported by weka yet: configure exactly one relationship`,
  ],
  ["entry not a map", `["s1"]`, `|"s1"]`, `${HA}[0]: expected list of maps in the HA configuration`],
  [
    "mode missing",
    `[{"this-server-name": "s1", "peers": [${P1}, ${P2}]}]`,
    `[|{"this-server-name"`,
    `${HA}[0]: missing parameter 'mode'`,
  ],
  [
    "mode bad",
    rel("", undefined, "load-balance"),
    `|"load-balance"`,
    `${HA}[0].mode: unsupported value 'load-balance' for mode parameter`,
  ],
  [
    "this-server-name blank",
    rel("", undefined, undefined, " "),
    `|" "`,
    `${HA}[0].this-server-name: 'this-server-name' value must not be empty`,
  ],
  [
    "this-server-name names no peer",
    rel("", `${peer("s3", "http://192.0.2.1:8000/", "primary")}, ${P2}`),
    `"this-server-name": |"s1"`,
    `${HA}[0].this-server-name: no peer configuration specified for the 's1'`,
  ],
  [
    "peers missing",
    `[{"this-server-name": "s1", "mode": "hot-standby"}]`,
    `[|{"this`,
    `${HA}[0]: 'peers' parameter missing in HA configuration`,
  ],
  [
    "peers not a list",
    `[{"this-server-name": "s1", "mode": "hot-standby", "peers": {}}]`,
    `|{}}]`,
    `${HA}[0].peers: 'peers' parameter must be a list`,
  ],
  ["peer not a map", rel("", `"s1"`), `[|"s1"]`, `${HA}[0].peers[0]: peer configuration must be a map`],
  [
    "peer name blank",
    rel("", `${peer(" ", "http://192.0.2.1:8000/", "primary")}, ${P2}`),
    `|" "`,
    `${HA}[0].peers[0].name: peer name must not be empty`,
  ],
  [
    "duplicate peer name",
    rel("", `${P1}, ${peer("s1", "http://192.0.2.2:8000/", "secondary")}`),
    `, {"name": |"s1"`,
    `${HA}[0].peers[1].name: peer with name 's1' already specified`,
  ],
  [
    "url missing",
    rel("", `{"name": "s1", "role": "primary"}, ${P2}`),
    `[|{"name": "s1"`,
    `${HA}[0].peers[0]: missing parameter 'url'`,
  ],
  [
    "url host is a name",
    rel("", `${peer("s1", "http://server1:8000/", "primary")}, ${P2}`),
    `|"http://server1`,
    `${HA}[0].peers[0].url: bad url 'http://server1:8000/': Failed to convert string to address 'server1': Invalid argument for server s1`,
  ],
  [
    "url scheme ftp",
    rel("", `${peer("s1", "ftp://192.0.2.1:8000/", "primary")}, ${P2}`),
    `|"ftp:`,
    `${HA}[0].peers[0].url: invalid URL: invalid scheme ftp in ftp://192.0.2.1:8000/ for server s1`,
  ],
  [
    "url without scheme",
    rel("", `${peer("s1", "server1", "primary")}, ${P2}`),
    `"url": |"server1"`,
    `${HA}[0].peers[0].url: invalid URL: url server1 lacks http or https scheme for server s1`,
  ],
  [
    "url bad port",
    rel("", `${peer("s1", "http://192.0.2.1:80x0/", "primary")}, ${P2}`),
    `|"http://192.0.2.1:80x0/"`,
    `${HA}[0].peers[0].url: invalid URL: invalid port number 80x0 in http://192.0.2.1:80x0/ for server s1`,
  ],
  [
    "url IPv6 without brackets",
    rel("", `${peer("s1", "http://2001:db8::1:8000/", "primary")}, ${P2}`),
    `|"http://2001`,
    `${HA}[0].peers[0].url: invalid URL: invalid port number db8::1:8000 in http://2001:db8::1:8000/ for server s1`,
  ],
  [
    "url port over 65535 (weka only: Kea 2.2 takes it)",
    rel("", `${peer("s1", "http://192.0.2.1:70000/", "primary")}, ${P2}`),
    `|"http://192.0.2.1:70000/"`,
    `${HA}[0].peers[0].url: invalid URL: invalid port number 70000 in http://192.0.2.1:70000/ for server s1`,
  ],
  [
    "https without TLS",
    rel("", `${peer("s1", "https://192.0.2.1:8000/", "primary")}, ${P2}`),
    `|"https:`,
    `${HA}[0].peers[0].url: bad url 'https://192.0.2.1:8000/': https scheme is not supported for server s1 where TLS is disabled`,
  ],
  [
    "TLS trust-anchor alone",
    rel(`, "trust-anchor": "/tmp/ca.pem"`),
    `[|{"name": "s1"`,
    `${HA}[0].peers[0]: bad TLS config for server s1: cert-file parameter is missing or empty: all or none of TLS parameters must be set`,
  ],
  [
    "role bad",
    rel("", `${peer("s1", "http://192.0.2.1:8000/", "master")}, ${P2}`),
    `|"master"`,
    `${HA}[0].peers[0].role: unsupported value 'master' for role parameter`,
  ],
  [
    "auto-failover not a bool",
    rel("", `${peer("s1", "http://192.0.2.1:8000/", "primary", `, "auto-failover": "yes"`)}, ${P2}`),
    `|"yes"`,
    `${HA}[0].peers[0].auto-failover: invalid type specified for parameter 'auto-failover'`,
  ],
  [
    "basic-auth-user with a colon",
    rel(
      "",
      `${
        peer("s1", "http://192.0.2.1:8000/", "primary", `, "basic-auth-user": "a:b", "basic-auth-password": "x"`)
      }, ${P2}`,
    ),
    `|"a:b"`,
    `${HA}[0].peers[0].basic-auth-user: user 'a:b' must not contain a ':' in peer 's1'`,
  ],
  [
    "basic-auth-password-file",
    rel("", `${peer("s1", "http://192.0.2.1:8000/", "primary", `, "basic-auth-password-file": "/etc/kea/pw"`)}, ${P2}`),
    `|"basic-auth-password-file"`,
    `${HA}[0].peers[0].basic-auth-password-file: 'basic-auth-password-file' is not supported by weka yet: give the password in 'basic-auth-password'`,
  ],
  [
    "two primaries",
    rel("", `${P1}, ${peer("s2", "http://192.0.2.2:8000/", "primary")}`),
    `"http://192.0.2.2:8000/", "role": |"primary"`,
    `${HA}[0].peers[1].role: multiple primary servers specified`,
  ],
  [
    "load-balancing without secondary",
    rel("", P1),
    `"peers": |[`,
    `${HA}[0].peers: secondary server required in the load balancing configuration`,
  ],
  [
    "standby in load-balancing",
    rel("", `${P1}, ${P2}, ${peer("s3", "http://192.0.2.3:8000/", "standby")}`),
    `|"standby"`,
    `${HA}[0].peers[2].role: standby servers not allowed in the load balancing configuration`,
  ],
  [
    "secondary in hot-standby",
    rel("", `${P1}, ${P2}`, "hot-standby"),
    `|"secondary"`,
    `${HA}[0].peers[1].role: secondary servers not allowed in the hot standby configuration`,
  ],
  [
    "secondary in passive-backup",
    rel("", `${P1}, ${P2}`, "passive-backup"),
    `|"secondary"`,
    `${HA}[0].peers[1].role: secondary servers not allowed in the passive backup configuration`,
  ],
  [
    "wait-backup-ack in load-balancing",
    rel(`, "wait-backup-ack": true`),
    `"wait-backup-ack": |true`,
    `${HA}[0].wait-backup-ack: 'wait-backup-ack' must be set to false in the load balancing configuration`,
  ],
  [
    "negative count",
    rel(`, "max-unacked-clients": -1`),
    `|-1`,
    `${HA}[0].max-unacked-clients: 'max-unacked-clients' must not be negative`,
  ],
  [
    "heartbeat-delay above uint16",
    rel(`, "heartbeat-delay": 70000`),
    `|70000`,
    `${HA}[0].heartbeat-delay: 'heartbeat-delay' must not be greater than 65535`,
  ],
  [
    "timing key not an integer",
    rel(`, "heartbeat-delay": "10"`),
    `|"10"`,
    `${HA}[0].heartbeat-delay: invalid type specified for parameter 'heartbeat-delay'`,
  ],
  [
    "multi-threading key of the wrong type",
    rel(`, "multi-threading": {"enable-multi-threading": "yes"}`),
    `|"yes"`,
    `${HA}[0].multi-threading.enable-multi-threading: invalid type specified for parameter 'enable-multi-threading'`,
  ],
  [
    "multi-threading not a map",
    rel(`, "multi-threading": true`),
    `"multi-threading": |true`,
    `${HA}[0].multi-threading: multi-threading configuration must be a map`,
  ],
  [
    "unknown state",
    rel(`, "state-machine": {"states": [{"state": "foo", "pause": "once"}]}`),
    `|"foo"`,
    `${HA}[0].state-machine.states[0].state: unknown state foo`,
  ],
  [
    "duplicate state",
    rel(`, "state-machine": {"states": [{"state": "ready", "pause": "once"}, {"state": "ready"}]}`),
    `{"state": |"ready"}`,
    `${HA}[0].state-machine.states[1].state: duplicated configuration for the 'ready' state`,
  ],
  [
    "bad pause",
    rel(`, "state-machine": {"states": [{"state": "ready", "pause": "sometimes"}]}`),
    `|"sometimes"`,
    `${HA}[0].state-machine.states[0].pause: unsupported value sometimes of 'pause' parameter`,
  ],
  [
    "unknown key (weka only: Kea 2.2 ignores it)",
    rel(`, "heartbeat": 5`),
    `|"heartbeat"`,
    `${HA}[0].heartbeat: unknown or unsupported key 'heartbeat'`,
  ],
];

for (const [name, ha, at, expected] of BAD) {
  Deno.test(`ha config: refused: ${name}`, () => {
    const text = doc(ha);
    assert.throws(() => load(text), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.format().split("\n")[0], `ha.json:${positionOf(text, at)}: ${expected}`);
      return true;
    });
  });
}
Deno.test("ha config: the compiler alone returns undefined and reports at the given path", () => {
  const problems = new Problems();
  assert.equal(compileHaParameters({ "high-availability": [{ mode: "hot-standby" }] }, ["p"], problems), undefined);
  assert.deepEqual(problems.list.map((p) => `${p.path}: ${p.message}`), [
    "p.high-availability[0]: missing parameter 'this-server-name'",
    "p.high-availability[0]: 'peers' parameter missing in HA configuration",
  ]);
  assert.equal(compileHaParameters("x", ["p"], new Problems()), undefined);
});

Deno.test("ha url: Kea's URL forms", () => {
  assert.deepEqual(parseHaUrl("http://192.0.2.1:8000/"), { scheme: "http", host: "192.0.2.1", port: 8000 });
  assert.deepEqual(parseHaUrl("https://[2001:db8::1]:8443/"), { scheme: "https", host: "2001:db8::1", port: 8443 });
  assert.deepEqual(parseHaUrl("http://192.0.2.1"), { scheme: "http", host: "192.0.2.1" });
  assert.deepEqual(parseHaUrl("http://"), { error: "invalid URL: hostname missing in http://" });
  assert.deepEqual(parseHaUrl("http:/x"), { error: "invalid URL: expected :// after scheme in http:/x" });
  assert.deepEqual(parseHaUrl("http://192.0.2.1:"), {
    error: "invalid URL: expected port number after : in http://192.0.2.1:",
  });
  assert.deepEqual(parseHaUrl("http://[2001:db8::1"), {
    error: "invalid URL: expected ] after IPv6 address in http://[2001:db8::1",
  });
  assert.deepEqual(parseHaUrl("http://[]:80/"), {
    error: "invalid URL: expected IPv6 address within [] in http://[]:80/",
  });
  assert.deepEqual(parseHaUrl("HTTP://192.0.2.1/"), { error: "invalid URL: invalid scheme HTTP in HTTP://192.0.2.1/" });
});

Deno.test("ha config: every unknown key of every map is reported in one run, each at its key", () => {
  const text = doc(
    rel(
      `, "heartbeat": 5, "sync-page": 1`,
      `${peer("s1", "http://192.0.2.1:8000/", "primary", `, "urll": "x"`)}, ${P2}`,
    ),
  );
  assert.throws(() => load(text), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.format().split("\n"), [
      `ha.json:${positionOf(text, `|"heartbeat"`)}: ${HA}[0].heartbeat: unknown or unsupported key 'heartbeat'`,
      `ha.json:${positionOf(text, `|"sync-page"`)}: ${HA}[0].sync-page: unknown or unsupported key 'sync-page'`,
      `ha.json:${positionOf(text, `|"urll"`)}: ${HA}[0].peers[0].urll: unknown or unsupported key 'urll'`,
    ]);
    return true;
  });
});

Deno.test("ha config: a peer's password is never quoted in a problem", () => {
  const text = doc(
    rel(
      "",
      `${
        peer("s1", "http://192.0.2.1:8000/", "primary", `, "basic-auth-user": "kea", "basic-auth-password": 987654321`)
      }, ${P2}`,
    ),
  );
  assert.throws(() => load(text), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.format(),
      `ha.json:${
        positionOf(text, `|987654321`)
      }: ${HA}[0].peers[0].basic-auth-password: invalid type specified for parameter 'basic-auth-password'`,
    );
    assert.doesNotMatch(e.format(), /987654321/);
    return true;
  });
});
