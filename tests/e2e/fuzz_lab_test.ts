/**
 * Fuzz at scale, the CI size (issue 9 item 9; the 1 000 000 version is `deno task bench:fuzz`): in the namespace
 * lab (prefix `wkf-`), `weka run` (Dhcp4 + Dhcp6 + DhcpDdns, tests/e2e/fuzz_lab.ts) takes 50 000 mutated DHCPv4
 * queries with raw sockets, 50 000 mutated DHCPv6 queries and 50 000 mutated NCRs, then is restarted with udp
 * sockets and takes 50 000 DHCPv4 queries more. After each round: the process is alive, its control sockets
 * answer, no packet raised (pkt4/pkt6-processing-failed 0, no exception line in the log), dhclient -4 and -6 get
 * leases and a valid NCR gets its A record in BIND; RSS before and after is printed. Seed WEKA_FUZZ_SEED.
 */
import assert from "node:assert/strict";
import { labTest, scenarioSteps, until, writeConfig } from "./weka_proc.ts";
import type { LabProcess } from "./lab.ts";
import {
  command,
  dhclient,
  EXCEPTION_LINE,
  fuzzLabConfig,
  fuzzLabMissing,
  labBind,
  logTail,
  rssKiB,
  sendFuzz,
  settled,
  startWekaRun,
  stat,
  udpDrops,
} from "./fuzz_lab.ts";

const why = await fuzzLabMissing();
if (why) console.log(`skipping the fuzz lab test: ${why}`);
const SEED = Number(Deno.env.get("WEKA_FUZZ_SEED") ?? 20260901);
const N = 50_000;
const SEND_NCR = new URL("../fuzz/send_ncr.ts", import.meta.url).pathname;

labTest(
  `e2e fuzz: ${N} mutated DHCPv4 (raw, udp), DHCPv6 and NCR datagrams each; weka serves on (seed ${SEED})`,
  why,
  "wkf-",
  "wkf-fuzz-",
  async (t, lab, dir) => {
    const dig = await labBind(lab, dir);
    let weka: LabProcess | undefined;
    const step = scenarioSteps(t, async () => `weka:\n${weka?.output.slice(-2000) ?? ""}\nlog:\n${await logTail(dir)}`);
    const sock4 = `${dir}/ctrl4.sock`, sock6 = `${dir}/ctrl6.sock`;

    /** Alive, answering at once, no packet raised, no exception line; prints the round's figures. */
    const healthy = async (round: string, before: { rss: number; peak: number }) => {
      assert.equal(weka!.exited, false, "weka is still running");
      const t0 = performance.now();
      await command(sock4, "version-get");
      await command(sock6, "version-get");
      const answerMs = performance.now() - t0;
      assert.ok(answerMs < 2000, `the control sockets answered in ${answerMs.toFixed(0)} ms`);
      assert.equal(await stat(sock4, "pkt4-processing-failed"), 0);
      assert.equal(await stat(sock6, "pkt6-processing-failed"), 0);
      const log = await Deno.readTextFile(`${dir}/weka.log`);
      const bad = log.split("\n").filter((l) => EXCEPTION_LINE.test(l));
      assert.deepEqual(bad.slice(0, 5), [], "no exception reached a last resort");
      assert.doesNotMatch(weka!.output, EXCEPTION_LINE);
      const after = await rssKiB(weka!.pid);
      console.log(
        `${round}: RSS ${before.rss} KiB before, ${after.rss} KiB after (peak ${after.peak} KiB); control answered ` +
          `in ${answerMs.toFixed(0)} ms; pkt4-received ${await stat(sock4, "pkt4-received")}, pkt4-parse-failed ` +
          `${await stat(sock4, "pkt4-parse-failed")}, pkt4-sent ${await stat(
            sock4,
            "pkt4-sent",
          )}, v4-allocation-fail ` +
          `${await stat(sock4, "v4-allocation-fail")}, pkt6-received ${await stat(sock6, "pkt6-received")}, ` +
          `pkt6-sent ${await stat(sock6, "pkt6-sent")}`,
      );
      assert.ok(after.rss < 600 * 1024, `RSS stays bounded: ${after.rss} KiB`);
    };

    for (const socketType of ["raw", "udp"] as const) {
      let before = { rss: 0, peak: 0 };
      await step(`${socketType}: weka run starts`, async () => {
        const cfg = await writeConfig(dir, fuzzLabConfig(dir, socketType), `weka-${socketType}.json`);
        weka = await startWekaRun(lab, dir, cfg);
        before = await rssKiB(weka.pid);
      });
      await step(`${socketType}: ${N} mutated DHCPv4 queries (unicast and broadcast) are taken`, async () => {
        const dropsBefore = await udpDrops(lab, "srv1");
        const s = await sendFuzz(lab, "cli", "dhcp4", "198.18.0.1", 67, N, SEED + (socketType === "raw" ? 0 : 1));
        console.log(`dhcp4/${socketType}: sent ${s.sent} in ${s.ms} ms (${s.errors} send errors ${s.firstError})`);
        assert.equal(s.sent, N);
        const got = await settled(sock4, "pkt4-received");
        const drops = await udpDrops(lab, "srv1") - dropsBefore;
        console.log(`dhcp4/${socketType}: pkt4-received ${got}, UDP receive-buffer drops in srv1 ${drops}`);
        // every datagram that reached weka's socket was taken: what is missing, the kernel dropped when the socket
        // buffer was full (a loaded CI machine), never weka; and weka kept up with most of them
        assert.ok(got + drops >= N * 0.99, `pkt4-received ${got} + kernel drops ${drops} of ${N}`);
        assert.ok(got >= N * 0.5, `pkt4-received ${got} of ${N}`);
      });
      if (socketType === "raw") {
        await step(`${N} mutated DHCPv6 queries (multicast and relayed) are taken`, async () => {
          const s = await sendFuzz(lab, "relay", "dhcp6", "2001:db8:a::1", 547, N, SEED + 2);
          console.log(`dhcp6: sent ${s.sent} in ${s.ms} ms (${s.errors} send errors ${s.firstError})`);
          assert.ok(s.sent >= N * 0.99, `sent ${s.sent}`);
          const got = await settled(sock6, "pkt6-received");
          console.log(
            `dhcp6: pkt6-received ${got}, UDP receive-buffer drops in srv1 so far ${await udpDrops(lab, "srv1")}`,
          );
          // weka's DHCPv6 sockets are node:dgram, slower than the FFI ones: on a loaded machine some of a 10 000/s
          // flood is lost in the receive buffer (counted above); the test needs most of it to reach the engine
          assert.ok(got >= N * 0.5, `pkt6-received ${got} of ${N}`);
        });
        await step(`${N} mutated NCRs to D2 are taken`, async () => {
          const s = await sendFuzz(lab, "cli", "ncr", "198.18.0.1", 53001, N, SEED + 3);
          console.log(`ncr: sent ${s.sent} in ${s.ms} ms (${s.errors} send errors ${s.firstError})`);
          assert.ok(s.sent >= N * 0.99, `sent ${s.sent}`);
          await new Promise((r) => setTimeout(r, 2000));
        });
      }
      await step(`${socketType}: weka is alive, answers at once and raised nothing`, () => healthy(socketType, before));
      await step(`${socketType}: a real dhclient -4 gets a lease`, async () => {
        const r = await dhclient(lab, dir, "cli1", false, `dh4-${socketType}`);
        assert.ok(r.ok, r.output);
      });
      if (socketType === "raw") {
        await step("a real dhclient -6 gets a lease", async () => {
          const r = await dhclient(lab, dir, "cli1", true, "dh6");
          assert.ok(r.ok, r.output);
        });
        await step("a valid NCR after the flood gets its A record in BIND", async () => {
          const name = `after-fuzz-${SEED}.lab.test.`;
          await lab.check("cli", ["deno", "run", "-A", SEND_NCR, "198.18.0.1", "53001", name, "198.18.9.9"]);
          const a = await until(async () => (await dig(name, "A")).includes("198.18.9.9"), 30_000);
          assert.ok(a, `no A record for ${name}`);
        });
      }
      await step(`${socketType}: weka stops cleanly`, async () => {
        const status = await weka!.stop("SIGTERM", 20_000);
        assert.equal(status.code, 0, weka!.output.slice(-2000));
      });
    }
  },
);
