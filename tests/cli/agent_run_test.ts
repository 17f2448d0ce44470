/**
 * The Control Agent endpoint of `weka run`, driven by Kea's own client: kea-shell 2.2 (and curl) reach the
 * dhcp4, dhcp6 and d2 roles of one weka process by `service`, with basic authentication; a list of services gets
 * one answer per service. And the other direction of a migration: real kea-ctrl-agent 2.2 in front of weka's unix
 * socket, and weka's agent alone (a file with only a Control-agent map) in front of real kea-dhcp4 2.2.
 * Needs kea-shell, kea-ctrl-agent, kea-dhcp4 and curl (CI installs them); skipped with a message otherwise.
 */
import assert from "node:assert/strict";
import { freePort } from "../control/helpers.ts";
import { startCli, withTempDir } from "./cli_helpers.ts";

const TOOLS = ["/usr/sbin/kea-shell", "/usr/sbin/kea-ctrl-agent", "/usr/sbin/kea-dhcp4", "/usr/bin/curl"];
const missing = TOOLS.filter((p) => {
  try {
    Deno.statSync(p);
    return false;
  } catch {
    return true;
  }
});
if (missing.length) console.log(`SKIP control agent: ${missing.join(", ")} missing (apt-get install kea curl)`);

/** Runs a program; returns its exit code and stdout. */
async function run(cmd: string, args: string[], stdin = ""): Promise<{ code: number; out: string }> {
  const p = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
  const w = p.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const r = await p.output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr) };
}

/** kea-shell against 127.0.0.1:port; returns the parsed answer list. */
async function keaShell(
  port: number,
  command: string,
  opts: { service?: string; auth?: [string, string]; args?: unknown } = {},
) {
  const argv = ["--host", "127.0.0.1", "--port", String(port), "--timeout", "10"];
  if (opts.service) argv.push("--service", opts.service);
  if (opts.auth) argv.push("--auth-user", opts.auth[0], "--auth-password", opts.auth[1]);
  argv.push(command);
  // kea-shell reads the inside of the arguments map from stdin and wraps it in braces itself
  const r = await run(
    "/usr/sbin/kea-shell",
    argv,
    opts.args === undefined ? "" : JSON.stringify(opts.args).slice(1, -1),
  );
  assert.equal(r.code, 0, r.out);
  return JSON.parse(r.out) as { result: number; text?: string; arguments?: Record<string, unknown> }[];
}

/** curl POST of a request; returns the HTTP status and the body. */
async function curl(port: number, body: unknown, user?: string): Promise<{ status: number; body: string }> {
  const args = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: application/json"];
  if (user) args.push("-u", user);
  args.push("-d", JSON.stringify(body), `http://127.0.0.1:${port}/`);
  const r = await run("/usr/bin/curl", args);
  const cut = r.out.lastIndexOf("\n");
  return { status: Number(r.out.slice(cut + 1)), body: r.out.slice(0, cut) };
}

Deno.test({
  name: "agent: kea-shell and curl through weka run's Control-agent reach dhcp4, dhcp6 and d2 by service",
  ignore: missing.length > 0,
  fn: () =>
    withTempDir("weka-agent-run-", async (dir) => {
      const port = freePort(), d2Port = freePort();
      const cfg = `${dir}/weka.json`;
      await Deno.writeTextFile(
        cfg,
        JSON.stringify({
          Dhcp4: {
            "interfaces-config": { interfaces: [] },
            "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
            "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea4-ctrl-socket` },
            "hooks-libraries": [{ library: "/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so" }],
            subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.1.200" }] }],
          },
          Dhcp6: {
            "interfaces-config": { interfaces: [] },
            "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
            "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea6-ctrl-socket` },
            subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
          },
          DhcpDdns: {
            "ip-address": "127.0.0.1",
            port: d2Port,
            "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea-ddns-ctrl-socket` },
          },
          "Control-agent": {
            "http-host": "127.0.0.1",
            "http-port": port,
            authentication: { type: "basic", realm: "kea", clients: [{ user: "admin", password: "s3cret" }] },
            "control-sockets": {
              dhcp4: { "socket-type": "unix", "socket-name": `${dir}/kea4-ctrl-socket` },
              dhcp6: { "socket-type": "unix", "socket-name": `${dir}/kea6-ctrl-socket` },
              d2: { "socket-type": "unix", "socket-name": `${dir}/kea-ddns-ctrl-socket` },
            },
          },
        }),
      );
      const w = await startCli(["run", "-c", cfg], /CTRL_AGENT_HTTP_SERVICE_STARTED/);
      await w.waitFor(/DHCP4_STARTED/);
      await w.waitFor(/DHCP6_STARTED/);
      try {
        const auth: [string, string] = ["admin", "s3cret"];
        // the agent's own commands: kea-ctrl-agent 2.2's list
        const [own] = await keaShell(port, "list-commands", { auth });
        assert.equal(own.result, 0);
        assert.ok((own.arguments as unknown as string[]).includes("config-reload"));
        assert.ok(!(own.arguments as unknown as string[]).includes("lease4-add"));
        // each role by service, through kea-shell
        const [d4] = await keaShell(port, "config-get", { service: "dhcp4", auth });
        assert.ok(d4.arguments?.Dhcp4, JSON.stringify(d4));
        const [d6] = await keaShell(port, "config-get", { service: "dhcp6", auth });
        assert.ok(d6.arguments?.Dhcp6, JSON.stringify(d6));
        const [d2] = await keaShell(port, "status-get", { service: "d2", auth });
        assert.equal(d2.result, 0);
        assert.equal(d2.arguments?.["queue-size"], 0);
        // a lease command with arguments from stdin, as kea-shell sends them
        const lease = { "ip-address": "198.18.1.9", "hw-address": "02:00:00:00:00:09", "subnet-id": 1 };
        const [added] = await keaShell(port, "lease4-add", { service: "dhcp4", auth, args: lease });
        assert.equal(added.result, 0, JSON.stringify(added));
        const [got] = await keaShell(port, "lease4-get", {
          service: "dhcp4",
          auth,
          args: { "ip-address": "198.18.1.9" },
        });
        assert.equal(got.arguments?.["hw-address"], "02:00:00:00:00:09");
        // curl: a list of services gets one answer per service, in the order asked
        const all = await curl(port, { command: "version-get", service: ["dhcp4", "dhcp6", "d2"] }, "admin:s3cret");
        assert.equal(all.status, 200);
        const answers = JSON.parse(all.body) as { result: number }[];
        assert.deepEqual(answers.map((a) => a.result), [0, 0, 0]);
        const three = JSON.parse(
          (await curl(port, { command: "config-get", service: ["d2", "dhcp4"] }, "admin:s3cret")).body,
        ) as { arguments: Record<string, unknown> }[];
        assert.deepEqual(three.map((a) => Object.keys(a.arguments).filter((k) => k !== "hash")), [["DhcpDdns"], [
          "Dhcp4",
        ]]);
        // no credentials, wrong credentials: 401 and nothing runs
        const anon = await curl(port, { command: "lease4-wipe", service: ["dhcp4"], arguments: { "subnet-id": 1 } });
        assert.equal(anon.status, 401);
        assert.equal((await curl(port, { command: "list-commands" }, "admin:wrong")).status, 401);
        const [still] = await keaShell(port, "lease4-get", {
          service: "dhcp4",
          auth,
          args: { "ip-address": "198.18.1.9" },
        });
        assert.equal(still.result, 0, "the lease is still there");
      } finally {
        assert.equal(await w.stop(), 0, w.output());
      }
      assert.match(
        w.output(),
        /Control Agent listening on http:\/\/127\.0\.0\.1:\d+\/, forwarding to d2 \(in this process\), dhcp4 \(in this process\), dhcp6 \(in this process\)/,
      );
    }),
});

Deno.test({
  name: "agent: kea-shell through kea-ctrl-agent 2.2 in front of weka's unix socket",
  ignore: missing.length > 0,
  fn: () =>
    withTempDir("weka-kca-", async (dir) => {
      const port = freePort();
      await Deno.writeTextFile(
        `${dir}/weka.json`,
        JSON.stringify({
          Dhcp4: {
            "interfaces-config": { interfaces: [] },
            "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
            "control-socket": { "socket-type": "unix", "socket-name": `${dir}/weka4.sock` },
            "hooks-libraries": [{ library: "libdhcp_lease_cmds.so" }],
            subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.1.200" }] }],
          },
        }),
      );
      await Deno.writeTextFile(
        `${dir}/ca.json`,
        JSON.stringify({
          "Control-agent": {
            "http-host": "127.0.0.1",
            "http-port": port,
            "control-sockets": { dhcp4: { "socket-type": "unix", "socket-name": `${dir}/weka4.sock` } },
          },
        }),
      );
      const w = await startCli(["run", "-c", `${dir}/weka.json`], /DHCP4_STARTED/);
      const ca = new Deno.Command("/usr/sbin/kea-ctrl-agent", {
        args: ["-c", `${dir}/ca.json`],
        env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        await waitForPort(port);
        const [v] = await keaShell(port, "version-get", { service: "dhcp4" });
        assert.equal(v.result, 0);
        assert.match(v.text!, /^\d+\.\d+/);
        assert.match(String(v.arguments?.extended), /weka/);
        const lease = { "ip-address": "198.18.1.7", "hw-address": "02:00:00:00:00:07" };
        const [added] = await keaShell(port, "lease4-add", { service: "dhcp4", args: lease });
        assert.equal(added.result, 0, JSON.stringify(added));
        const [dup] = await keaShell(port, "lease4-add", { service: "dhcp4", args: lease });
        assert.deepEqual(dup, { result: 1, text: "IPv4 lease already exists." });
        const [page] = await keaShell(port, "lease4-get-all", { service: "dhcp4" });
        assert.deepEqual((page.arguments?.leases as { "ip-address": string }[]).map((l) => l["ip-address"]), [
          "198.18.1.7",
        ]);
      } finally {
        ca.kill("SIGTERM");
        await ca.output();
        assert.equal(await w.stop(), 0, w.output());
      }
    }),
});

Deno.test({
  name: "agent: weka run with only a Control-agent map stands in for kea-ctrl-agent in front of kea-dhcp4 2.2",
  ignore: missing.length > 0,
  fn: () =>
    withTempDir("weka-agent-kea-", async (dir) => {
      const port = freePort();
      await Deno.writeTextFile(
        `${dir}/kea4.json`,
        JSON.stringify({
          Dhcp4: {
            "interfaces-config": { interfaces: [] },
            "control-socket": { "socket-type": "unix", "socket-name": `${dir}/kea4.sock` },
            "lease-database": { type: "memfile", persist: false },
            subnet4: [{ id: 1, subnet: "198.18.0.0/16" }],
          },
        }),
      );
      await Deno.writeTextFile(
        `${dir}/ca.json`,
        JSON.stringify({
          "Control-agent": {
            "http-host": "127.0.0.1",
            "http-port": port,
            "control-sockets": {
              dhcp4: { "socket-name": `${dir}/kea4.sock` },
              d2: { "socket-name": `${dir}/none.sock` },
            },
          },
        }),
      );
      const kea = new Deno.Command("/usr/sbin/kea-dhcp4", {
        args: ["-c", `${dir}/kea4.json`],
        env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = await startCli(["run", "-c", `${dir}/ca.json`], /CTRL_AGENT_HTTP_SERVICE_STARTED/);
      try {
        await waitForFile(`${dir}/kea4.sock`);
        const [v] = await keaShell(port, "version-get", { service: "dhcp4" });
        assert.equal(v.text, "2.2.0", "answered by kea-dhcp4 2.2 itself");
        const [off] = await keaShell(port, "version-get", { service: "d2" });
        assert.equal(off.result, 1);
        assert.match(
          off.text!,
          /^unable to forward command to the d2 service: .*\. The server is likely to be offline$/,
        );
        const [own] = await keaShell(port, "status-get");
        assert.equal(typeof own.arguments?.pid, "number");
        assert.deepEqual(own.arguments?.services, []);
      } finally {
        kea.kill("SIGTERM");
        await kea.output();
        assert.equal(await w.stop(), 0, w.output());
      }
    }),
});

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${path} did not appear`);
}
