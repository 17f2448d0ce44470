/**
 * The container image (Dockerfile, `deno task image`): `weka version` and `weka config-test` run inside it; the
 * container, joined to the lab's server namespace with only CAP_NET_BIND_SERVICE and CAP_NET_RAW as the
 * unprivileged `weka` user, serves a real dhclient; `weka leases list` inside it asks the server over its control
 * socket, and the image's HEALTHCHECK (weka status through the control channel) reports healthy. The image is
 * built first when it is missing (CI builds it in .ci/run and prints the time and size). Needs root, podman,
 * iproute2 and dhclient; else skipped with the reason.
 */
import assert from "node:assert/strict";
import { Lab } from "../e2e/lab.ts";
import { buildImage, containerEngine, containerEnv, IMAGE_TAG } from "../../config/image/build.ts";
import { VERSION } from "../../mod/cli/version.ts";
import { labSkipReason } from "../e2e/weka_proc.ts";

const why = labSkipReason(["/usr/bin/podman", "/usr/sbin/dhclient"], "apt-get install podman runc isc-dhcp-client");
if (why) console.log(`SKIP appliance image: ${why}`);

/** Runs podman with the repository's containers.conf; code and text. */
async function podman(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command("podman", { args, env: containerEnv(), stdin: "null" }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

Deno.test({
  name: "image: weka version and config-test inside it; the container in a lab namespace serves a real dhclient",
  ignore: why !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    assert.equal(await containerEngine(), "podman");
    if ((await podman("image", "exists", IMAGE_TAG)).code !== 0) await buildImage();
    const version = await podman("run", "--rm", "--network", "none", "--no-healthcheck", IMAGE_TAG, "version");
    assert.equal(version.code, 0, version.err);
    assert.equal(version.out.trim(), VERSION);
    const dflt = await podman(
      "run",
      "--rm",
      "--network",
      "none",
      "--no-healthcheck",
      IMAGE_TAG,
      "config-test",
      "-c",
      "/etc/weka/weka.json",
    );
    assert.equal(dflt.code, 0, dflt.err);
    assert.match(dflt.out, /configuration is valid/);

    const dir = await Deno.makeTempDir({ prefix: "wkimg-" });
    await Deno.chmod(dir, 0o755);
    const bad = `{\n  "Dhcp4": {\n    "valid-lifetime": "long"\n  }\n}\n`;
    await Deno.writeTextFile(`${dir}/bad.json`, bad, { mode: 0o644 });
    const refused = await podman(
      "run",
      "--rm",
      "--network",
      "none",
      "--no-healthcheck",
      "-v",
      `${dir}:/etc/weka:ro`,
      IMAGE_TAG,
      "config-test",
      "-c",
      "/etc/weka/bad.json",
    );
    assert.equal(refused.code, 1, refused.out + refused.err);
    assert.match(refused.out + refused.err, /bad\.json:3:\d+: .*valid-lifetime/);

    const name = `weka-img-test-${Deno.pid}`;
    const lab = await Lab.up("wkp-");
    try {
      await Deno.writeTextFile(
        `${dir}/weka.json`,
        JSON.stringify({
          Dhcp4: {
            "interfaces-config": { interfaces: ["eth0"] },
            "lease-database": { type: "kv", name: "/var/lib/weka/leases4.kv" },
            "control-socket": { "socket-type": "unix", "socket-name": "/run/weka/weka4-ctrl-socket" },
            "valid-lifetime": 600,
            subnet4: [{
              id: 1,
              subnet: "198.18.0.0/16",
              interface: "eth0",
              pools: [{ pool: "198.18.7.10 - 198.18.7.20" }],
            }],
          },
        }),
        { mode: 0o644 },
      );
      const started = await podman(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        `ns:/run/netns/${lab.ns("srv1")}`,
        "--cap-drop",
        "all",
        "--cap-add",
        "NET_BIND_SERVICE,NET_RAW",
        "-v",
        `${dir}:/etc/weka:ro`,
        IMAGE_TAG,
      );
      assert.equal(started.code, 0, started.err);
      const end = Date.now() + 30_000;
      let logs = "";
      while (Date.now() < end && !/DHCP4_STARTED/.test(logs)) {
        await new Promise((r) => setTimeout(r, 500));
        const l = await podman("logs", name);
        logs = l.out + l.err;
      }
      assert.match(logs, /DHCP4_STARTED/, logs);
      // the server runs as weka (uid 999, not root) with exactly the two capabilities
      const caps = await podman("exec", name, "sh", "-c", "grep -E '^(Uid|CapEff)' /proc/1/status");
      assert.match(caps.out, /Uid:\s+999\s/);
      assert.match(caps.out, /CapEff:\s+0000000000002400/, "CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13) only");

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
      assert.equal(r.code, 0, `dhclient got no lease:\n${r.stderr}\n--- weka in the container:\n${logs}`);
      const bound = /bound to (198\.18\.7\.\d+)/.exec(r.stderr)?.[1];
      assert.ok(bound, r.stderr);
      const list = await podman("exec", name, "weka", "leases", "list", "-c", "/etc/weka/weka.json");
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, new RegExp(`${bound.replaceAll(".", "\\.")} +${mac}`));
      assert.match(list.out, /held by the server at \/run\/weka\/weka4-ctrl-socket/);
      const health = await podman("healthcheck", "run", name);
      assert.equal(health.code, 0, `unhealthy: ${health.out}${health.err}`);
      console.log(`  container ${IMAGE_TAG} in ${lab.ns("srv1")} leased ${bound} to ${mac}; healthcheck passed`);
      await lab.run("cli1", ["dhclient", "-4", "-x", "-pf", `${dir}/dhclient.pid`, "eth0"]);
    } finally {
      await podman("rm", "-f", "-t", "3", name);
      await lab.down();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
