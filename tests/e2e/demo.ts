/**
 * `sudo deno task demo`: builds a private namespace lab (namespaces `wkdemo-*`; nothing of the machine's own network
 * is touched), runs `weka dhcp4 -c config/demo.json` in its server host, lets a real DHCP client take a lease on
 * LAN A, prints the client's address and weka's lease table, and tears everything down.
 */
import { Lab } from "./lab.ts";
import { MAIN } from "./weka_proc.ts";

const CONFIG = new URL("../../config/demo.json", import.meta.url).pathname;
const say = (s: string) => console.log(`\n== ${s}`);

function which(cmd: string): boolean {
  for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return true;
    } catch { /* not here */ }
  }
  return false;
}

async function demo(): Promise<number> {
  const why = Lab.available();
  if (why) {
    console.error(`weka demo: ${why}. Run it as: sudo deno task demo`);
    return 1;
  }
  const client = which("dhclient") ? "dhclient" : which("udhcpc") ? "udhcpc" : undefined;
  if (!client) {
    console.error(
      "weka demo: no DHCP client found. Install one of the Debian packages isc-dhcp-client (dhclient) or udhcpc:\n" +
        "  sudo apt-get install isc-dhcp-client",
    );
    return 1;
  }
  const repo = new URL("../../", import.meta.url).pathname;
  const tmp = await Deno.makeTempDir({ prefix: "weka-demo-" });
  for (const f of await Array.fromAsync(Deno.readDir(`${repo}.lab`)).catch(() => [])) {
    if (f.name.startsWith("demo-leases4.kv")) await Deno.remove(`${repo}.lab/${f.name}`);
  }
  say("building the demo lab: hosts srv1 (198.18.0.1 on LAN A) and cli1 (no address), namespaces wkdemo-*");
  const lab = await Lab.up("wkdemo-");
  try {
    say(`starting: weka dhcp4 -c config/demo.json (in host srv1)`);
    const weka = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "dhcp4", "-c", CONFIG], { cwd: repo });
    await weka.waitFor(/DHCP4_STARTED/, 30_000);
    console.log(weka.output.trim());

    const mac = await lab.mac("cli1", "eth0");
    say(`a real DHCP client (${client}) on host cli1, MAC ${mac}, asks for a lease`);
    const cmd = client === "dhclient"
      ? [
        "timeout",
        "30",
        "dhclient",
        "-4",
        "-v",
        "-1",
        "-pf",
        `${tmp}/dhclient.pid`,
        "-lf",
        `${tmp}/dhclient.leases`,
        "eth0",
      ]
      : ["timeout", "30", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5"];
    const r = await lab.run("cli1", cmd);
    console.log((r.stdout + r.stderr).split("\n").filter((l) => /DHCP|lease|bound|udhcpc/i.test(l)).join("\n"));
    if (r.code !== 0) {
      console.error(`weka demo: the client did not get a lease (exit ${r.code}); weka said:\n${weka.output}`);
      return 1;
    }
    say("the client's interface now");
    console.log((await lab.check("cli1", ["ip", "-4", "-br", "addr", "show", "eth0"])).trim());

    say("what weka logged");
    const shown = weka.output.split("\n").filter((l) => /DHCP4_LEASE|DHCP4_PACKET/.test(l));
    console.log(shown.join("\n"));

    say("the lease table: weka leases list -c config/demo.json");
    const list = await new Deno.Command("deno", {
      args: ["run", "-A", MAIN, "leases", "list", "-c", CONFIG],
      cwd: repo,
    }).output();
    console.log(new TextDecoder().decode(list.stdout).trim());
    if (client === "dhclient") await lab.run("cli1", ["dhclient", "-4", "-x", "-pf", `${tmp}/dhclient.pid`, "eth0"]);
    await weka.stop();
    return 0;
  } finally {
    say("tearing the lab down");
    await lab.down();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    console.log("done: no namespace wkdemo-* is left.");
  }
}

Deno.exit(await demo());
