/**
 * Kea's `syslog` outputs end in a real syslog socket: a weka process configured with `syslog:local3` writes
 * RFC 3164 datagrams (`<PRI>Mmm dd hh:mm:ss kea-dhcp4: INFO  [kea-dhcp4.PID] DHCP4_…`) to the unix datagram socket
 * WEKA_SYSLOG_SOCKET names (here one this test binds, as rsyslog binds /dev/log), with the facility and severity in
 * PRI; a SIGHUP that moves the logger to a file re-applies the loggers (the file gets the reload's lines, the
 * socket no more). A missing socket costs lines, never the server.
 */
import assert from "node:assert/strict";
import { C, check, closeQuietly, libc, pinned } from "../../mod/net/libc.ts";
import { syslogDatagram } from "../../mod/log/syslog.ts";
import { startCli, withTempDir } from "../cli/cli_helpers.ts";
import { freePort } from "../control/helpers.ts";

/** A bound unix datagram socket (what a syslog daemon listens on), read without blocking. */
function syslogReceiver(path: string) {
  const c = libc();
  const fd = check(c.socket(1, C.SOCK_DGRAM | C.SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0), "socket");
  const sa = pinned(110);
  new DataView(sa.buffer).setUint16(0, 1, true); // AF_UNIX
  sa.set(new TextEncoder().encode(path), 2);
  check(c.bind(fd, sa, 110), "bind");
  const buf = pinned(8192);
  const got: string[] = [];
  const drain = () => {
    while (true) {
      const n = Number(c.read(fd, buf, BigInt(buf.length)));
      if (n <= 0) return;
      got.push(new TextDecoder().decode(buf.subarray(0, n)));
    }
  };
  return {
    lines: () => (drain(), got),
    async waitFor(re: RegExp): Promise<string> {
      for (let i = 0; i < 100; i++) {
        const hit = this.lines().find((l) => re.test(l));
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no syslog line matched ${re}; got:\n${got.join("\n")}`);
    },
    close: () => closeQuietly(fd),
  };
}

Deno.test("syslog: the datagram is syslog(3)'s: facility*8+severity, local time, ident, Kea's syslog layout", () => {
  const ms = new Date(2026, 11, 6, 9, 5, 3).getTime(); // local time, a single-digit day padded with a space
  assert.equal(
    syslogDatagram(19, "info", "kea-dhcp4", "INFO  [kea-dhcp4.7] DHCP4_STARTED x\n", ms),
    "<158>Dec  6 09:05:03 kea-dhcp4: INFO  [kea-dhcp4.7] DHCP4_STARTED x",
  );
  assert.equal(syslogDatagram(16, "error", "kea-dhcp-ddns", "E", ms).slice(0, 5), "<131>"); // local0.err
  assert.equal(syslogDatagram(3, "warning", "k", "W", ms).slice(0, 4), "<28>"); // daemon.warning
});

Deno.test("syslog: weka dhcp4 logs to a syslog socket with its facility; SIGHUP moves the logger to a file", () =>
  withTempDir("weka-syslog-", async (dir) => {
    const sock = `${dir}/log.sock`;
    const rx = syslogReceiver(sock);
    const cfg = `${dir}/weka.json`;
    const doc = (output: string) =>
      JSON.stringify({
        Dhcp4: {
          "interfaces-config": { interfaces: ["lo"] },
          "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
          subnet4: [{ id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.0 - 198.18.1.200" }] }],
          loggers: [{ name: "kea-dhcp4", severity: "INFO", output_options: [{ output }] }],
        },
      });
    await Deno.writeTextFile(cfg, doc("syslog:local3"));
    const w = await startCli(["dhcp4", "-c", cfg, "--port", String(freePort())], /never/, 4000, {
      WEKA_SYSLOG_SOCKET: sock,
    });
    try {
      // local3 (19) * 8 + info (6) = 158; ident = the root logger; Kea's syslog pattern "%-5p [%c.%t] %m"
      const started = await rx.waitFor(/DHCP4_STARTED/);
      assert.match(
        started,
        /^<158>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d kea-dhcp4: INFO {2}\[kea-dhcp4\.\d+\] DHCP4_STARTED /,
      );
      assert.doesNotMatch(w.output(), /DHCP4_STARTED/, "syslog only: nothing on stdout");
      await Deno.writeTextFile(cfg, doc(`${dir}/weka.log`));
      w.signal("SIGHUP");
      for (
        let i = 0;
        i < 100 && !/DHCP4_CONFIG_COMPLETE/.test(await Deno.readTextFile(`${dir}/weka.log`).catch(() => ""));
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(await Deno.readTextFile(`${dir}/weka.log`), /INFO {2}\[kea-dhcp4\/\d+\] DHCP4_CONFIG_COMPLETE/);
      assert.ok(!rx.lines().some((l) => /DHCP4_CONFIG_COMPLETE/.test(l)), "the reload's lines go to the file only");
    } finally {
      assert.equal(await w.stop(), 0, w.output());
      rx.close();
    }
    assert.match(await Deno.readTextFile(`${dir}/weka.log`), /DHCP4_SHUTDOWN/);
  }));

Deno.test("syslog: without a syslog daemon the lines are dropped and the server runs", () =>
  withTempDir("weka-nosyslog-", async (dir) => {
    const cfg = `${dir}/weka.json`;
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        Dhcp4: {
          "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
          subnet4: [{ id: 1, subnet: "198.18.0.0/16" }],
          "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl.sock` },
          loggers: [{ name: "kea-dhcp4", output_options: [{ output: "syslog" }] }],
        },
      }),
    );
    const w = await startCli(["dhcp4", "-c", cfg, "--port", String(freePort())], /never/, 3000, {
      WEKA_SYSLOG_SOCKET: `${dir}/nobody-listens.sock`,
    });
    try {
      const st = await new Deno.Command("sh", { args: ["-c", `test -S ${dir}/ctrl.sock && echo up`] }).output();
      assert.equal(new TextDecoder().decode(st.stdout).trim(), "up", w.output());
    } finally {
      assert.equal(await w.stop(), 0, w.output());
    }
  }));
