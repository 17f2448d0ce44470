/**
 * The control sockets' `authentication` map is checked like every other map (issue: a misspelt `pasword` made an
 * empty password that was then accepted): unknown keys are refused with their path and position, a client without
 * a non-empty password is refused, and no message quotes a password or a TSIG secret.
 */
import assert from "node:assert/strict";
import { refused } from "./load_helpers.ts";
import { compileD2Config } from "../../mod/ddns/d2/config.ts";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { authClientProblem } from "../../mod/config/schema_control.ts";

const socket = (clients: unknown, extra = "") =>
  `{ "Dhcp4": { "control-sockets": [ { "socket-type": "http", "socket-port": 8000,\n` +
  `  "authentication": { "type": "basic"${extra}, "clients": ${JSON.stringify(clients)} } } ] } }`;

Deno.test("authentication: a misspelt key is refused at its position", () => {
  assert.deepEqual(refused(socket([{ user: "admin", pasword: "x" }]), "a.json"), [
    "a.json:2:68: Dhcp4.control-sockets[0].authentication.clients[0].pasword: unknown or unsupported key 'pasword'",
  ]);
  assert.match(refused(socket([{ user: "a", password: "b" }], `, "realmm": "x"`), "a.json")[0], /'realmm'/);
});

Deno.test("authentication: every client needs a user and a non-empty password", () => {
  const cases: [unknown, RegExp][] = [
    [[{ user: "admin" }], /needs a 'password' or a 'password-file': an empty password is not allowed/],
    [[{ user: "admin", password: "" }], /the password must not be empty/],
    [[{ password: "x" }], /a client with a 'password' needs a 'user'/],
    [[{ user: "a:b", password: "x" }], /the user 'a:b' must not contain ':'/],
    [[{ user: "a", password: "x", "password-file": "/p" }], /either 'password' or 'password-file'/],
    [[], /must list at least one client/],
  ];
  for (const [clients, re] of cases) {
    const p = refused(socket(clients), "a.json");
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(p[0], re);
    assert.match(p[0], /^a\.json:\d+:\d+: Dhcp4\.control-sockets\[0\]\.authentication\.clients/);
  }
  assert.equal(authClientProblem({ "password-file": "/etc/weka/admin.secret" }), undefined); // holds user:password
  assert.equal(authClientProblem({ "user-file": "/u", "password-file": "/p" }), undefined);
});

Deno.test("problem messages never quote a password or a TSIG secret", () => {
  const [p] = refused(socket([{ user: "admin", password: 987654321 }]), "a.json");
  assert.match(p, /password: must be a string$/);
  assert.doesNotMatch(p, /987654321/);
  try {
    compileD2Config({ "tsig-keys": [{ name: "k", algorithm: "HMAC-MD5", secret: 1234567 }] });
    assert.fail("accepted");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const text = e.problems.map(formatProblem).join("\n");
    assert.match(text, /secret/);
    assert.doesNotMatch(text, /1234567/);
  }
});
