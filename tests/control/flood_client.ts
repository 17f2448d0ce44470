/**
 * A hostile client for the listener tests: opens COUNT connections to a TCP port (`tcp HOST PORT COUNT`) or a unix
 * socket (`unix PATH COUNT`), sends the start of a request on each and stalls, holding them all open until its
 * standard input closes. Prints `opened N failed M closed-by-server K` once every connection was tried, then
 * `closed-by-server K` when stdin closes. Connections are opened 200 at a time. Tests only.
 */
const [kind, a, b, c] = Deno.args;
const count = Number(kind === "tcp" ? c : b);
const payload = new TextEncoder().encode(kind === "tcp" ? "GET / HTTP/1.1\r\n" : '{"command": ');
const held: Deno.Conn[] = [];
let failed = 0, closedByServer = 0, next = 0;
const buf = new Uint8Array(1024);

async function one(): Promise<void> {
  while (next < count) {
    next++;
    try {
      const conn = kind === "tcp"
        ? await Deno.connect({ hostname: a, port: Number(b) })
        : await Deno.connect({ transport: "unix", path: a });
      await conn.write(payload);
      held.push(conn);
      // count the server's close, but keep our side open (the stalled client keeps its descriptor)
      conn.read(buf).then((n) => n === null && closedByServer++, () => closedByServer++);
    } catch {
      failed++;
    }
  }
}

await Promise.all(Array.from({ length: 200 }, one));
console.log(`opened ${held.length} failed ${failed} closed-by-server ${closedByServer}`);
await new Response(Deno.stdin.readable).arrayBuffer().catch(() => {});
console.log(`closed-by-server ${closedByServer}`);
for (const conn of held) {
  try {
    conn.close();
  } catch { /* closed */ }
}
