/**
 * Test harness: a real BIND 9 (Debian `named`) on a loopback address and a high port, with TSIG-signed dynamic
 * updates allowed for a forward zone and two reverse zones. Started and stopped by the tests themselves; only
 * loopback traffic. Skips cleanly (returns undefined) when named is not installed or we are not root.
 */

/** Keys the harness configures (name → [BIND algorithm, base64 secret]). */
export const BIND_KEYS: Record<string, [string, string]> = {
  "ddns-md5": ["hmac-md5", "pjGqiQBjQUXELdUyP4lPzA=="],
  "ddns-sha1": ["hmac-sha1", "c2hhMS1rZXktZm9yLXdla2EtdGVzdHM="],
  "ddns-sha224": ["hmac-sha224", "c2hhMjI0LWtleS1mb3Itd2VrYS10ZXN0cw=="],
  "ddns-sha256": ["hmac-sha256", "9v5Ow6Jm0pSPlW8aQ4b3Uzt9Jm7X0ENrGHrU9SnmLkA="],
  "ddns-sha384": ["hmac-sha384", "c2hhMzg0LWtleS1mb3Itd2VrYS10ZXN0cy1sb25nZXI="],
  "ddns-sha512": ["hmac-sha512", "c2hhNTEyLWtleS1mb3Itd2VrYS10ZXN0cy1ldmVuLWxvbmdlcg=="],
  "ddns-sha256-128": ["hmac-sha256-128", "9v5Ow6Jm0pSPlW8aQ4b3Uzt9Jm7X0ENrGHrU9SnmLkA="],
};

export const BIND_ZONES = ["lab.test", "18.198.in-addr.arpa", "a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"];

export interface BindServer {
  dir: string;
  addr: string;
  port: number;
  /** runs dig against the server; returns the +short answer lines */
  dig(name: string, type: string): Promise<string[]>;
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return { code: o.code, out: new TextDecoder().decode(o.stdout), err: new TextDecoder().decode(o.stderr) };
}

/** True when a real BIND can be started here (named present, running as root). */
export async function bindAvailable(): Promise<boolean> {
  try {
    if (Deno.uid() !== 0) return false;
    return (await run("named", ["-V"])).code === 0;
  } catch {
    return false;
  }
}

/**
 * Starts named on addr:port with the zones and keys above; waits until it answers SOA queries. `parent` is where its
 * directory (zones, journals) is made: a benchmark puts it on tmpfs so that the disk's fsync is not what it measures.
 */
export async function startBind(addr = "127.0.0.1", port = 15353, parent?: string): Promise<BindServer> {
  const dir = await Deno.makeTempDir({ prefix: "wkd-bind-", dir: parent });
  let conf = `options { directory "${dir}"; listen-on port ${port} { ${addr}; }; listen-on-v6 { none; };
  pid-file "${dir}/named.pid"; recursion no; dnssec-validation no; allow-query { any; }; notify no; };\n`;
  conf += `controls { };\n`;
  for (const [name, [alg, secret]] of Object.entries(BIND_KEYS)) {
    conf += `key "${name}" { algorithm ${alg}; secret "${secret}"; };\n`;
  }
  const keys = Object.keys(BIND_KEYS).map((k) => `key "${k}";`).join(" ");
  for (const z of BIND_ZONES) {
    conf += `zone "${z}" { type primary; file "${dir}/${z}.zone"; allow-update { ${keys} }; };\n`;
    let zone = `$TTL 300\n@ IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n@ IN NS ns.lab.test.\n`;
    if (z === "lab.test") zone += `ns IN A ${addr}\n`;
    await Deno.writeTextFile(`${dir}/${z}.zone`, zone);
  }
  await Deno.writeTextFile(`${dir}/named.conf`, conf);
  const child = new Deno.Command("named", {
    args: ["-g", "-c", `${dir}/named.conf`, "-n", "1"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const logDone = child.stderr.pipeTo((await Deno.open(`${dir}/named.log`, { write: true, create: true })).writable);
  const dig = async (name: string, type: string) => {
    const r = await run("dig", ["+short", "+time=1", "+tries=1", "-p", String(port), `@${addr}`, name, type]);
    return r.out.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  };
  const server: BindServer = {
    dir,
    addr,
    port,
    dig,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await logDone.catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  for (let i = 0; i < 100; i++) {
    if ((await dig("lab.test", "SOA")).length) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  const log = await Deno.readTextFile(`${dir}/named.log`).catch(() => "");
  await server.stop();
  throw new Error(`named did not answer on ${addr}:${port}:\n${log}`);
}

/**
 * A DhcpDdns configuration for the test BIND on 127.0.0.1:`dnsPort`: the MD5 key for lab.test., the SHA256 key for
 * 18.198.in-addr.arpa., NCRs on 127.0.0.1:`ncrPort`; `logger` is the one `loggers` entry.
 */
export function labD2Config(ncrPort: number, dnsPort: number, logger: Record<string, unknown>, extra = {}) {
  const server = [{ "ip-address": "127.0.0.1", port: dnsPort }];
  return {
    DhcpDdns: {
      "ip-address": "127.0.0.1",
      port: ncrPort,
      ...extra,
      "tsig-keys": [
        { name: "ddns-md5", algorithm: "HMAC-MD5", secret: BIND_KEYS["ddns-md5"][1] },
        { name: "ddns-sha256", algorithm: "HMAC-SHA256", secret: BIND_KEYS["ddns-sha256"][1] },
      ],
      "forward-ddns": { "ddns-domains": [{ name: "lab.test.", "key-name": "ddns-md5", "dns-servers": server }] },
      "reverse-ddns": {
        "ddns-domains": [{ name: "18.198.in-addr.arpa.", "key-name": "ddns-sha256", "dns-servers": server }],
      },
      loggers: [{ name: "kea-dhcp-ddns", ...logger }],
    },
  };
}
