/**
 * `weka leases import` of a 100 000-row Kea kea-leases4.csv (written here row by row in Kea's format, with
 * escaped hostnames, client ids, user contexts, every state) and `weka leases export` back: byte-identical. The
 * times are printed for the note.
 */
import assert from "node:assert/strict";
import { REPO } from "./helpers.ts";

const HEADER =
  "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id";

/** A Kea CSV with `n` leases in 10.0.0.0/8 (ascending), written by hand the way Kea writes rows. */
export function keaCsv(n: number): string {
  const rows = [HEADER];
  const hex = (v: number) => v.toString(16).padStart(2, "0");
  for (let i = 0; i < n; i++) {
    const a = 0x0a000000 + 1 + i;
    const ip = `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
    const mac = `02:00:${hex((i >>> 24) & 255)}:${hex((i >>> 16) & 255)}:${hex((i >>> 8) & 255)}:${hex(i & 255)}`;
    const cid = i % 3 === 0 ? `01:${mac}` : "";
    const state = i % 97 === 0 ? 1 : i % 89 === 0 ? 3 : i % 83 === 0 ? 2 : 0;
    const host = i % 5 === 0 ? `host-${i}.example.com.` : i % 7 === 0 ? `we&#x2cird&#x26name&#xc3&#xa9-${i}` : "";
    const ctx = i % 11 === 0 ? `{ "tag": "row&#x2c ${i}"&#x2c "v": [ 1&#x2c 2 ] }` : "";
    const valid = i % 13 === 0 ? 4294967295 : 3600;
    rows.push(
      `${ip},${state === 1 ? "" : mac},${cid},${valid},${1_800_000_000 + i},${1 + (i % 4)},${i & 1},${(i >> 1) & 1},` +
        `${host},${state},${ctx},${i % 2}`,
    );
  }
  return rows.join("\n") + "\n";
}

async function weka(args: string[]): Promise<{ code: number; err: string; ms: number }> {
  const t0 = performance.now();
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}main.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: o.code, err: new TextDecoder().decode(o.stderr), ms: Math.round(performance.now() - t0) };
}

Deno.test("100 000-row Kea CSV: import, then export, byte-identical", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkc-csv-" });
  try {
    // the subnet ids in the CSV need not exist for import (Kea's lease file loader does not check them either)
    await Deno.writeTextFile(
      `${dir}/weka.json`,
      JSON.stringify({
        Dhcp4: {
          "lease-database": { type: "kv", name: `${dir}/leases.kv` },
          "subnet4": [{ id: 1, subnet: "10.0.0.0/8" }],
          loggers: [{ name: "kea-dhcp4", severity: "WARN" }],
        },
      }),
    );
    const csv = keaCsv(100_000);
    await Deno.writeTextFile(`${dir}/in.csv`, csv);
    const imp = await weka(["leases", "import", "-c", `${dir}/weka.json`, "-i", `${dir}/in.csv`]);
    assert.equal(imp.code, 0, imp.err);
    assert.match(imp.err, /imported 100000 lease\(s\)/);
    const exp = await weka(["leases", "export", "-c", `${dir}/weka.json`, "-o", `${dir}/out.csv`]);
    assert.equal(exp.code, 0, exp.err);
    const out = await Deno.readTextFile(`${dir}/out.csv`);
    assert.equal(out.length, csv.length);
    assert.ok(out === csv, "the exported CSV differs from the imported one");
    console.log(`100000-row Kea CSV: import ${imp.ms} ms, export ${exp.ms} ms (whole weka processes, incl. start-up)`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
