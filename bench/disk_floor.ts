/**
 * `deno task bench:disk [DIR] [COUNT]`: the durable-commit floor of the disk that holds the lease database (issue 16:
 * weka acknowledges a lease only once it is on disk, so a REQUEST→ACK can never be faster than one durable write,
 * and a reply that arrives while a commit runs waits for that one too). In DIR (default: a temporary directory under
 * /var/tmp, on the same file system as a default lease database) it times COUNT (default 3 000) rounds, each:
 *   - fdatasync(2) after a 512-byte write into a preallocated file (the cheapest durable write a journal could make);
 *   - the same appended to a growing file (the file size changes: the file system's journal commits too);
 *   - one Deno KV commit of a lease-sized value (SQLite WAL, fsync per commit: what weka's lease store does);
 * interleaved, a timer turn apart, so the disk's noise hits the three alike; then prints p50/p90/p99/p99.9/max of
 * each. Run it on the appliance's own storage to see what reply latency its disk allows. No root needed.
 */
const dir = Deno.args[0] ?? await Deno.makeTempDir({ dir: "/var/tmp", prefix: "weka-disk-" });
const count = Number(Deno.args[1] ?? 3000);
const made = !Deno.args[0];

const pre = `${dir}/prealloc.bin`, app = `${dir}/append.bin`, kvPath = `${dir}/floor.kv`;
const fPre = Deno.openSync(pre, { create: true, read: true, write: true, truncate: true });
const zeros = new Uint8Array(1 << 20);
for (let i = 0; i < Math.ceil(count * 512 / zeros.length) + 1; i++) fPre.writeSync(zeros);
fPre.syncSync();
fPre.seekSync(0, Deno.SeekMode.Start);
const fApp = Deno.openSync(app, { create: true, write: true, truncate: true });
const kv = await Deno.openKv(kvPath);
const record = new Uint8Array(512);
const times: Record<string, number[]> = { "prealloc + fdatasync": [], "append + fdatasync": [], "Deno KV commit": [] };
const t = (name: string, f: () => void) => {
  const s = performance.now();
  f();
  times[name].push(performance.now() - s);
};
for (let i = 0; i < count; i++) {
  t("prealloc + fdatasync", () => (fPre.writeSync(record), fPre.syncDataSync()));
  t("append + fdatasync", () => (fApp.writeSync(record), fApp.syncDataSync()));
  const s = performance.now();
  await kv.set(["lease", i % 2000], { address: i, hwaddr: "02:00:00:00:00:01", expire: Date.now(), state: 0 });
  times["Deno KV commit"].push(performance.now() - s);
  await new Promise((r) => setTimeout(r, 0));
}
kv.close();
fPre.close();
fApp.close();
console.log(`# durable writes in ${dir}, ${count} rounds (ms)`);
for (const [name, xs] of Object.entries(times)) {
  xs.sort((a, b) => a - b);
  const p = (q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))].toFixed(3);
  console.log(
    `${name.padEnd(22)} p50=${p(0.5)} p90=${p(0.9)} p99=${p(0.99)} p99.9=${p(0.999)} max=${xs.at(-1)!.toFixed(2)}`,
  );
}
for (const f of [pre, app, kvPath, `${kvPath}-wal`, `${kvPath}-shm`]) await Deno.remove(f).catch(() => {});
if (made) await Deno.remove(dir, { recursive: true }).catch(() => {});
