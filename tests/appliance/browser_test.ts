/**
 * The status page in a real browser (Debian's headless Chromium, `--dump-dom` and `--screenshot`, no driver): two
 * weka servers in a hot-standby HA pair in the namespace lab (prefix `wkb-`), the primary with an HTTP control
 * socket (basic authentication) at http://198.18.0.1:8000/. After a real dhclient took a lease, the page opened
 * from host `cli` shows the lease's address in the lease table, its subnet with the pool use, and hot-standby; a
 * hostname made of HTML (added with lease4-add) shows as text, not as an element. After the standby is killed, the
 * page shows partner-down. The screenshot of that page is kept in $WEKA_ARTEFACTS (default
 * /tmp/weka-artefacts), whose path the test prints. Needs root, chromium, dhclient; else skipped.
 */
import assert from "node:assert/strict";
import { Lab, type LabProcess } from "../e2e/lab.ts";
import {
  controlCommand,
  HA_TIMING,
  haDhcp4,
  haHooks,
  labSkipReason,
  outputTail,
  startWeka,
  until,
  writeConfig,
} from "../e2e/weka_proc.ts";

const CHROMIUM = "/usr/bin/chromium";
const why = labSkipReason([CHROMIUM, "/usr/sbin/dhclient"], "apt-get install chromium isc-dhcp-client");
if (why) console.log(`SKIP status page in a browser: ${why}`);
const PAGE = "http://admin:s3cret@198.18.0.1:8000/";

/** Chromium in lab host `cli`: the page's DOM after its scripts ran (or a screenshot into `shot`). */
async function chromium(lab: Lab, dir: string, shot?: string): Promise<string> {
  const profile = await Deno.makeTempDir({ dir, prefix: "chromium-" });
  const r = await lab.run("cli", [
    "timeout",
    "60",
    CHROMIUM,
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--virtual-time-budget=8000",
    "--window-size=1100,1000",
    shot ? `--screenshot=${shot}` : "--dump-dom",
    PAGE,
  ]);
  assert.equal(r.code, 0, `chromium exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/**
 * The page's DOM once `ready` holds for it: Chromium is asked again (up to 3 times) while the page has not drawn
 * what is expected yet, so a slow first load on a busy machine is not a failure; the last DOM is returned.
 */
async function pageWhen(lab: Lab, dir: string, ready: (dom: string) => boolean): Promise<string> {
  let dom = "";
  for (let i = 0; i < 3; i++) {
    dom = await chromium(lab, dir);
    if (ready(dom)) break;
  }
  return dom;
}

/** The text of the element with `id` in a dumped DOM (tags removed, entities kept). */
function section(dom: string, id: string): string {
  const m = new RegExp(`<(\\w+) id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(dom);
  return m ? m[2] : "";
}

Deno.test({
  name: "status page in Chromium: the lease of a real dhclient, subnet and pool use, HA hot-standby then partner-down",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "wkb-" });
    await Deno.chmod(dir, 0o755);
    const lab = await Lab.up("wkb-");
    let w1: LabProcess | undefined, w2: LabProcess | undefined;
    try {
      const peers: [string, string, string][] = [
        ["server1", "http://198.18.0.1:8001/", "primary"],
        ["server2", "http://198.18.0.2:8001/", "standby"],
      ];
      const pools = [{ pool: "198.18.1.1 - 198.18.1.250" }];
      const cfg = (me: string, sock: string, http: boolean) => {
        const c = haDhcp4(sock, { type: "kv", name: `${dir}/${me}.kv` }, pools, haHooks(me, "hot-standby", peers));
        const d = c.Dhcp4 as Record<string, unknown>;
        d["control-sockets"] = [d["control-socket"]];
        delete d["control-socket"];
        if (http) {
          (d["control-sockets"] as unknown[]).push({
            "socket-type": "http",
            "socket-address": "198.18.0.1",
            "socket-port": 8000,
            authentication: { type: "basic", clients: [{ user: "admin", password: "s3cret" }] },
          });
        }
        return c;
      };
      const sock1 = `${dir}/w1.sock`, sock2 = `${dir}/w2.sock`;
      w1 = await startWeka(lab, "srv1", await writeConfig(dir, cfg("server1", sock1, true), "server1.json"));
      w2 = await startWeka(lab, "srv2", await writeConfig(dir, cfg("server2", sock2, false), "server2.json"));
      const state = async () => String((await controlCommand(sock1, "ha-heartbeat")).arguments?.state);
      assert.equal(await until(async () => (await state()) === "hot-standby", 60_000, 500), true, await state());

      const mac = await lab.mac("cli1", "eth0");
      const r = await lab.run("cli1", [
        "timeout",
        "30",
        "dhclient",
        "-4",
        "-v",
        "-1",
        "-pf",
        `${dir}/dhclient.pid`,
        "-lf",
        `${dir}/dhclient.leases`,
        "-sf",
        "/bin/true",
        "eth0",
      ]);
      const address = /bound to (198\.18\.1\.\d+)/.exec(r.stderr)?.[1];
      assert.ok(address, `dhclient got no lease:\n${r.stderr}\n${outputTail(w1)}`);
      const hostile = "<img src=x onerror=document.title='owned'>";
      const added = await controlCommand(sock1, "lease4-add", {
        "ip-address": "198.18.1.240",
        "hw-address": "02:00:00:00:0b:ad",
        hostname: hostile,
      });
      assert.equal(added.result, 0, added.text);

      // The partner's last heartbeat may still say "ready" for a moment after this server reports
      // hot-standby: wait for the page to show both sides in hot-standby.
      const dom = await pageWhen(
        lab,
        dir,
        (d) => d.includes(`<td>${address}</td>`) && /last reported <span class="state good">hot-standby/.test(d),
      );
      const leases = section(dom, "leases-box"), pools_ = section(dom, "pools-box"), ha = section(dom, "ha-box");
      assert.match(dom, /<p id="error" class="error" hidden="">/, `the page shows an error:\n${dom.slice(0, 1500)}`);
      assert.match(leases, new RegExp(`<td>${address.replaceAll(".", "\\.")}</td><td>${mac}</td>`), leases);
      assert.match(leases, /&lt;img src=x onerror=document\.title='owned'&gt;/, "the hostname is text");
      assert.doesNotMatch(leases, /<img/, "no element came out of a client's hostname");
      assert.match(dom, /<title>weka status<\/title>/);
      assert.match(pools_, /subnet 1 198\.18\.0\.0\/16<\/span><span>2 \/ 250 \(0\.8 %\)/, pools_);
      assert.match(ha, /this server server1 \(primary\) <span class="state good">hot-standby<\/span>/, ha);
      assert.match(
        ha,
        /partner server2 \(standby\) last reported <span class="state good">hot-standby<\/span> · last heartbeat \d+ s ago/,
      );

      w2.kill("SIGKILL");
      const down = await until(
        async () => (await state()) === "partner-down",
        HA_TIMING.maxResponseDelay + 10_000,
        250,
      );
      assert.ok(down, `no partner-down: ${await state()}`);
      const after = section(await pageWhen(lab, dir, (d) => d.includes("partner-down")), "ha-box");
      assert.match(after, /this server server1 \(primary\) <span class="state alert">partner-down<\/span>/, after);
      assert.match(after, /communication interrupted/);

      const artefacts = Deno.env.get("WEKA_ARTEFACTS") ?? "/tmp/weka-artefacts";
      await Deno.mkdir(artefacts, { recursive: true });
      const shot = `${artefacts}/status-page-partner-down.png`;
      await chromium(lab, dir, shot);
      const png = await Deno.readFile(shot);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      console.log(`  status page screenshot (partner-down, lease ${address}): ${shot} (${png.length} bytes)`);
      await lab.run("cli1", ["dhclient", "-4", "-x", "-pf", `${dir}/dhclient.pid`, "eth0"]);
    } finally {
      await lab.down();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
