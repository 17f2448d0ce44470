/**
 * Kea's control-channel answers (src/lib/cc/command_interpreter.h): every command is answered with
 * `{"result": N, "text": "…", "arguments": …}` where N is one of the result codes below. Handlers build answers
 * with these helpers and throw `CommandError` to answer an error from deep inside argument checks.
 */

/** Kea's result codes: 0 success, 1 error, 2 unsupported command, 3 empty (nothing found), 4 conflict, 5 fatal. */
export const Result = { SUCCESS: 0, ERROR: 1, UNSUPPORTED: 2, EMPTY: 3, CONFLICT: 4, FATAL: 5 } as const;
export type ResultCode = typeof Result[keyof typeof Result];

/** One answer of the control channel, in Kea's JSON shape. */
export interface Answer {
  result: number;
  text?: string;
  arguments?: unknown;
}

/** Builds an answer; `arguments` is left out when undefined, as Kea leaves it out. */
export function answer(result: number, text?: string, args?: unknown): Answer {
  const a: Answer = { result };
  if (text !== undefined) a.text = text;
  if (args !== undefined) a.arguments = args;
  return a;
}

/** A success answer (result 0). */
export function ok(text?: string, args?: unknown): Answer {
  return answer(Result.SUCCESS, text, args);
}

/**
 * An error that becomes an answer: handlers throw it from argument checks ("'ip-address' is missing") and the
 * registry turns it into `{result: code, text: message}` (Kea's lease_cmds does the same with exceptions).
 */
export class CommandError extends Error {
  constructor(readonly code: number, message: string, readonly args?: unknown) {
    super(message);
    this.name = "CommandError";
  }
}

/** Throws a result-1 CommandError (bad arguments) with an operator-facing message. */
export function badArgs(message: string): never {
  throw new CommandError(Result.ERROR, message);
}
