/**
 * The command registry of the control channel: command name → handler, and `dispatch`, which every listener (unix
 * socket, HTTP, HTTPS) calls with the request text. Requests and answers follow Kea's control API
 * (doc/sphinx/arm/ctrl-channel.rst): `{"command": "x", "arguments": {…}, "service": ["dhcp4"]}` in, and
 * `{"result": N, "text": "…", "arguments": …}` out. Comments (`#`, `//`, `/* *\/`) are allowed in the request, as
 * Kea allows them. Pure: no Deno.* (handlers receive their services through closures).
 */
import { nodeValue, parseJsonc } from "../config/jsonc.ts";
import { type Answer, answer, CommandError, Result } from "./answer.ts";

/** A command's handler: the request's `arguments` (undefined when absent) in, an answer out. */
export type Handler = (args: Record<string, unknown> | undefined) => Answer | Promise<Answer>;

/** What a command is registered with. */
export interface CommandSpec {
  handler: Handler;
  /** true when the command needs no arguments and refuses none (list-commands, version-get, …) */
  noArgs?: boolean;
}

/** Blanks `#` comments outside strings (same length, so parse-error offsets stay right). */
function blankHashComments(text: string): string {
  let out = "", inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") {
        out += " ";
        i++;
      }
      if (i < text.length) out += "\n";
    } else out += c;
  }
  return out;
}

/**
 * Parses a control request text (Kea's JSON dialect with comments). Throws a CommandError (result 1) naming the
 * offset of the first syntax error, so a malformed request gets a clear answer instead of a dropped connection.
 */
export function parseRequest(text: string): unknown {
  // Fast path: almost every request (and every HA lease update) is plain JSON; JSON.parse is many times cheaper
  // than the comment-aware parser, which stays the fallback for Kea's dialect and for the error message.
  try {
    return JSON.parse(text);
  } catch { /* comments, or a syntax error: the dialect parser below decides and explains */ }
  const { tree, error: e } = parseJsonc(blankHashComments(text));
  if (e) {
    const line = text.slice(0, e.offset).split("\n").length;
    throw new CommandError(Result.ERROR, `invalid JSON in the request at line ${line}, offset ${e.offset}: ${e.code}`);
  }
  return nodeValue(tree);
}

/**
 * For a request still arriving: a syntax error that more text cannot cure (an error before the end of the text
 * received so far), so the listener can answer at once instead of waiting for the timeout, as Kea's JSON feed
 * stops at the first bad token. Undefined while the text could still become valid.
 */
export function earlySyntaxError(partial: string): string | undefined {
  const text = blankHashComments(partial);
  const e = parseJsonc(text).error;
  if (!e || e.offset + e.length >= text.trimEnd().length) return undefined;
  return `invalid JSON in the request at offset ${e.offset}: ${e.code}`;
}

/** The command table: register handlers, then dispatch requests. */
export class CommandRegistry {
  private readonly commands = new Map<string, CommandSpec>();

  /** `service` is the daemon's own name, accepted in a request's `service` list ("dhcp4", "dhcp6", "d2"). */
  constructor(readonly service = "dhcp4") {}

  /** Registers (or replaces) a command. */
  register(name: string, handler: Handler, opts: Omit<CommandSpec, "handler"> = {}): void {
    this.commands.set(name, { handler, ...opts });
  }

  /** Removes a command (lease commands go away when a reload drops libdhcp_lease_cmds.so). */
  unregister(name: string): void {
    this.commands.delete(name);
  }

  /** Whether a command is registered. */
  has(name: string): boolean {
    return this.commands.has(name);
  }

  /** The registered command names, sorted (Kea's `list-commands` answer). */
  names(): string[] {
    return [...this.commands.keys()].sort();
  }

  /**
   * Answers one request, given as text or as an already parsed value. Never throws: a malformed request, a
   * missing `command`, an unknown command (result 2, "'x' command not supported.") and a
   * handler failure each become an answer, as Kea's command manager answers them.
   */
  async dispatch(request: string | unknown): Promise<Answer> {
    try {
      const req = typeof request === "string" ? parseRequest(request) : request;
      if (req === null || typeof req !== "object" || Array.isArray(req)) {
        return answer(Result.ERROR, 'invalid command: the request must be a JSON map such as {"command": "x"}');
      }
      const r = req as Record<string, unknown>;
      if (typeof r.command !== "string") {
        return answer(Result.ERROR, "invalid command: the mandatory 'command' string is missing");
      }
      // `service` is ignored, as kea-dhcp4/-dhcp6/-dhcp-ddns 2.2 ignore it on their own sockets (a Control Agent
      // routes by it; weka's Control-agent endpoint does: mod/control/agent.ts), whatever it holds
      const spec = this.commands.get(r.command);
      if (!spec) return answer(Result.UNSUPPORTED, `'${r.command}' command not supported.`);
      // `arguments` that are not a map reach no handler as arguments (Kea's handlers then find nothing in them)
      const args = r.arguments;
      const map = args !== null && typeof args === "object" && !Array.isArray(args);
      return await spec.handler(map ? args as Record<string, unknown> : undefined);
    } catch (e) {
      if (e instanceof CommandError) return answer(e.code, e.message, e.args);
      return answer(Result.ERROR, `the command failed: ${(e as Error).message ?? String(e)}`);
    }
  }
}
