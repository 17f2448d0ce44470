/**
 * A real weka (`weka dhcp4 --port P`, relayed DHCP on loopback) under connection floods on its control sockets,
 * as a hostile LAN device can make them (DESIGN.md rule 8):
 * - 20 000 HTTP connections that each send `GET / HTTP/1.1\r\n` and stall: DHCP keeps being served, a fresh control
 *   client gets its answer, the server logs the connection limit, and it exits 0 on SIGTERM afterwards;
 * - the same under `ulimit -n 256` with 300 stalled connections (before, the process died with an uncaught
 *   "Too many open files" from Deno.serve's accept loop);
 * - the unix control socket of a server limited to 64 descriptors flooded with 100 stalled connections: the
 *   process runs out of descriptors, says so once (LISTENER_DESCRIPTORS_EXHAUSTED), and the socket answers again
 *   (before, its accept loop ended silently and never answered again).
 */
import assert from "node:assert/strict";
import { sendHttp, sendUnix } from "../../mod/control/client.ts";
import { freePort, RelayClient, REPO, WekaProcess } from "./helpers.ts";

/** A flood_client.ts process holding `count` stalled connections. */
class Flood {
  private out = "";
  private readonly done: Promise<void>;

  private constructor(private readonly child: Deno.ChildProcess) {
    this.done = (async () => {
      const dec = new TextDecoder();
      for await (const c of child.stdout) this.out += dec.decode(c, { stream: true });
    })();
  }

  static start(args: string[]): Flood {
    return new Flood(
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${REPO}tests/control/flood_client.ts`, ...args],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn(),
    );
  }

  /** Waits until every connection was tried; returns how many are open. */
  async opened(ms = 120_000): Promise<number> {
    const end = Date.now() + ms;
    while (!/opened \d+/.test(this.out)) {
      if (Date.now() > end) throw new Error(`flood did not finish opening: ${this.out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number(/opened (\d+)/.exec(this.out)![1]);
  }

  /** Closes every connection and ends the process. */
  async stop(): Promise<void> {
    await this.child.stdin.close().catch(() => {});
    await this.child.status;
    await this.done;
  }
}

/** The hard descriptor limit of this process (the flood is split so that no flooder exceeds it). */
function hardFdLimit(): number {
  const m = Deno.readTextFileSync("/proc/self/limits").match(/^Max open files\s+\d+\s+(\d+)/m);
  return m ? Number(m[1]) : 1024;
}

function config(dir: string, httpPort: number): string {
  return JSON.stringify({
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "kv", name: `${dir}/leases4.kv` },
      "valid-lifetime": 600,
      subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.1 - 198.18.1.250" }] }],
      "control-sockets": [
        { "socket-type": "unix", "socket-name": `${dir}/ctrl.sock` },
        {
          "socket-type": "http",
          "socket-address": "127.0.0.1",
          "socket-port": httpPort,
          authentication: { type: "basic", clients: [{ user: "admin", password: "pw" }] },
        },
      ],
      loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "INFO" }],
    },
  });
}

/** Runs `fn` against a weka started under `prefix` (e.g. prlimit), then stops it and checks it exits 0. */
async function withWeka(
  prefix: string[],
  fn: (w: { weka: WekaProcess; client: RelayClient; dir: string; httpPort: number }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wkc-flood-" });
  const port = freePort(), httpPort = freePort();
  await Deno.writeTextFile(`${dir}/weka.json`, config(dir, httpPort));
  const weka = new WekaProcess(`${dir}/weka.json`, port, prefix);
  const client = await RelayClient.open(port);
  try {
    await weka.waitFor(/DHCP4_STARTED/, 30_000);
    await fn({ weka, client, dir, httpPort });
    assert.equal(await weka.stop("SIGTERM"), 0, weka.output.slice(-3000));
  } finally {
    client.close();
    await weka.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
}

const version = (httpPort: number) =>
  sendHttp(`http://127.0.0.1:${httpPort}/`, '{"command": "version-get"}', {
    user: "admin",
    password: "pw",
    timeoutMs: 10_000,
  });

/** `total` stalled connections to the HTTP socket, split over flooders that each stay under the fd limit. */
async function floodHttp(httpPort: number, total: number): Promise<{ floods: Flood[]; opened: number }> {
  const per = Math.min(10_000, hardFdLimit() - 100);
  const floods: Flood[] = [];
  for (let left = total; left > 0; left -= per) {
    floods.push(Flood.start(["tcp", "127.0.0.1", String(httpPort), String(Math.min(per, left))]));
  }
  let opened = 0;
  for (const f of floods) opened += await f.opened();
  return { floods, opened };
}

Deno.test({
  name: "flood: 20 000 stalled HTTP connections; DHCP served, a fresh control client answered, clean exit",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withWeka([], async ({ weka, client, httpPort }) => {
      const t0 = Date.now();
      const { floods, opened } = await floodHttp(httpPort, 20_000);
      try {
        console.log(`  ${opened} stalled connections opened in ${Date.now() - t0} ms`);
        assert.ok(opened >= 19_000, `only ${opened} of 20 000 connections were accepted by the kernel`);
        const ip = await client.dora("02:f1:00:00:00:01");
        assert.ok(ip?.startsWith("198.18.1."), `no lease during the flood:\n${weka.output.slice(-2000)}`);
        const r = await version(httpPort);
        assert.equal(r.status, 200, r.text);
        assert.equal(JSON.parse(r.text)[0].result, 0);
        assert.match(weka.output, /HTTP_CONNECTION_LIMIT/);
      } finally {
        for (const f of floods) await f.stop();
      }
      assert.ok((await client.dora("02:f1:00:00:00:02"))?.startsWith("198.18.1."), "no lease after the flood");
      assert.doesNotMatch(weka.output, /Uncaught|Too many open files \(os error 24\)\n\s+at /);
    }),
});

Deno.test({
  name: "flood: under ulimit -n 256, 300 stalled HTTP connections; DHCP served, control answered, clean exit",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withWeka(["prlimit", "--nofile=256:256", "--"], async ({ weka, client, httpPort }) => {
      const { floods, opened } = await floodHttp(httpPort, 300);
      try {
        assert.equal(opened, 300);
        assert.ok((await client.dora("02:f2:00:00:00:01"))?.startsWith("198.18.1."), weka.output.slice(-2000));
        const r = await version(httpPort);
        assert.equal(r.status, 200, r.text);
        assert.match(weka.output, /HTTP_CONNECTION_LIMIT.*16 connections open/);
      } finally {
        for (const f of floods) await f.stop();
      }
      assert.equal((await version(httpPort)).status, 200);
    }),
});

Deno.test({
  name: "flood: unix socket of a server with 64 descriptors; exhaustion is logged, the socket answers again",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withWeka(["prlimit", "--nofile=64:64", "--"], async ({ weka, client, dir }) => {
      const path = `${dir}/ctrl.sock`;
      const flood = Flood.start(["unix", path, "100"]);
      try {
        await flood.opened();
        await weka.waitFor(/LISTENER_DESCRIPTORS_EXHAUSTED/, 10_000);
        // idle connections were closed to make room: a fresh client is answered while the flood still holds on
        const during = JSON.parse(await sendUnix(path, '{"command": "version-get"}', 10_000));
        assert.equal(during.result, 0);
        assert.ok((await client.dora("02:f3:00:00:00:01"))?.startsWith("198.18.1."), weka.output.slice(-2000));
      } finally {
        await flood.stop();
      }
      const after = JSON.parse(await sendUnix(path, '{"command": "status-get"}', 10_000));
      assert.equal(after.result, 0);
    }),
});
