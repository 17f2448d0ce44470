/**
 * The write commands on the real file system (mod/control/safe_write.ts with the edge's Deno facts): names that
 * resolve outside the allowed directory (`..`, a symlinked directory), symbolic links, and the files the server
 * lives on are refused; and against a running weka, `lease4-write` onto its live Deno KV file (directly, or through
 * a symlink) and `config-write` onto its configuration answer 1 and leave the database working — before, both
 * answered 0 and the next lease4-add failed with "database disk image is malformed".
 */
import assert from "node:assert/strict";
import { kvFiles, type LiveFile, writableTarget } from "../../mod/control/safe_write.ts";
import { CommandError } from "../../mod/control/answer.ts";
import { DENO_WRITE_FS, writeFileAtomically } from "../../mod/cli/role_common.ts";
import { sendUnix } from "../../mod/control/client.ts";
import { freePort, RelayClient, WekaProcess } from "./helpers.ts";

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CommandError, String(e));
    assert.equal(e.code, 1);
    return e.message;
  }
  throw new Error("the write was allowed");
}

Deno.test("writableTarget: real paths, symlinks and live files", async () => {
  const top = await Deno.realPath(await Deno.makeTempDir({ prefix: "wkc-write-" }));
  try {
    const data = `${top}/data`;
    await Deno.mkdir(data);
    await Deno.writeTextFile(`${data}/leases4.kv`, "sqlite");
    await Deno.writeTextFile(`${top}/outside.txt`, "keep me");
    await Deno.symlink(data, `${top}/alias`); // a symlinked directory pointing at the data directory
    await Deno.symlink(`${top}/outside.txt`, `${data}/evil.csv`);
    await Deno.symlink(`${data}/leases4.kv`, `${data}/db-alias.csv`);
    const live: LiveFile[] = [...kvFiles(`${data}/leases4.kv`), { path: `${top}/weka.json`, what: "the config" }];
    const t = (name: string, dir = data) => writableTarget("lease4-write", name, dir, live, DENO_WRITE_FS);

    assert.equal(await t("dump.csv"), `${data}/dump.csv`);
    assert.equal(await t(`${data}/sub/../dump.csv`), `${data}/dump.csv`);
    assert.equal(await t("dump.csv", `${top}/alias`), `${data}/dump.csv`); // the directory's real path
    assert.match(await refusal(t("leases4.kv")), /it is the live lease database/);
    assert.match(await refusal(t("leases4.kv-wal")), /write-ahead log/);
    assert.match(await refusal(t(`${top}/alias/leases4.kv-shm`)), /shared-memory file/);
    assert.match(await refusal(t("evil.csv")), /symbolic link/);
    assert.match(await refusal(t("db-alias.csv")), /symbolic link/);
    assert.match(await refusal(t("../outside.txt")), /the file must be in/);
    assert.match(await refusal(t("/etc/passwd")), /the file must be in/);
    assert.match(await refusal(t("x.csv", `${top}/nowhere`)), /does not exist/);
    const cw = writableTarget("config-write", "weka.json", top, live, DENO_WRITE_FS);
    assert.match(await refusal(cw), /config-write: not allowed to write into weka.json: it is the config/);

    // the atomic write replaces a name, never follows it
    await Deno.symlink(`${top}/outside.txt`, `${data}/link.csv`);
    await writeFileAtomically(`${data}/link.csv`, "new\n");
    assert.equal(await Deno.readTextFile(`${top}/outside.txt`), "keep me");
    assert.equal((await Deno.lstat(`${data}/link.csv`)).isFile, true);
    assert.equal(await Deno.readTextFile(`${data}/link.csv`), "new\n");
    assert.deepEqual([...Deno.readDirSync(data)].filter((e) => e.name.includes(".weka-")), []);
  } finally {
    await Deno.remove(top, { recursive: true });
  }
});

Deno.test("a running weka refuses lease4-write onto its live database and config-write onto its configuration", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "wkc-write-" }));
  const port = freePort();
  const cfg = `${dir}/weka.json`;
  await Deno.writeTextFile(
    cfg,
    JSON.stringify({
      Dhcp4: {
        "interfaces-config": { interfaces: ["lo"] },
        "lease-database": { type: "kv", name: `${dir}/leases4.kv` },
        subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.1 - 198.18.1.250" }] }],
        "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl.sock` },
        loggers: [{ name: "kea-dhcp4", "output-options": [{ output: "stdout" }], severity: "INFO" }],
      },
    }),
  );
  const cmd = async (command: string, args?: unknown) =>
    JSON.parse(await sendUnix(`${dir}/ctrl.sock`, JSON.stringify({ command, arguments: args })));
  const lease = (ip: string, mac: string) => ({ "ip-address": ip, "hw-address": mac, "subnet-id": 1 });
  let weka = new WekaProcess(cfg, port);
  try {
    await weka.waitFor(/DHCP4_STARTED/);
    assert.equal((await cmd("lease4-add", lease("198.18.1.10", "02:00:00:00:00:10"))).result, 0);
    const before = await Deno.readFile(`${dir}/leases4.kv`);
    const direct = await cmd("lease4-write", { filename: `${dir}/leases4.kv` });
    assert.equal(direct.result, 1);
    assert.match(direct.text, /it is the live lease database/);
    await Deno.symlink(`${dir}/leases4.kv`, `${dir}/alias.csv`);
    const viaLink = await cmd("lease4-write", { filename: "alias.csv" });
    assert.equal(viaLink.result, 1);
    assert.match(viaLink.text, /symbolic link/);
    const self = await cmd("config-write");
    assert.equal(self.result, 1);
    assert.match(self.text, /it is the running configuration/);
    assert.equal((await cmd("config-write", { filename: "weka.json.new" })).result, 0);
    assert.equal((await cmd("lease4-write", { filename: "dump.csv" })).result, 0);
    assert.match(await Deno.readTextFile(`${dir}/dump.csv`), /198\.18\.1\.10,02:00:00:00:00:10/);
    assert.deepEqual(await Deno.readFile(`${dir}/leases4.kv`), before, "the live database file changed");
    // the database still works, and still does after a restart
    assert.equal((await cmd("lease4-add", lease("198.18.1.11", "02:00:00:00:00:11"))).result, 0);
    const client = await RelayClient.open(port);
    assert.ok((await client.dora("02:00:00:00:00:12"))?.startsWith("198.18.1."));
    client.close();
    assert.equal(await weka.stop("SIGTERM"), 0, weka.output);
    weka = new WekaProcess(cfg, port);
    await weka.waitFor(/DHCP4_STARTED/);
    const all = await cmd("lease4-get-all");
    assert.equal(all.arguments.leases.length, 3, JSON.stringify(all));
  } finally {
    await weka.stop("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});
