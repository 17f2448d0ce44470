/**
 * None lost across a crash: `weka ddns` with a journal (WEKA_DDNS_JOURNAL) gets a burst of NCRs, is killed with
 * SIGKILL while still applying them, and is started again: every A record ends up in the real BIND. Loopback only;
 * skipped without named/root.
 */
import assert from "node:assert/strict";
import { BIND_KEYS, bindAvailable, startBind } from "../bind_harness.ts";
import { computeDhcid } from "../../../mod/ddns/dns/dhcid.ts";
import { openNcrSender } from "../../../mod/ddns/ncr/udp.ts";

const RUN = new URL("../run_ddns.ts", import.meta.url).pathname;
const BIND_PORT = 15357, NCR_PORT = 15303, N = 300;

Deno.test({
  name: "SIGKILL during a burst, restart: all requests applied from the journal",
  ignore: !(await bindAvailable()),
}, async () => {
  const bind = await startBind("127.0.0.1", BIND_PORT);
  const dir = await Deno.makeTempDir({ prefix: "wkd-restart-" });
  await Deno.writeTextFile(
    `${dir}/d2.json`,
    JSON.stringify({
      DhcpDdns: {
        "ip-address": "127.0.0.1",
        port: NCR_PORT,
        "tsig-keys": [{ name: "ddns-md5", algorithm: "HMAC-MD5", secret: BIND_KEYS["ddns-md5"][1] }],
        "forward-ddns": {
          "ddns-domains": [{
            name: "lab.test.",
            "key-name": "ddns-md5",
            "dns-servers": [{ "ip-address": "127.0.0.1", port: BIND_PORT }],
          }],
        },
        loggers: [{ name: "kea-dhcp-ddns", output_options: [{ output: `${dir}/d2.log` }], severity: "INFO" }],
      },
    }),
  );
  const start = () =>
    new Deno.Command("deno", {
      args: ["run", "-A", RUN, `${dir}/d2.json`],
      env: { WEKA_DDNS_JOURNAL: `${dir}/journal.kv` },
      stdout: "null",
      stderr: "null",
    }).spawn();
  const count = async () => {
    const o = await new Deno.Command("dig", {
      args: ["+noall", "+answer", "-p", String(BIND_PORT), "@127.0.0.1", "lab.test", "AXFR"],
      stdout: "piped",
    }).output();
    return new TextDecoder().decode(o.stdout).split("\n").filter((l) => /^r\d+\.lab\.test\.\s.*\sA\s/.test(l)).length;
  };
  const started = async (n: number) => {
    for (let i = 0; i < 100; i++) {
      const log = await Deno.readTextFile(`${dir}/d2.log`).catch(() => "");
      if (log.split("DHCP_DDNS_STARTED").length > n) return log;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("weka ddns did not start");
  };
  let child = start();
  const tx = openNcrSender("127.0.0.1", NCR_PORT);
  try {
    await started(1);
    for (let i = 0; i < N; i++) {
      const fqdn = `r${i}.lab.test.`;
      await tx.send({
        changeType: "add",
        forwardChange: true,
        reverseChange: false,
        fqdn,
        ipAddress: `198.18.${20 + Math.floor(i / 250)}.${1 + (i % 250)}`,
        dhcid: computeDhcid(1, new Uint8Array([1, i >> 8, i & 255]), fqdn),
        leaseExpiresOn: "20301127180000",
        leaseLength: 600,
        conflictResolutionMode: "check-with-dhcid",
      });
    }
    // let part of the burst through, then crash
    let before = 0;
    for (let i = 0; i < 200 && before < 20; i++) {
      await new Promise((r) => setTimeout(r, 20));
      before = await count();
    }
    child.kill("SIGKILL");
    await child.status;
    before = await count();
    assert.ok(before < N, `the crash came too late to prove anything (${before} of ${N} already applied)`);
    child = start();
    const log = await started(2);
    let after = before;
    for (let i = 0; i < 300 && after < N; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await count();
    }
    const restored = [
      ...(await Deno.readTextFile(`${dir}/d2.log`)).matchAll(/DHCP_DDNS_QUEUE_RESTORED (\d+) requests/g),
    ].at(-1);
    assert.equal(after, N, `applied ${before} before the crash, ${after} in all; ${restored?.[0]}\n${log.slice(-500)}`);
    assert.ok(restored && Number(restored[1]) >= N - before, restored?.[0]);
  } finally {
    tx.close();
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await bind.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
