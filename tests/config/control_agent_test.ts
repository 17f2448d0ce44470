/**
 * The `Control-agent` map (mod/config/schema_agent.ts): checked as Kea 2.2's kea-ctrl-agent grammar checks it, so
 * Kea's own agent examples load (without warnings: `weka run` serves the map), a file holding only that map loads too, and a misspelt key, a socket type other than unix or half a TLS setup is refused with
 * its path and position.
 */
import assert from "node:assert/strict";
import { formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { keaCorpus } from "./kea_corpus.ts";
import { noIncludes, refused } from "./load_helpers.ts";

Deno.test("control-agent: a full map loads without warnings and compiles to the endpoint weka run serves", () => {
  const text = `{
  "Control-agent": {
    "http-host": "127.0.0.1", "http-port": 8000, "comment": "the agent", "user-context": { "site": 1 },
    "trust-anchor": "/etc/kea/ca.pem", "cert-file": "/etc/kea/c.pem", "key-file": "/etc/kea/k.pem", "cert-required": true,
    "authentication": { "type": "basic", "realm": "kea-control-agent", "directory": "/etc/kea/creds",
      "clients": [ { "user": "admin", "password": "1234" }, { "user-file": "u", "password-file": "p" } ] },
    "control-sockets": {
      "dhcp4": { "socket-type": "unix", "socket-name": "/tmp/kea4-ctrl-socket" },
      "dhcp6": { "socket-name": "/tmp/kea6-ctrl-socket" },
      "d2": { "socket-type": "unix", "socket-name": "/tmp/kea-ddns-ctrl-socket", "user-context": { "in-use": false } } },
    "hooks-libraries": [ ],
    "loggers": [ { "name": "kea-ctrl-agent", "output_options": [ { "output": "stdout" } ], "severity": "INFO" } ]
  }
}`;
  const c = parseConfigText(text, "ca.json", noIncludes);
  assert.deepEqual(c.warnings.map(formatProblem), []);
  assert.equal(c.dhcp4 ?? c.dhcp6 ?? c.d2, undefined);
  assert.deepEqual(c.agent?.sockets, {
    dhcp4: "/tmp/kea4-ctrl-socket",
    dhcp6: "/tmp/kea6-ctrl-socket",
    d2: "/tmp/kea-ddns-ctrl-socket",
  });
  assert.deepEqual([c.agent?.listener.type, c.agent?.listener.address, c.agent?.listener.port], [
    "https",
    "127.0.0.1",
    8000,
  ]);
});

Deno.test("control-agent: refusals name the path and position", () => {
  const ca = (body: string) => `{ "Dhcp4": {},\n  "Control-agent": { ${body} } }`;
  assert.deepEqual(refused(ca(`"http-port": 8000, "htp-host": "x"`), "a.json"), [
    "a.json:2:41: Control-agent.htp-host: unknown or unsupported key 'htp-host'",
  ]);
  assert.deepEqual(refused(ca(`"http-port": 70000`), "a.json"), [
    "a.json:2:35: Control-agent.http-port: must be a port 0..65535",
  ]);
  assert.deepEqual(refused(ca(`"control-sockets": { "dhcp5": { "socket-name": "/x" } }`), "a.json"), [
    "a.json:2:43: Control-agent.control-sockets.dhcp5: unknown or unsupported key 'dhcp5'",
  ]);
  assert.deepEqual(refused(ca(`"control-sockets": { "dhcp4": { "socket-type": "http" } }`), "a.json"), [
    `a.json:2:69: Control-agent.control-sockets.dhcp4.socket-type: must be "unix" (the only socket type of Kea's Control Agent) (got "http")`,
  ]);
  // Kea: "cert-file parameter is missing or empty: all or none of TLS parameters must be set"
  assert.deepEqual(refused(ca(`"trust-anchor": "/etc/kea/ca.pem"`), "a.json"), [
    "a.json:2:38: Control-agent.trust-anchor: cert-file parameter is missing or empty: all or none of TLS parameters must be set",
  ]);
  // the authentication map is the one weka's own HTTP sockets use: no client without a password
  assert.match(
    refused(ca(`"authentication": { "type": "basic", "clients": [ { "user": "admin" } ] }`), "a.json")[0],
    /Control-agent\.authentication\.clients\[0\]: a client needs a 'password'/,
  );
});

const CORPUS = keaCorpus("kea22-agent", "Kea 2.2 agent example");

Deno.test({
  name: "control-agent: Kea 2.2's agent examples load without warnings; a hook library is refused by name",
  ignore: !CORPUS.present,
  fn: () => {
    for (const f of ["https.json", "comments.json"]) {
      const c = parseConfigText(Deno.readTextFileSync(CORPUS.root + f), f, noIncludes);
      assert.deepEqual(c.warnings.map((w) => `${w.path}: ${w.message}`), [], f);
      assert.ok(c.agent, f);
    }
    // simple.json names a site-built library, rbac.json the premium RBAC hook: neither can be loaded
    for (const [f, lib] of [["simple.json", "control-agent-commands.so"], ["rbac.json", "libca_rbac.so"]]) {
      const why = refused(Deno.readTextFileSync(CORPUS.root + f), f);
      assert.equal(why.length, 1, why.join("\n"));
      assert.ok(
        why[0].includes(
          `Control-agent.hooks-libraries[0].library: hook library '${lib}' is not available in weka's Control Agent`,
        ),
        why[0],
      );
    }
  },
});
