/**
 * The Control Agent's routing (mod/control/agent.ts), with Kea 2.2's kea-ctrl-agent answers as the reference
 * (captured from kea-ctrl-agent 2.2.0 in front of kea-dhcp4 2.2.0): commands without `service` are the agent's
 * own, a `service` list is answered with one answer per service in the order asked, an unconfigured service and
 * an offline socket get Kea's texts, and the forwarding goes over a real unix socket (a UnixControlListener with its
 * own registry) when `control-sockets` names one the in-process role does not listen on.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../../mod/config/load.ts";
import type { AgentConfig } from "../../mod/config/schema_agent.ts";
import { type AgentContext, agentDispatcher, buildAgentRegistry } from "../../mod/control/agent.ts";
import { ok } from "../../mod/control/answer.ts";
import { sendUnix } from "../../mod/control/client.ts";
import { CommandRegistry } from "../../mod/control/registry.ts";
import { ServiceDirectory } from "../../mod/control/services.ts";
import { UnixControlListener } from "../../mod/control/unix_listener.ts";
import { withTempDir } from "../cli/cli_helpers.ts";

/** A registry that answers version-get with its own name, and echoes whether `service` reached it. */
function fakeRole(name: string): CommandRegistry {
  const reg = new CommandRegistry(name);
  reg.register("version-get", () => ok(name));
  reg.register("echo", (args) => ok(name, args));
  return reg;
}

function agentConfig(ca: Record<string, unknown>): AgentConfig {
  return parseConfigText(JSON.stringify({ "Control-agent": ca }), "ca.json", () => "").agent!;
}

interface Harness {
  dispatch(req: unknown): Promise<{ result: number; text?: string; arguments?: unknown }[]>;
  ctx: AgentContext;
  shutdowns: number;
  written: Map<string, string>;
}

function harness(ca: Record<string, unknown>, services: ServiceDirectory): Harness {
  let cfg = agentConfig(ca);
  const h = { shutdowns: 0, written: new Map<string, string>() } as Harness;
  h.ctx = {
    services,
    config: () => cfg,
    configDoc: () => ({ "Control-agent": cfg.raw }),
    checkDoc: (doc) => parseConfigText(JSON.stringify(doc), "<command>", () => "").agent!,
    applyConfig: (next) => {
      cfg = next;
    },
    reloadFile: () => Promise.resolve(),
    forward: (path, text) => sendUnix(path, text, 5000),
    shutdown: () => h.shutdowns++,
    configFile: "/etc/weka/weka.json",
    fs: {
      realPath: (p) => Promise.resolve(p.startsWith("/etc/weka") ? p : undefined),
      isSymlink: () => Promise.resolve(false),
    },
    liveFiles: () => [{ path: "/etc/weka/weka.json", what: "the running configuration" }],
    writeTextFile: (p, t) => {
      h.written.set(p, t);
      return Promise.resolve();
    },
    pid: 4242,
    startedAt: 1_000,
    reloadedAt: () => 2_000,
    now: () => 12_000,
    version: "9.9.9",
    buildReport: "weka 9.9.9",
  };
  const d = agentDispatcher(buildAgentRegistry(h.ctx), h.ctx);
  h.dispatch = (req) => d(typeof req === "string" ? req : JSON.stringify(req)) as ReturnType<Harness["dispatch"]>;
  return h;
}

function inProcess(...names: string[]): ServiceDirectory {
  const dir = new ServiceDirectory();
  for (const n of names) {
    const reg = fakeRole(n);
    dir.register(n, { dispatch: (t) => reg.dispatch(t), unixSockets: () => [`/run/weka/${n}.sock`] });
  }
  return dir;
}

Deno.test("agent: its own commands are kea-ctrl-agent 2.2's list, answered without service or with an empty list", async () => {
  const h = harness({}, inProcess("dhcp4"));
  // kea-ctrl-agent 2.2.0's list-commands, verbatim
  assert.deepEqual(await h.dispatch({ command: "list-commands" }), [{
    result: 0,
    arguments: [
      "build-report",
      "config-get",
      "config-reload",
      "config-set",
      "config-test",
      "config-write",
      "list-commands",
      "shutdown",
      "status-get",
      "version-get",
    ],
  }]);
  assert.deepEqual(await h.dispatch({ command: "version-get", service: [] }), [
    { result: 0, text: "9.9.9", arguments: { extended: "weka 9.9.9" } },
  ]);
  const [status] = await h.dispatch({ command: "status-get" });
  assert.deepEqual(status.arguments, { pid: 4242, uptime: 11, reload: 10, services: ["dhcp4"] });
});

Deno.test("agent: an unknown command without service gets Kea's long hint, with service the daemon's short text", async () => {
  const h = harness({}, inProcess("dhcp4"));
  const [own] = await h.dispatch({ command: "foo" });
  assert.equal(own.result, 2);
  assert.match(own.text!, /^'foo' command not supported\. You did not include "service" parameter in the command/);
  assert.deepEqual(await h.dispatch({ command: "foo", service: ["dhcp4"] }), [
    { result: 2, text: "'foo' command not supported." },
  ]);
});

Deno.test("agent: a service list gets one answer per service, in order; unconfigured ones get Kea's text", async () => {
  const h = harness({}, inProcess("dhcp4", "d2"));
  assert.deepEqual(await h.dispatch({ command: "version-get", service: ["d2", "dhcp4", "dhcp6", "bogus"] }), [
    { result: 0, text: "d2" },
    { result: 0, text: "dhcp4" },
    { result: 1, text: "forwarding socket is not configured for the server type dhcp6" },
    { result: 1, text: "forwarding socket is not configured for the server type bogus" },
  ]);
  // the forwarded command loses `service` and keeps its arguments
  assert.deepEqual(await h.dispatch({ command: "echo", service: ["dhcp4"], arguments: { a: 1 } }), [
    { result: 0, text: "dhcp4", arguments: { a: 1 } },
  ]);
});

Deno.test("agent: malformed service values and requests are answered in a list, nothing forwarded", async () => {
  const h = harness({}, inProcess("dhcp4"));
  assert.deepEqual(await h.dispatch({ command: "version-get", service: "dhcp4" }), [
    { result: 1, text: "service value must be a list" },
  ]);
  const [notStrings] = await h.dispatch({ command: "version-get", service: [1] });
  assert.equal(notStrings.result, 1);
  assert.match(notStrings.text!, /service value must be a list of server names/);
  const [bad] = await h.dispatch("{ not json");
  assert.equal(bad.result, 1);
  assert.match(bad.text!, /invalid JSON/);
  const [noCommand] = await h.dispatch({ arguments: {} });
  assert.equal(noCommand.result, 1);
  const [list] = await h.dispatch([1]);
  assert.equal(list.result, 1);
});

Deno.test("agent: forwards over a real unix socket; an offline socket gets Kea's 'likely to be offline' text", async () => {
  await withTempDir("weka-agent-", async (dir) => {
    const remote = fakeRole("remote-dhcp4");
    const listener = await UnixControlListener.open(`${dir}/kea4.sock`, (t) => remote.dispatch(t));
    try {
      // dhcp4 runs in the process but the agent's map names another socket: that one is asked, as configured
      const h = harness({
        "control-sockets": {
          dhcp4: { "socket-name": `${dir}/kea4.sock` },
          d2: { "socket-name": `${dir}/absent.sock` },
        },
      }, inProcess("dhcp4"));
      const got = await h.dispatch({ command: "version-get", service: ["dhcp4", "d2"] });
      assert.deepEqual(got[0], { result: 0, text: "remote-dhcp4" });
      assert.equal(got[1].result, 1);
      assert.match(
        got[1].text!,
        /^unable to forward command to the d2 service: .*No such file or directory.*\. The server is likely to be offline$/,
      );
      // naming the in-process role's own socket is the in-process role
      const same = harness(
        { "control-sockets": { dhcp4: { "socket-name": "/run/weka/dhcp4.sock" } } },
        inProcess("dhcp4"),
      );
      assert.deepEqual(await same.dispatch({ command: "version-get", service: ["dhcp4"] }), [{
        result: 0,
        text: "dhcp4",
      }]);
    } finally {
      await listener.close();
    }
  });
});

Deno.test("agent: config-test, config-set and config-get act on the Control-agent map; config-write refuses the live file", async () => {
  const h = harness({ "http-port": 8000 }, inProcess());
  const [test] = await h.dispatch({ command: "config-test", arguments: { "Control-agent": { "http-port": 1 } } });
  assert.deepEqual(test, { result: 0, text: "Configuration check successful" });
  const [bad] = await h.dispatch({ command: "config-test", arguments: { "Control-agent": { "http-prt": 1 } } });
  assert.equal(bad.result, 1);
  assert.match(bad.text!, /Control-agent\.http-prt: unknown or unsupported key 'http-prt'/);
  const [set] = await h.dispatch({
    command: "config-set",
    arguments: { "Control-agent": { "http-port": 8001, "control-sockets": { d2: { "socket-name": "/x.sock" } } } },
  });
  assert.equal(set.result, 0);
  assert.equal(set.text, "Configuration applied successfully.");
  assert.equal(h.ctx.config().listener.port, 8001);
  assert.deepEqual(h.ctx.config().sockets, { d2: "/x.sock" });
  const [get] = await h.dispatch({ command: "config-get" });
  assert.deepEqual((get.arguments as Record<string, unknown>)["Control-agent"], {
    "http-port": 8001,
    "control-sockets": { d2: { "socket-name": "/x.sock" } },
  });
  const [live] = await h.dispatch({ command: "config-write" });
  assert.equal(live.result, 1);
  assert.match(live.text!, /running configuration/);
  const [written] = await h.dispatch({ command: "config-write", arguments: { filename: "/etc/weka/ca-copy.json" } });
  assert.equal(written.result, 0, written.text);
  assert.deepEqual(
    JSON.parse(h.written.get("/etc/weka/ca-copy.json")!),
    get.arguments && {
      "Control-agent": { "http-port": 8001, "control-sockets": { d2: { "socket-name": "/x.sock" } } },
    },
  );
  const [down] = await h.dispatch({ command: "shutdown" });
  assert.equal(down.result, 0);
  assert.equal(h.shutdowns, 1);
});

Deno.test("agent: the compiled map has Kea's defaults (127.0.0.1:8000, http) and https with the TLS files", () => {
  const plain = agentConfig({});
  assert.deepEqual([plain.listener.type, plain.listener.address, plain.listener.port], ["http", "127.0.0.1", 8000]);
  assert.equal(plain.loggers[0].name, "kea-ctrl-agent");
  const tls = agentConfig({
    "cert-file": "/c.pem",
    "key-file": "/k.pem",
    "trust-anchor": "/ca.pem",
    "http-port": 8443,
  });
  assert.deepEqual([tls.listener.type, tls.listener.port], ["https", 8443]);
});
