/**
 * Captures what real kea-dhcp6 2.2 does with the DDNS scenarios of scenarios6.ts, for kea_ncr6_test.ts to hold
 * weka to byte for byte: in the project's namespace lab (prefix `wkn6-`) kea-dhcp6 serves srv1's eth0 with each
 * configuration of CONFIGS6 and sends its NameChangeRequests to 198.18.0.111:53001, an address of cli1, where this
 * script (re-run inside cli1 in "client" mode) sends the scenarios' queries from [::]:546 to ff02::1:2 and reads
 * Kea's answers and NCRs. Writes tests/fixtures/dhcp6/kea_ncr6_<config>.json: Kea's server DUID and, per step,
 * the time, the queries, Kea's answers and the NCR JSON Kea sent. Needs root, iproute2, kea-dhcp6-server.
 *
 *   sudo deno run -A tests/dhcp6/ddns/capture_kea_ncr6.ts
 */
import dgram from "node:dgram";
import { Lab } from "../../e2e/lab.ts";
import { dhcp6Map, runScenarios6, type Under6 } from "./scenarios6.ts";
import { UdpSocket6 } from "../../../mod/net/udp6_socket.ts";
import { ifNameToIndex } from "../../../mod/net/libc.ts";
import { parseIpv6 } from "../../../mod/wire/ipv6.ts";

const OUT = new URL("../../fixtures/dhcp6/", import.meta.url).pathname;
const D2_IP = "198.18.0.111";

/** The driver inside cli1: real sockets towards Kea, NCRs on D2_IP:53001. */
async function client(): Promise<void> {
  const ncrs: string[] = [];
  const d2 = dgram.createSocket("udp4");
  d2.on("message", (m: Uint8Array) => ncrs.push(new TextDecoder().decode(m.subarray(2))));
  await new Promise<void>((r) => d2.bind(53001, D2_IP, () => r()));
  const ifindex = ifNameToIndex("eth0");
  const sock = UdpSocket6.open({ iface: "eth0", ifindex, port: 546 });
  const mcast = parseIpv6("ff02::1:2")!;
  const under: Under6 = {
    async ask(q) {
      sock.queue(q, mcast, 547, ifindex);
      sock.flush();
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        const got: { data: Uint8Array }[] = [];
        sock.drainInto(got as never, 1, 0);
        if (got.length) return got[0].data;
        await new Promise((r) => setTimeout(r, 5));
      }
      return undefined;
    },
    async ncrs() {
      await new Promise((r) => setTimeout(r, 400));
      return ncrs.splice(0);
    },
    wait: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Math.floor(Date.now() / 1000),
  };
  const steps = await runScenarios6(under);
  console.log(JSON.stringify(steps));
  sock.close();
  d2.close();
}

async function capture(): Promise<void> {
  const lab = await Lab.up("wkn6-");
  try {
    await new Promise((r) => setTimeout(r, 2500)); // usable link-local addresses
    await lab.check("cli1", ["ip", "addr", "add", `${D2_IP}/16`, "dev", "eth0"]);
    for (const which of ["listing", "alt"]) {
      const dir = await Deno.makeTempDir({ prefix: `wkn6-${which}-` });
      const cfg = {
        Dhcp6: {
          "interfaces-config": { interfaces: ["eth0"] },
          "lease-database": { type: "memfile", persist: true, name: `${dir}/kea-leases6.csv`, "lfc-interval": 0 },
          "data-directory": dir,
          ...dhcp6Map(which, D2_IP),
          loggers: [{
            name: "kea-dhcp6",
            output_options: [{ output: `${dir}/kea.log` }],
            severity: "DEBUG",
            debuglevel: 40,
          }],
        },
      };
      await Deno.writeTextFile(`${dir}/kea6.json`, JSON.stringify(cfg));
      const kea = lab.spawn("srv1", ["kea-dhcp6", "-c", `${dir}/kea6.json`], {
        env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      });
      await new Promise((r) => setTimeout(r, 2000));
      if (kea.exited) throw new Error(`kea-dhcp6 exited:\n${kea.output}`);
      const me = new URL(import.meta.url).pathname;
      const r = await lab.run("cli1", [Deno.execPath(), "run", "-A", me, "client"]);
      await kea.stop("SIGTERM", 5000);
      if (r.code !== 0) {
        const log = await Deno.readTextFile(`${dir}/kea.log`).catch(() => "");
        await Deno.writeTextFile("/tmp/kea-capture-failed.log", log);
        throw new Error(`the client failed:\n${r.stdout}\n${r.stderr}\n${log.slice(-3000)}`);
      }
      const steps = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      const serverDuid = (await Deno.readTextFile(`${dir}/kea-dhcp6-serverid`)).trim();
      const file = `${OUT}/kea_ncr6_${which}.json`;
      await Deno.writeTextFile(
        file,
        JSON.stringify({ kea: "kea-dhcp6 2.2.0 (Debian)", config: which, serverDuid, steps }, null, 1) + "\n",
      );
      console.log(
        `${file}: ${steps.length} steps, ${
          steps.reduce((n: number, s: { ncrs: string[] }) => n + s.ncrs.length, 0)
        } NCRs`,
      );
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    await lab.down();
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "client") await client();
  else await capture();
}
