/**
 * Runs a real Kea 2.2 daemon (kea-dhcp4, kea-dhcp6, kea-dhcp-ddns) on a configuration in a temporary directory,
 * with its unix control socket there, sends it control commands, and stops it. For the tests that hold weka's
 * loader against what Kea itself writes (`config-get`, `config-write`). Tests only.
 */
import { existsSync } from "node:fs";

/** The daemon binaries, by the map they serve. */
export const KEA_BINS = {
  Dhcp4: "/usr/sbin/kea-dhcp4",
  Dhcp6: "/usr/sbin/kea-dhcp6",
  DhcpDdns: "/usr/sbin/kea-dhcp-ddns",
} as const;

/** The directory of Kea's hook libraries (Debian's kea packages). */
export const KEA_HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";

/** Why the Kea daemons cannot run here, or undefined. */
export function whyNoKea(): string | undefined {
  for (const bin of Object.values(KEA_BINS)) if (!existsSync(bin)) return `${bin} is not installed`;
  return undefined;
}

/** A running daemon: its directory, control socket and process. */
export interface KeaDaemon {
  dir: string;
  socket: string;
  /** sends one command and returns Kea's answer */
  command(command: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** the daemon's output so far (for failure messages) */
  output(): string;
  stop(): Promise<void>;
}

async function send(socket: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const conn = await Deno.connect({ transport: "unix", path: socket });
  try {
    await conn.write(new TextEncoder().encode(JSON.stringify(request)));
    let text = "";
    const decoder = new TextDecoder();
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
      try {
        return JSON.parse(text); // a large answer may come in pieces: parse once it is whole
      } catch {
        continue;
      }
    }
    return JSON.parse(text);
  } finally {
    conn.close();
  }
}

/**
 * Starts the daemon for `map` on `{ [map]: section }` (`section` may be made from the daemon's temporary directory),
 * its control socket set to a file of that directory (`control-socket` of Kea 2.2), and waits until the socket
 * answers `version-get` (at most 10 s).
 */
export async function startKea(
  map: keyof typeof KEA_BINS,
  section: Record<string, unknown> | ((dir: string) => Record<string, unknown>),
): Promise<KeaDaemon> {
  const dir = await Deno.makeTempDir({ prefix: "wk-kea-" });
  const socket = `${dir}/ctrl.sock`;
  const own = typeof section === "function" ? section(dir) : section;
  const doc = { [map]: { ...own, "control-socket": { "socket-type": "unix", "socket-name": socket } } };
  Deno.writeTextFileSync(`${dir}/kea.json`, JSON.stringify(doc, null, 2));
  const proc = new Deno.Command(KEA_BINS[map], {
    args: ["-c", `${dir}/kea.json`],
    env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const collect = async (s: ReadableStream<Uint8Array>) => {
    for await (const c of s.pipeThrough(new TextDecoderStream())) out += c;
  };
  const done = Promise.all([collect(proc.stdout), collect(proc.stderr)]).catch(() => {});
  const stop = async () => {
    try {
      proc.kill("SIGTERM");
    } catch {
      // already gone
    }
    await proc.status;
    await done;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await send(socket, { command: "version-get" });
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${KEA_BINS[map]} did not answer on ${socket}: ${(e as Error).message}\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    dir,
    socket,
    command: (command, args) => send(socket, args ? { command, arguments: args } : { command }),
    output: () => out,
    stop,
  };
}
