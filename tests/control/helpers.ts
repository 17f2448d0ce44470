/**
 * Test helpers for the control channel: a fake ControlContext over a real KvLeaseStore, a tiny relayed DHCP client
 * on loopback (DISCOVER → OFFER → REQUEST → ACK with giaddr set, so the server selects a subnet), and a weka
 * process started in its no-root test mode (`weka dhcp4 -c FILE --port P`). Tests only.
 */
import { resolve } from "node:path";
import { kvFiles } from "../../mod/control/safe_write.ts";
import dgram from "node:dgram";
import { decode4, encode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt, type Packet4 } from "../../mod/packet4/packet.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { ControlContext } from "../../mod/control/context.ts";
import { DhcpState } from "../../mod/control/dhcp_state.ts";
import type { Timers } from "../../mod/clock/timers.ts";
import { KvLeaseStore } from "../../mod/lease/kv_store.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { formatIpv4, ipv4Bytes, parseHex, parseIpv4 } from "../../mod/wire/addr.ts";
import type { Dhcp4Config } from "../../mod/config/model.ts";

export const REPO = new URL("../../", import.meta.url).pathname;

/** A minimal Dhcp4 document: subnet 1 = 198.18.0.0/16 (pool .1.100-.1.199), subnet 2 = 198.19.0.0/16. */
export function testDoc(extra: Record<string, unknown> = {}, leasePath = ":memory:"): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["lo"] },
      "lease-database": { type: "kv", name: leasePath },
      "valid-lifetime": 600,
      "subnet4": [
        { id: 1, subnet: "198.18.0.0/16", pools: [{ pool: "198.18.1.100 - 198.18.1.199" }] },
        { id: 2, subnet: "198.19.0.0/16", pools: [{ pool: "198.19.1.100 - 198.19.1.199" }] },
      ],
      ...extra,
    },
  };
}

/** Compiles a document (throws the loader's ConfigError). */
export function compileDoc(doc: Record<string, unknown>): Dhcp4Config {
  return parseConfigText(JSON.stringify(doc), "test.json", () => "").dhcp4!;
}

/** Fake timers: `fire()` runs every pending callback. */
export class FakeTimers implements Timers {
  pending = new Map<number, [() => void, number]>();
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    this.pending.set(this.next, [fn, ms]);
    return this.next++;
  }
  clearTimeout(id: unknown): void {
    this.pending.delete(id as number);
  }
  fire(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const [fn] of all) fn();
  }
}

/** A context with a real KV store; records shutdowns, writes, enable flips and reloads. */
export interface TestContext extends ControlContext {
  store: KvLeaseStore;
  written: Map<string, string>;
  shutdowns: number[];
  enabledFlips: boolean[];
  timers: FakeTimers;
  clock: { ms: number };
  setConfig(doc: Record<string, unknown>): void;
}

/** Builds a TestContext over `doc` (lease database: `leasePath`, default in memory). */
export async function testContext(doc = testDoc(), leasePath = ":memory:"): Promise<TestContext> {
  const store = await KvLeaseStore.open(leasePath);
  let current = compileDoc(doc);
  let currentDoc = doc;
  const timers = new FakeTimers();
  const enabledFlips: boolean[] = [];
  const clock = { ms: 1_700_000_000_000 };
  const ctx: TestContext = {
    stats: new Stats(() => clock.ms),
    store,
    dhcpState: new DhcpState((e) => enabledFlips.push(e), timers),
    config: () => current,
    configDoc: () => currentDoc,
    configFile: "/etc/weka/weka.json",
    checkDoc: (d) => parseConfigText(JSON.stringify(d), "<command>", () => ""),
    applyConfig: (loaded) => {
      if (loaded.dhcp4!.lease.path !== current.lease.path) throw new Error("the lease database cannot change");
      current = loaded.dhcp4!;
      currentDoc = loaded.raw;
      return Promise.resolve();
    },
    reloadFile: () => Promise.reject(new Error("cannot read the configuration: no such file")),
    writeTextFile: (p, t) => {
      ctx.written.set(p, t);
      return Promise.resolve();
    },
    // a lexical file system: every directory exists, nothing is a symlink (tests/control/safe_write_test.ts uses
    // the real one)
    fs: { realPath: (p) => Promise.resolve(resolve(p)), isSymlink: () => Promise.resolve(false) },
    liveFiles:
      () => [{ path: "/etc/weka/weka.json", what: "the running configuration" }, ...kvFiles(current.lease.path)],
    reclaim: () => Promise.resolve({ reclaimed: 0 }),
    shutdown: (v) => ctx.shutdowns.push(v),
    now: () => clock.ms,
    startedAt: clock.ms - 5000,
    reloadedAt: () => clock.ms - 2000,
    pid: 4242,
    version: "0.1.0",
    buildReport: "weka 0.1.0\nbuild report",
    socketsStatus: () => ({ status: "ready" }),
    written: new Map(),
    shutdowns: [],
    enabledFlips,
    timers,
    clock,
    setConfig: (d) => {
      current = compileDoc(d);
      currentDoc = d;
    },
  };
  return ctx;
}

function query(type: number, mac: string, xid: number, giaddr: number, requested?: number, serverId?: Uint8Array) {
  const chaddr = new Uint8Array(16);
  chaddr.set(parseHex(mac)!);
  const options = new Map<number, Uint8Array>([[Opt.MESSAGE_TYPE, Uint8Array.of(type)]]);
  if (requested !== undefined) options.set(Opt.REQUESTED_ADDRESS, ipv4Bytes(requested));
  if (serverId) options.set(Opt.SERVER_ID, serverId);
  const p: Packet4 = {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 1,
    xid,
    secs: 0,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr,
    chaddr,
    sname: "",
    file: "",
    options,
  };
  return encode4(p);
}

/**
 * A relayed DHCP client on 127.0.0.1:(serverPort+1) (where the loopback transport sends replies). `dora` runs a
 * whole DISCOVER/REQUEST exchange and resolves with the ACKed address, or undefined when no ACK came in time.
 */
export class RelayClient {
  private readonly sock = dgram.createSocket("udp4");
  private waiters = new Map<number, (p: Packet4) => void>();
  private xid = Math.floor(Math.random() * 0xffff) << 8;

  private constructor(private readonly serverPort: number) {
    this.sock.on("message", (msg) => {
      try {
        const p = decode4(new Uint8Array(msg));
        this.waiters.get(p.xid)?.(p);
      } catch { /* not DHCP */ }
    });
  }

  /** Binds 127.0.0.1:(serverPort+1). */
  static async open(serverPort: number): Promise<RelayClient> {
    const c = new RelayClient(serverPort);
    await new Promise<void>((r) => c.sock.bind(serverPort + 1, "127.0.0.1", () => r()));
    return c;
  }

  private exchange(bytes: Uint8Array, xid: number, timeoutMs: number): Promise<Packet4 | undefined> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters.delete(xid);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(xid, (p) => {
        clearTimeout(t);
        this.waiters.delete(xid);
        resolve(p);
      });
      this.sock.send(bytes, this.serverPort, "127.0.0.1");
    });
  }

  /** DISCOVER → OFFER → REQUEST → ACK through relay `giaddr`; the ACKed address (dotted) or undefined. */
  async dora(mac: string, giaddr = "198.18.0.254", timeoutMs = 2000): Promise<string | undefined> {
    const gi = parseIpv4(giaddr)!;
    const xid = ++this.xid;
    const offer = await this.exchange(query(MsgType.DISCOVER, mac, xid, gi), xid, timeoutMs);
    if (!offer || offer.options.get(Opt.MESSAGE_TYPE)?.[0] !== MsgType.OFFER) return undefined;
    const ack = await this.exchange(
      query(MsgType.REQUEST, mac, xid, gi, offer.yiaddr, offer.options.get(Opt.SERVER_ID)),
      xid,
      timeoutMs,
    );
    if (!ack || ack.options.get(Opt.MESSAGE_TYPE)?.[0] !== MsgType.ACK) return undefined;
    return formatIpv4(ack.yiaddr);
  }

  close(): void {
    this.sock.close();
  }
}

/** A free TCP/UDP port number on loopback (bind to 0 and release). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const p = (l.addr as Deno.NetAddr).port;
  l.close();
  return p;
}

/** A weka server process in its no-root test mode; `output` collects stdout+stderr. */
export class WekaProcess {
  output = "";
  private readonly child: Deno.ChildProcess;
  private readonly done: Promise<void>;
  readonly status: Promise<Deno.CommandStatus>;

  /** `prefix`: a command the server runs under, e.g. `["prlimit", "--nofile=256", "--"]` */
  constructor(configPath: string, port: number, prefix: string[] = []) {
    const argv = [Deno.execPath(), "run", "-A", `${REPO}main.ts`, "dhcp4", "-c", configPath, "--port", String(port)];
    const all = [...prefix, ...argv];
    this.child = new Deno.Command(all[0], {
      args: all.slice(1),
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const dec = new TextDecoder();
    const pump = async (s: ReadableStream<Uint8Array>) => {
      for await (const c of s) this.output += dec.decode(c, { stream: true });
    };
    this.done = Promise.all([pump(this.child.stdout), pump(this.child.stderr)]).then(() => {});
    this.status = this.child.status;
  }

  /** Waits until the output matches `re` (throws with the output after `ms`). */
  async waitFor(re: RegExp, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.output)) {
      if (Date.now() > end) throw new Error(`timeout waiting for ${re}; output:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Sends `sig` and waits for the exit; returns the exit code. */
  async stop(sig: Deno.Signal = "SIGTERM"): Promise<number> {
    try {
      this.child.kill(sig);
    } catch { /* gone */ }
    const s = await this.child.status;
    await this.done;
    return s.code;
  }
}

/** Which of `paths` this machine lacks (a Kea daemon, its hook libraries), for a test's skip message. */
export function missingFiles(paths: string[]): string[] {
  return paths.filter((p) => {
    try {
      Deno.statSync(p);
      return false;
    } catch {
      return true;
    }
  });
}

/** Polls `ok` every 100 ms (a rejection counts as not yet) until it is true; throws after `ms`. */
export async function waitUntil(ok: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not answer in time");
}
