import assert from "node:assert/strict";
import { closeLogging, setupLogging } from "../../mod/log/logger.ts";

Deno.test("file output: Kea-style lines, rotation by maxsize keeps maxver copies, everything written at close", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/weka.log`;
  const log = await setupLogging(
    [{
      name: "kea-dhcp4",
      severity: "INFO",
      debuglevel: 0,
      outputs: [{ output: path, flush: false, maxsize: 300, maxver: 2 }],
    }],
    "kea-dhcp4",
  );
  for (let i = 0; i < 12; i++) log.info("TEST_LINE", `line ${i}`);
  log.debug("TEST_DEBUG", "not at INFO");
  await closeLogging();
  const files = [...Deno.readDirSync(dir)].map((f) => f.name).sort();
  assert.deepEqual(files, ["weka.log"]); // unflushed lines are batched (8 KiB): one write at close, no rotation yet
  const text = Deno.readTextFileSync(path);
  assert.match(text, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO {2}\[kea-dhcp4\/\d+\] TEST_LINE line 0$/m);
  assert.equal(text.split("\n").filter(Boolean).length, 12);
  assert.doesNotMatch(text, /TEST_DEBUG/);

  const log2 = await setupLogging(
    [{
      name: "kea-dhcp4",
      severity: "INFO",
      debuglevel: 0,
      outputs: [{ output: path, flush: true, maxsize: 300, maxver: 2 }],
    }],
    "kea-dhcp4",
  );
  for (let i = 0; i < 12; i++) log2.info("TEST_LINE", `again ${i}`);
  await closeLogging();
  const rotated = [...Deno.readDirSync(dir)].map((f) => f.name).sort();
  assert.deepEqual(rotated, ["weka.log", "weka.log.1", "weka.log.2"]);
  for (const f of rotated) assert.ok(Deno.statSync(`${dir}/${f}`).size <= 300 || f !== "weka.log");
  assert.match(Deno.readTextFileSync(path), /again 11$/m);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("two loggers writing to stdout share one stream (no 'stream is already locked')", async () => {
  const out = { output: "stdout", flush: true, maxsize: 0, maxver: 1 };
  const log = await setupLogging([
    { name: "kea-dhcp4", severity: "WARN", debuglevel: 0, outputs: [out] },
    { name: "kea-dhcp-ddns", severity: "WARN", debuglevel: 0, outputs: [out] },
  ], "kea-dhcp4");
  assert.equal(log.infoEnabled, false);
  await closeLogging();
});
