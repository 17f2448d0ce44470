/**
 * Kea's `pattern` (mod/log/pattern.ts) and `debuglevel`, and loggers re-applied at run time
 * (reconfigureLoggers): the patterns are Kea's own defaults and ones from real configurations, rendered for a fixed
 * record; a file output with a pattern writes exactly that layout.
 */
import assert from "node:assert/strict";
import { compilePattern, DEFAULT_FILE_PATTERN, DEFAULT_SYSLOG_PATTERN, formatTime } from "../../mod/log/pattern.ts";
import { closeLogging, DBG, reconfigureLoggers, setupLogging } from "../../mod/log/logger.ts";
import type { LoggerSpec } from "../../mod/config/model.ts";

// 2026-03-04 05:06:07.089 UTC
const T = Date.UTC(2026, 2, 4, 5, 6, 7, 89);
const F = {
  time: T,
  severity: "INFO",
  logger: "kea-dhcp4",
  message: "DHCP4_STARTED Kea DHCPv4 server version 2.2.0 started",
  pid: 4242,
  host: "router1",
};

Deno.test("pattern: UTC time conversions, log4cplus %q milliseconds", () => {
  assert.equal(formatTime("%Y-%m-%d %H:%M:%S.%q", T, true), "2026-03-04 05:06:07.089");
  assert.equal(formatTime("%b %e %T %j %a %y %F %%", T, true), "Mar  4 05:06:07 063 Wed 26 2026-03-04 %");
});

Deno.test("pattern: Kea's default layouts and real ones render field by field", () => {
  const utcDefault = DEFAULT_FILE_PATTERN.replace("%D{", "%d{");
  assert.equal(
    compilePattern(utcDefault)(F),
    "2026-03-04 05:06:07.089 INFO  [kea-dhcp4/4242.4242] DHCP4_STARTED Kea DHCPv4 server version 2.2.0 started\n",
  );
  assert.equal(
    compilePattern(DEFAULT_SYSLOG_PATTERN)({ ...F, severity: "WARN" }),
    "WARN  [kea-dhcp4.4242] DHCP4_STARTED Kea DHCPv4 server version 2.2.0 started\n",
  );
  // Kea ARM's example of a shorter pattern, and a right-aligned width with .max keeping the end
  assert.equal(compilePattern("%d{%j %H:%M:%S.%q} %c %m\n")(F), "063 05:06:07.089 kea-dhcp4 " + F.message + "\n");
  assert.equal(compilePattern("[%8.4c] %-6p|%h|%%|%n")(F), "[    hcp4] INFO  |router1|%|\n");
  // an unknown conversion is kept as written
  assert.equal(compilePattern("%X{ctx} %m")(F), "%X{ctx} " + F.message);
});

const fileLogger = (path: string, extra: Partial<LoggerSpec> = {}, pattern?: string): LoggerSpec => ({
  name: "kea-dhcp4",
  severity: "INFO",
  debuglevel: 0,
  outputs: [{ output: path, flush: true, maxsize: 0, maxver: 1, ...(pattern ? { pattern } : {}) }],
  ...extra,
});

Deno.test("loggers: a file output's pattern, debuglevel filtering, and a re-applied configuration", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = `${dir}/a.log`, b = `${dir}/b.log`;
    const log = await setupLogging([fileLogger(a, {}, "%p %c: %m\n")], "kea-dhcp4");
    log.info("ONE", "first");
    log.debug("HIDDEN", "not at INFO", DBG.TRACE_BASIC);
    assert.equal(log.debugEnabled, false);
    // a reload moves the logger to b.log at DEBUG with debuglevel 40: the same Log object follows it
    assert.equal(await reconfigureLoggers("kea-dhcp4", [fileLogger(b, { severity: "DEBUG", debuglevel: 40 })]), true);
    assert.equal(log.debugEnabled, true);
    log.info("TWO", "second");
    log.debug("SHOWN", "level 40", DBG.TRACE_BASIC);
    log.debug("FILTERED", "level 45", DBG.TRACE_BASIC_DATA);
    // the same loggers again: nothing is reopened
    assert.equal(await reconfigureLoggers("kea-dhcp4", [fileLogger(b, { severity: "DEBUG", debuglevel: 40 })]), false);
    // an output that cannot be opened refuses the change; the running loggers keep writing
    await assert.rejects(reconfigureLoggers("kea-dhcp4", [fileLogger(`${dir}/no/such/dir/c.log`)]));
    log.info("THREE", "still to b");
    await closeLogging();
    assert.equal(Deno.readTextFileSync(a), "INFO kea-dhcp4: ONE first\n");
    const lines = Deno.readTextFileSync(b).trim().split("\n").map((l) => l.replace(/^.*\] /, ""));
    assert.deepEqual(lines, ["TWO second", "SHOWN level 40", "THREE still to b"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
