/**
 * `weka shell`: a kea-shell-compatible control client. Like kea-shell it takes `--host`, `--port`, `--path`,
 * `--auth-user`, `--auth-password`, `--service`, `--ca`, `--cert`, `--key`, `--timeout` and a command name (default
 * list-commands), reads the command's arguments from standard input, and prints the server's JSON answer as
 * received. kea-shell puts its stdin inside the `arguments` braces (`"name": "pkt4-received"`); weka also accepts a
 * whole map (`{"name": "pkt4-received"}`). `--socket PATH` talks to a unix control socket instead of HTTP.
 * Exit codes: 0 when an answer came back, 1 when none did (or HTTP 401), 2 on usage errors.
 */
import { parseRequest } from "../control/registry.ts";
import { buildRequest, sendHttp, sendUnix } from "../control/client.ts";

export interface ShellOptions {
  host?: string;
  port?: number;
  path?: string;
  socket?: string;
  authUser?: string;
  authPassword?: string;
  service?: string[];
  ca?: string;
  cert?: string;
  key?: string;
  timeout?: number;
  command?: string;
  /** the arguments text (tests); read from stdin when undefined and stdin is not a terminal */
  stdinText?: string;
}

/** Parses the stdin text as the command's arguments: empty → none; `"k": v, …` or `{…}` → a map. */
export function shellArguments(text: string): Record<string, unknown> | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  const v = parseRequest(t.startsWith("{") ? t : `{${t}}`);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("the arguments must be a JSON map");
  return v as Record<string, unknown>;
}

/** Runs `weka shell …`; returns the exit code. */
export async function runShell(opts: ShellOptions): Promise<number> {
  let text = opts.stdinText;
  if (text === undefined) text = Deno.stdin.isTerminal() ? "" : await new Response(Deno.stdin.readable).text();
  let args;
  try {
    args = shellArguments(text);
  } catch (e) {
    console.error(`weka shell: cannot read the arguments from standard input: ${(e as Error).message}`);
    return 2;
  }
  const body = JSON.stringify(buildRequest(opts.command ?? "list-commands", args, opts.service));
  const timeoutMs = (opts.timeout ?? 10) * 1000;
  try {
    if (opts.socket) {
      console.log(await sendUnix(opts.socket, body, timeoutMs));
      return 0;
    }
    const scheme = opts.ca ? "https" : "http";
    const host = opts.host ?? "127.0.0.1";
    const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${opts.port ?? 8000}/${
      (opts.path ?? "").replace(/^\//, "")
    }`;
    if ((opts.cert === undefined) !== (opts.key === undefined)) {
      console.error("weka shell: --cert and --key go together");
      return 2;
    }
    const caCert = opts.ca ? await Deno.readTextFile(opts.ca) : undefined;
    const clientCert = opts.cert && opts.key
      ? { cert: await Deno.readTextFile(opts.cert), key: await Deno.readTextFile(opts.key) }
      : undefined;
    const r = await sendHttp(url, body, {
      user: opts.authUser,
      password: opts.authPassword,
      caCert,
      clientCert,
      timeoutMs,
    });
    console.log(r.text);
    if (r.status === 401) {
      console.error("weka shell: the server refused the credentials (HTTP 401): check --auth-user/--auth-password");
      return 1;
    }
    return 0;
  } catch (e) {
    console.error(`weka shell: ${(e as Error).message}`);
    return 1;
  }
}
