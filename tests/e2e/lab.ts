/**
 * The project's own test network, built from Linux network namespaces with `ip` (iproute2) through Deno.Command:
 * a switch namespace holding three bridges (LAN A, B, C) and hosts plugged into them by veth pairs.
 *
 *   LAN A  br-a  198.18.0.0/16  srv1 eth0 .0.1, srv2 eth0 .0.2, dns eth0 .0.53, cli eth0 .0.100,
 *                               relay eth0 .0.254, cli1 eth0 (no address: a DHCP client's LAN A interface)
 *   LAN B  br-b  198.19.0.0/16  srv1 eth1 198.19.0.1, cli2 eth0 (no address)
 *   LAN C  br-c  198.20.0.0/16  relay eth1 198.20.0.1 (IPv4 forwarding on), cli3 eth0 (no address)
 *   srv1 and srv2 route 198.20.0.0/16 via the relay (198.18.0.254).
 *   IPv6: 2001:db8:a::/64, 2001:db8:b::/64, 2001:db8:c::/64 (srv1 ::1, srv2 ::2, dns ::53, relay ::fe on A and ::1
 *   on C; srv1 ::1 on B), no DAD; srv1 and srv2 route 2001:db8:c::/64 via 2001:db8:a::fe.
 *
 * Every namespace is `<prefix><host>` and gets its own /etc/netns/<ns>/resolv.conf BEFORE anything runs in it, so
 * a DHCP client's resolv.conf hook can never rewrite the machine's resolver, and every command runs in its own UTS
 * namespace, so its host-name hook cannot rename the machine; `lo` is up everywhere. veth pairs are
 * created inside the switch namespace and moved straight to the host, so no interface ever appears in the
 * machine's own namespace and two labs with different prefixes can run side by side.
 */
import { LabProcess } from "./lab_process.ts";

export { LabProcess };

/** Where each host is plugged: interface, bridge, optional IPv4 address with prefix length. */
export const LAB_LINKS: readonly { host: string; iface: string; bridge: string; addr?: string; addr6?: string }[] = [
  { host: "srv1", iface: "eth0", bridge: "br-a", addr: "198.18.0.1/16", addr6: "2001:db8:a::1/64" },
  { host: "srv1", iface: "eth1", bridge: "br-b", addr: "198.19.0.1/16", addr6: "2001:db8:b::1/64" },
  { host: "srv2", iface: "eth0", bridge: "br-a", addr: "198.18.0.2/16", addr6: "2001:db8:a::2/64" },
  { host: "dns", iface: "eth0", bridge: "br-a", addr: "198.18.0.53/16", addr6: "2001:db8:a::53/64" },
  { host: "cli", iface: "eth0", bridge: "br-a", addr: "198.18.0.100/16" },
  { host: "cli1", iface: "eth0", bridge: "br-a" },
  { host: "relay", iface: "eth0", bridge: "br-a", addr: "198.18.0.254/16", addr6: "2001:db8:a::fe/64" },
  { host: "relay", iface: "eth1", bridge: "br-c", addr: "198.20.0.1/16", addr6: "2001:db8:c::1/64" },
  { host: "cli2", iface: "eth0", bridge: "br-b" },
  { host: "cli3", iface: "eth0", bridge: "br-c" },
];

/** The hosts of the lab (the switch namespace "sw" is not a host). */
export const LAB_HOSTS: readonly string[] = [...new Set(LAB_LINKS.map((l) => l.host))];

const BRIDGES = ["br-a", "br-b", "br-c"];
const SWITCH = "sw";
const PATH_EXTRA = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function findIp(): string | undefined {
  for (const p of ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

/** Output of a finished command. */
export interface RunResult {
  code: number;
  success: boolean;
  stdout: string;
  stderr: string;
}

/** A built lab; see the module comment. */
export class Lab {
  readonly prefix: string;
  readonly #ip: string;
  readonly #procs = new Set<LabProcess>();
  readonly #children = new Set<Deno.ChildProcess>();
  #down = false;

  private constructor(prefix: string, ip: string) {
    this.prefix = prefix;
    this.#ip = ip;
  }

  /**
   * Why the lab cannot run here ("needs root…", "no `ip` command…"), or undefined when it can. Tests skip with
   * this message locally; CI runs as root, where it must be undefined.
   */
  static available(): string | undefined {
    if (Deno.build.os !== "linux") return `the namespace lab needs Linux (this is ${Deno.build.os})`;
    if (!findIp()) return "the namespace lab needs iproute2's `ip` command (apt-get install iproute2)";
    let uid: number | null = null;
    try {
      uid = Deno.uid();
    } catch { /* no --allow-sys */ }
    if (uid !== 0) return "the namespace lab needs root (network namespaces, veth, bridges); run the tests as root";
    return undefined;
  }

  /**
   * Builds the lab with namespaces named `<prefix><host>`, first removing any leftovers with that prefix. On
   * failure everything built so far is removed again and the error names the failing `ip` command.
   */
  static async up(prefix = "wkt-"): Promise<Lab> {
    const why = Lab.available();
    if (why) throw new Error(why);
    // WEKA_LAB_TAG (one letter or digit) keeps the labs of two checkouts tested at once on one machine apart
    const tag = Deno.env.get("WEKA_LAB_TAG") ?? "";
    if (tag) prefix = `${prefix.replace(/-$/, "")}${tag}-`;
    if (!/^[a-z0-9-]{1,8}$/.test(prefix)) throw new Error(`lab prefix '${prefix}' must be 1-8 of [a-z0-9-]`);
    const lab = new Lab(prefix, findIp()!);
    await lab.#removeAll();
    try {
      await lab.#build();
    } catch (e) {
      await lab.down();
      throw e;
    }
    return lab;
  }

  /** The namespace name of `host` ("wkt-srv1"). */
  ns(host: string): string {
    if (host !== SWITCH && !LAB_HOSTS.includes(host)) {
      throw new Error(`no host '${host}' in the lab; hosts: ${LAB_HOSTS.join(", ")}`);
    }
    return this.prefix + host;
  }

  /**
   * Starts `cmd` inside `host` (`ip netns exec`) and returns the child (tracked: killed by down()). stdin is null;
   * stdout and stderr are piped unless `opts` says otherwise, so read them (e.g. `await child.output()`).
   */
  exec(host: string, cmd: string[], opts: Deno.CommandOptions = {}): Deno.ChildProcess {
    if (this.#down) throw new Error("the lab is down");
    const child = new Deno.Command(this.#ip, {
      // each command also gets its own UTS namespace: a DHCP client's script that sets the host name (from option
      // 12 of its lease) must not rename the machine the lab runs on (unshare execs the command: the pid stays)
      args: ["netns", "exec", this.ns(host), "unshare", "--uts", "--", ...cmd],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      ...opts,
      env: { PATH: PATH_EXTRA, ...opts.env },
    }).spawn();
    this.#children.add(child);
    child.status.then(() => this.#children.delete(child), () => this.#children.delete(child));
    return child;
  }

  /** Runs `cmd` in `host` to completion and returns its exit code and text output. */
  async run(host: string, cmd: string[], opts: Deno.CommandOptions = {}): Promise<RunResult> {
    const o = await this.exec(host, cmd, opts).output();
    const dec = new TextDecoder();
    return { code: o.code, success: o.success, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
  }

  /** Runs `cmd` in `host` and returns its stdout; throws with the command and its stderr when it fails. */
  async check(host: string, cmd: string[], opts: Deno.CommandOptions = {}): Promise<string> {
    const r = await this.run(host, cmd, opts);
    if (!r.success) {
      throw new Error(`[${host}] ${cmd.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    }
    return r.stdout;
  }

  /**
   * Starts a long-running `cmd` in `host` and returns a handle that collects its output, can wait for a line
   * and can be stopped; down() stops every handle still running.
   */
  spawn(host: string, cmd: string[], opts: Deno.CommandOptions = {}): LabProcess {
    const p = new LabProcess(host, cmd, this.exec(host, cmd, { ...opts, stdout: "piped", stderr: "piped" }));
    this.#procs.add(p);
    p.status.then(() => this.#procs.delete(p), () => this.#procs.delete(p));
    return p;
  }

  /** The MAC address of `iface` in `host`, lower-case colon hex ("aa:bb:cc:dd:ee:ff"). */
  async mac(host: string, iface: string): Promise<string> {
    return (await this.#link(host, iface)).address as string;
  }

  /** The interface index of `iface` in `host`. */
  async ifindex(host: string, iface: string): Promise<number> {
    return (await this.#link(host, iface)).ifindex as number;
  }

  async #link(host: string, iface: string): Promise<Record<string, unknown>> {
    const out = await this.#ipRun(["-n", this.ns(host), "-j", "link", "show", "dev", iface]);
    const [link] = JSON.parse(out) as Record<string, unknown>[];
    if (!link) throw new Error(`no interface ${iface} in lab host ${host}`);
    return link;
  }

  /**
   * Stops every process the lab started (SIGTERM, then SIGKILL), kills whatever still runs inside its namespaces,
   * deletes every namespace with the prefix and their /etc/netns directories. Safe to call twice.
   */
  async down(): Promise<void> {
    this.#down = true;
    await Promise.all([...this.#procs].map((p) => p.stop("SIGTERM", 1500)));
    for (const c of this.#children) {
      try {
        c.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await Promise.allSettled([...this.#children].map((c) => c.status));
    await this.#removeAll();
  }

  async #removeAll(): Promise<void> {
    const list = await this.#ipRun(["-j", "netns", "list"]).catch(() => "[]");
    const names = (JSON.parse(list.trim() || "[]") as { name: string }[])
      .map((n) => n.name).filter((n) => n.startsWith(this.prefix));
    for (const ns of names) {
      // processes still inside (daemonized clients, children of killed ones): kill them so nothing outlives the lab
      const pids = await this.#ipRun(["netns", "pids", ns]).catch(() => "");
      for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await this.#ipRun(["netns", "del", ns]).catch(() => "");
    }
    try {
      for (const e of Deno.readDirSync("/etc/netns")) {
        if (e.name.startsWith(this.prefix)) Deno.removeSync(`/etc/netns/${e.name}`, { recursive: true });
      }
    } catch { /* no /etc/netns */ }
  }

  async #addNamespace(host: string): Promise<void> {
    const ns = this.ns(host);
    // resolv.conf first: `ip netns exec` bind-mounts it over /etc/resolv.conf, so clients never touch the host's
    Deno.mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    Deno.writeTextFileSync(`/etc/netns/${ns}/resolv.conf`, "");
    await this.#ipRun(["netns", "add", ns]);
    await this.#ipRun(["-n", ns, "link", "set", "lo", "up"]);
  }

  async #build(): Promise<void> {
    const sw = this.ns(SWITCH);
    await this.#addNamespace(SWITCH);
    for (const br of BRIDGES) {
      await this.#ipRun([
        "-n",
        sw,
        "link",
        "add",
        br,
        "type",
        "bridge",
        "forward_delay",
        "0",
        "stp_state",
        "0",
        "mcast_snooping",
        "0",
      ]);
      await this.#ipRun(["-n", sw, "link", "set", br, "up"]);
    }
    for (const host of LAB_HOSTS) await this.#addNamespace(host);
    for (const l of LAB_LINKS) {
      const ns = this.ns(l.host), port = `${l.host}-${l.iface}`;
      await this.#ipRun(["-n", sw, "link", "add", port, "type", "veth", "peer", "name", l.iface, "netns", ns]);
      await this.#ipRun(["-n", sw, "link", "set", port, "master", l.bridge, "up"]);
      if (l.addr) await this.#ipRun(["-n", ns, "addr", "add", l.addr, "dev", l.iface]);
      if (l.addr6) await this.#ipRun(["-n", ns, "-6", "addr", "add", l.addr6, "dev", l.iface, "nodad"]);
      await this.#ipRun(["-n", ns, "link", "set", l.iface, "up"]);
    }
    // the relay forwards between LAN A and LAN C (inside its own namespace: sysctls there are per namespace)
    await this.check("relay", ["sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]);
    for (const srv of ["srv1", "srv2"]) {
      await this.#ipRun(["-n", this.ns(srv), "route", "add", "198.20.0.0/16", "via", "198.18.0.254"]);
      await this.#ipRun(["-n", this.ns(srv), "-6", "route", "add", "2001:db8:c::/64", "via", "2001:db8:a::fe"]);
    }
  }

  async #ipRun(args: string[]): Promise<string> {
    const o = await new Deno.Command(this.#ip, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    if (!o.success) throw new Error(`ip ${args.join(" ")} failed: ${dec.decode(o.stderr).trim()}`);
    return dec.decode(o.stdout);
  }
}
