/**
 * escapedLog (mod/log/escaped_log.ts), which D2 logs through: a peer's text is escaped, and a debug message keeps its
 * Kea debug level, so the logger's `debuglevel` still filters it (it was dropped: every debug line was written).
 */
import assert from "node:assert/strict";
import { closeLogging, setupLogging } from "../../mod/log/logger.ts";
import { escapedLog } from "../../mod/log/escaped_log.ts";

Deno.test("escaped log: debuglevel 40 writes a level-10 debug line, not a level-55 one; control text escaped", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/d2.log`;
  const log = escapedLog(
    await setupLogging(
      [{
        name: "kea-dhcp-ddns",
        severity: "DEBUG",
        debuglevel: 40,
        outputs: [{ output: path, flush: true, maxsize: 0, maxver: 1 }],
      }],
      "kea-dhcp-ddns",
    ),
  );
  try {
    log.debug("TEST_DBG_LOW", "level 10", 10);
    log.debug("TEST_DBG_HIGH", "level 55", 55);
    log.info("TEST_NAME", "name host\nFAKE_LINE");
  } finally {
    await closeLogging();
  }
  const text = Deno.readTextFileSync(path);
  assert.match(text, /TEST_DBG_LOW level 10/);
  assert.doesNotMatch(text, /TEST_DBG_HIGH/, "a debug line above debuglevel is not written");
  assert.equal(text.split("\n").filter(Boolean).length, 2, "the peer's newline did not start a line of its own");
  await Deno.remove(dir, { recursive: true });
});
