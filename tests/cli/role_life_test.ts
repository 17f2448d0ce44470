/**
 * The role life of the DHCP servers (mod/cli/role_common.ts) as the last line against silent death (issue 9 item
 * 8): SIGHUP with a reload that fails in any way logs DHCPx_DYNAMIC_RECONFIGURATION_FAIL and the role keeps going;
 * a socket reconfiguration that fails after a reload is logged; a rejection or exception nothing handled is logged
 * as DHCPx_SERVER_FAILED and the role stops with exit code 1 — in process, and in a child process whose exit code
 * is checked.
 */
import assert from "node:assert/strict";
import { describeError, RoleLife } from "../../mod/cli/role_common.ts";
import { CaptureLog } from "../log/failure_probe.ts";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

Deno.test("describeError never throws: ConfigError-like objects, errors, strings, null", () => {
  assert.equal(describeError({ format: () => "a.json:1:2: bad" }), "a.json:1:2: bad");
  assert.equal(describeError(new Error("boom")), "boom");
  assert.equal(describeError("plain text"), "plain text");
  assert.equal(describeError(null), "null");
  assert.equal(describeError(undefined), "undefined");
});

Deno.test("SIGHUP: a reload that throws anything is logged and the role keeps running", async () => {
  const log = new CaptureLog();
  const thrown: unknown[] = ["a thrown string", null, new Error("file vanished")];
  let reloads = 0;
  const life = new RoleLife("DHCP4", log, () => {
    const t = thrown[reloads++];
    return Promise.reject(t);
  });
  life.listen();
  try {
    for (let i = 0; i < thrown.length; i++) {
      Deno.kill(Deno.pid, "SIGHUP");
      for (let k = 0; k < 100 && log.with("DHCP4_DYNAMIC_RECONFIGURATION_FAIL").length <= i; k++) await tick(5);
    }
    const failed = log.with("DHCP4_DYNAMIC_RECONFIGURATION_FAIL");
    assert.deepEqual(failed.map((l) => l.level), ["error", "error", "error"]);
    assert.match(failed[0].text, /previous configuration keeps serving: a thrown string/);
    assert.match(failed[2].text, /file vanished/);
    assert.equal(life.exitCode, 0);
    assert.equal(log.with("DHCP4_SERVER_FAILED").length, 0, "a refused reload is no fatal error");
  } finally {
    life.unlisten();
  }
});

Deno.test("afterAnswer: a socket reconfiguration that fails after a reload is logged, nothing left unhandled", async () => {
  const log = new CaptureLog();
  const life = new RoleLife("DHCP6", log, () => Promise.resolve());
  life.listen();
  try {
    life.afterAnswer("reopening the control sockets", () => Promise.reject(new Error("address in use")));
    for (let k = 0; k < 100 && !log.lines.length; k++) await tick(5);
    assert.deepEqual(log.lines.map((l) => [l.level, l.id]), [["error", "DHCP6_DYNAMIC_RECONFIGURATION_FAIL"]]);
    assert.match(log.lines[0].text, /reopening the control sockets: address in use/);
    assert.equal(life.exitCode, 0);
  } finally {
    life.unlisten();
  }
});

Deno.test("an unhandled rejection stops the role cleanly: DHCP4_SERVER_FAILED, exit code 1", async () => {
  const log = new CaptureLog();
  const life = new RoleLife("DHCP4", log, () => Promise.resolve());
  life.listen();
  try {
    Promise.reject(new Error("reclaimer bug"));
    const why = await life.stopped.promise;
    assert.equal(why, "fatal error");
    assert.equal(life.exitCode, 1);
    const failed = log.with("DHCP4_SERVER_FAILED");
    assert.equal(failed.length, 1);
    assert.match(failed[0].text, /nothing handled it: reclaimer bug; stopping with exit code 1/);
  } finally {
    life.unlisten();
  }
});

Deno.test("a child process whose timer throws logs DHCP4_SERVER_FAILED and exits 1 after its clean stop", async () => {
  const roleCommon = new URL("../../mod/cli/role_common.ts", import.meta.url).href;
  const script = `
    import { RoleLife } from ${JSON.stringify(roleCommon)};
    const put = (lvl) => (id, text) => console.log(lvl, id, text);
    const log = { debug: put("DEBUG"), info: put("INFO"), warn: put("WARN"), error: put("ERROR"),
      infoEnabled: true, debugEnabled: true };
    const life = new RoleLife("DHCP4", log, async () => {});
    life.listen();
    setTimeout(() => { throw new Error("stats sampler crashed"); }, 10);
    const why = await life.stopped.promise;
    life.unlisten();
    console.log("CLEAN STOP", why);
    Deno.exit(life.exitCode);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=js", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 1, `exit code 1; stderr: ${new TextDecoder().decode(out.stderr)}`);
  assert.match(text, /ERROR DHCP4_SERVER_FAILED an exception escaped a background task: stats sampler crashed/);
  assert.match(text, /CLEAN STOP fatal error/, "the role's own shutdown ran (not the runtime's abort)");
});
