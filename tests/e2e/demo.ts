/**
 * `sudo deno task demo [--keep]`: builds a private namespace lab (namespaces `wkdemo-*`; nothing of the machine's
 * own network is touched), runs `weka run -c config/demo.json` (Dhcp4 + DhcpDdns in one process) in its server
 * host and, when BIND is installed, a private BIND for demo.weka.test in its dns host. A real DHCP client takes a
 * lease on LAN A sending its name; the demo prints the lease table (asked over the control socket), the A and PTR
 * records `dig` finds, the status page's URL (fetched once from the client host) and the `weka status` summary,
 * then tears everything down (`--keep`: after Ctrl-C). Without BIND the demo serves without DDNS and names the
 * Debian packages that add it.
 */
import { parse } from "jsonc-parser";
import { Lab } from "./lab.ts";
import { MAIN, until } from "./weka_proc.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const CONFIG = `${REPO}config/demo.json`;
const ZONE = "demo.weka.test", DNS = "198.18.0.53", NAME = "demo-laptop";
const URL_ = "http://198.18.0.1:8000/";
const say = (s: string) => console.log(`\n== ${s}`);

function which(cmd: string): boolean {
  for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return true;
    } catch { /* not here */ }
  }
  return false;
}

/** named.conf and the two zones for the demo's key (the TSIG key of config/demo.json). */
// deno-lint-ignore no-explicit-any
async function bindFiles(dir: string, doc: Record<string, any>): Promise<string> {
  const key = doc.DhcpDdns["tsig-keys"][0];
  let conf = `options { directory "${dir}"; listen-on port 53 { ${DNS}; }; listen-on-v6 { none; };
  pid-file "${dir}/named.pid"; recursion no; dnssec-validation no; allow-query { any; }; notify no; };
controls { };
key "${key.name}" { algorithm ${String(key.algorithm).toLowerCase()}; secret "${key.secret}"; };\n`;
  for (const z of [ZONE, "18.198.in-addr.arpa"]) {
    conf += `zone "${z}" { type primary; file "${dir}/${z}.zone"; allow-update { key "${key.name}"; }; };\n`;
    await Deno.writeTextFile(
      `${dir}/${z}.zone`,
      `$TTL 300\n@ IN SOA ns.${ZONE}. hostmaster.${ZONE}. 1 3600 600 86400 300\n@ IN NS ns.${ZONE}.\n` +
        (z === ZONE ? `ns IN A ${DNS}\n` : ""),
    );
  }
  await Deno.writeTextFile(`${dir}/named.conf`, conf);
  return `${dir}/named.conf`;
}

async function weka(args: string[]): Promise<string> {
  const o = await new Deno.Command("deno", { args: ["run", "-A", MAIN, ...args], cwd: REPO }).output();
  const dec = new TextDecoder();
  return (dec.decode(o.stdout) + dec.decode(o.stderr)).trim();
}

async function demo(keep: boolean): Promise<number> {
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
  // WEKA_DEMO_BIND=0 runs the demo as on a machine without BIND (tests/appliance/demo_test.ts)
  const bind = which("named") && which("dig") && Deno.env.get("WEKA_DEMO_BIND") !== "0";
  const tmp = await Deno.makeTempDir({ prefix: "weka-demo-" });
  await Deno.chmod(tmp, 0o755);
  await Deno.mkdir(`${REPO}.lab`, { recursive: true });
  for (const f of await Array.fromAsync(Deno.readDir(`${REPO}.lab`)).catch(() => [])) {
    if (f.name.startsWith("demo-leases4.kv")) await Deno.remove(`${REPO}.lab/${f.name}`);
  }
  // deno-lint-ignore no-explicit-any
  const doc = parse(await Deno.readTextFile(CONFIG)) as Record<string, any>;
  let config = CONFIG;
  if (!bind) {
    console.log(
      "weka demo: BIND is not installed, so this run shows no DNS names. The Debian packages bind9 (named) and " +
        "bind9-dnsutils (dig) add them:\n  sudo apt-get install bind9 bind9-dnsutils",
    );
    delete doc.DhcpDdns;
    doc.Dhcp4["dhcp-ddns"] = { "enable-updates": false };
    config = `${tmp}/demo-no-ddns.json`;
    await Deno.writeTextFile(config, JSON.stringify(doc, null, 2));
  }
  say(`building the demo lab: srv1 (198.18.0.1), dns (${DNS}) and cli1 (no address) on LAN A, namespaces wkdemo-*`);
  const lab = await Lab.up("wkdemo-");
  try {
    let dig = (_n: string, _t: string) => Promise.resolve([] as string[]);
    if (bind) {
      say(
        `starting a private BIND for ${ZONE} and 18.198.in-addr.arpa in host dns (TSIG key ${
          doc.DhcpDdns["tsig-keys"][0].name
        })`,
      );
      const named = lab.spawn("dns", ["named", "-g", "-c", await bindFiles(tmp, doc), "-n", "1"]);
      dig = async (name: string, type: string) => {
        const r = await lab.run("dns", ["dig", "+short", "+time=1", "+tries=1", `@${DNS}`, name, type]);
        return r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
      };
      if (!await until(async () => (await dig(ZONE, "SOA")).length > 0, 10_000)) {
        console.error(`weka demo: BIND did not start:\n${named.output}`);
        return 1;
      }
    }
    const shown = config === CONFIG ? "config/demo.json" : "config/demo.json without DDNS";
    say(`starting: weka run -c ${shown} (in host srv1)`);
    const w = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "run", "-c", config], { cwd: REPO });
    await w.waitFor(/DHCP4_STARTED/, 30_000);
    console.log(w.output.trim());

    const mac = await lab.mac("cli1", "eth0");
    say(`a real DHCP client (${client}) on host cli1, MAC ${mac}, asks for a lease as "${NAME}"`);
    await Deno.writeTextFile(`${tmp}/dhclient.conf`, `send host-name "${NAME}";\n`);
    const cmd = client === "dhclient"
      ? [
        "timeout",
        "30",
        "dhclient",
        "-4",
        "-v",
        "-1",
        "-cf",
        `${tmp}/dhclient.conf`,
        "-pf",
        `${tmp}/dhclient.pid`,
        "-lf",
        `${tmp}/dhclient.leases`,
        "eth0",
      ]
      : ["timeout", "30", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-x", `hostname:${NAME}`];
    const r = await lab.run("cli1", cmd);
    console.log((r.stdout + r.stderr).split("\n").filter((l) => /DHCP|lease|bound|udhcpc/i.test(l)).join("\n"));
    if (r.code !== 0) {
      console.error(`weka demo: the client did not get a lease (exit ${r.code}); weka said:\n${w.output}`);
      return 1;
    }
    say("the client's interface now");
    const addr = (await lab.check("cli1", ["ip", "-4", "-br", "addr", "show", "eth0"])).trim();
    console.log(addr);
    const ip = /(\d+\.\d+\.\d+\.\d+)\//.exec(addr)?.[1] ?? "";

    say("the lease table: weka leases list -c config/demo.json (asked over the control socket)");
    console.log(await weka(["leases", "list", "-c", config]));

    if (bind) {
      say(`DNS: dig @${DNS} ${NAME}.${ZONE} A, and the PTR of ${ip}`);
      const fqdn = `${NAME}.${ZONE}`, rev = ip.split(".").reverse().join(".") + ".in-addr.arpa";
      await until(async () => (await dig(fqdn, "A")).length > 0 && (await dig(rev, "PTR")).length > 0, 10_000);
      console.log(`${fqdn}. A   ${(await dig(fqdn, "A")).join(" ") || "(none)"}`);
      console.log(`${rev}. PTR ${(await dig(rev, "PTR")).join(" ") || "(none)"}`);
    }

    say("what weka logged about it");
    console.log(w.output.split("\n").filter((l) => /DHCP4_LEASE_ALLOC|DHCP_DDNS_ADD|NCR|DDNS/.test(l)).join("\n"));

    say(`the status page: ${URL_} (user admin, password demo; reachable inside the lab, e.g. from host cli1)`);
    const page = await lab.run("cli1", [
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %{content_type} %{size_download} bytes",
      "-u",
      "admin:demo",
      URL_,
    ]);
    console.log(`GET ${URL_} from cli1: ${page.stdout || page.stderr}`);
    console.log(
      `open it in a browser inside the lab: sudo ip netns exec ${lab.ns("cli1")} chromium --no-sandbox ${URL_}`,
    );

    say("weka status -c config/demo.json");
    console.log(await weka(["status", "-c", config]));

    if (keep) {
      say("the lab stays up until Ctrl-C");
      await new Promise<void>((resolve) => Deno.addSignalListener("SIGINT", () => resolve()));
    }
    if (client === "dhclient") {
      await lab.run("cli1", [
        "dhclient",
        "-4",
        "-r",
        "-cf",
        `${tmp}/dhclient.conf`,
        "-pf",
        `${tmp}/dhclient.pid`,
        "-lf",
        `${tmp}/dhclient.leases`,
        "eth0",
      ]);
    }
    await w.stop();
    return 0;
  } finally {
    say("tearing the lab down");
    await lab.down();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    console.log("done: no namespace wkdemo-* is left.");
  }
}

Deno.exit(await demo(Deno.args.includes("--keep")));
