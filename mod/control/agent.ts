/**
 * Kea's Control Agent (kea-ctrl-agent 2.2) as one endpoint of `weka run`: a command without `service` (or with an
 * empty list) is the agent's own (list-commands, version-get, build-report, status-get, config-get/-test/-set/
 * -reload/-write, shutdown); a command with `"service": ["dhcp4", "dhcp6", "d2"]` is sent to each of those
 * servers in turn and answered with the list of their answers, in the order asked. A service runs in this process
 * (mod/control/services.ts) or behind the unix socket the `control-sockets` map names for it; a service with
 * neither, or whose socket does not answer, gets Kea's result-1 text for it while the others are still asked.
 * Every answer of the endpoint is a list, as kea-ctrl-agent answers.
 */
import type { AgentConfig } from "../config/schema_agent.ts";
import { type Answer, answer, ok, Result } from "./answer.ts";
import { type ConfigCommandContext, type ConfigRole, registerConfigCommands } from "./config_cmds.ts";
import type { ControlContext } from "./context.ts";
import { configWrite } from "./general_cmds.ts";
import { CommandRegistry, parseRequest } from "./registry.ts";
import type { ServiceDirectory, ServiceEntry } from "./services.ts";

/** kea-ctrl-agent's texts for its configuration commands. */
export const AGENT_CONFIG: ConfigRole = {
  map: "Control-agent",
  testOk: "Configuration check successful",
  setOk: "Configuration applied successfully.",
};

/** What the agent needs from the process. */
export interface AgentContext
  extends ConfigCommandContext<AgentConfig>, Pick<ControlContext, "configFile" | "fs" | "liveFiles" | "writeTextFile"> {
  /** the roles of this process */
  services: ServiceDirectory;
  /** the agent configuration serving now */
  config(): AgentConfig;
  /** sends a request to a unix control socket and returns the answer text (throws when it cannot) */
  forward(path: string, text: string): Promise<string>;
  /** stops the agent's endpoint (the roles keep serving) */
  shutdown(): void;
  pid: number;
  startedAt: number;
  reloadedAt(): number;
  now(): number;
  version: string;
  buildReport: string;
}

/** kea-ctrl-agent's answer to a command it does not know, sent without `service`. */
function notSupportedHere(command: string): string {
  return `'${command}' command not supported. You did not include "service" parameter in the command, which ` +
    "indicates that Kea Control Agent should process this command rather than forward it to one or more Kea " +
    'servers. If you aimed to send this command to one of the Kea servers you should include the "service" ' +
    'parameter in your request, e.g. "service": [ "dhcp4" ] to forward the command to the DHCPv4 server, or ' +
    '"service": [ "dhcp4", "dhcp6", "d2" ] to forward it to DHCPv4, DHCPv6 and D2 servers etc.';
}

/** The agent's own commands (Kea 2.2's kea-ctrl-agent list). */
export function buildAgentRegistry(ctx: AgentContext): CommandRegistry {
  const reg = new CommandRegistry("agent");
  reg.register("list-commands", () => answer(Result.SUCCESS, undefined, reg.names()));
  reg.register("version-get", () => ok(ctx.version, { extended: ctx.buildReport }));
  reg.register("build-report", () => ok(ctx.buildReport));
  reg.register("status-get", () => {
    const now = ctx.now();
    return ok(undefined, {
      pid: ctx.pid,
      uptime: Math.floor((now - ctx.startedAt) / 1000),
      reload: Math.floor((now - ctx.reloadedAt()) / 1000),
      services: ctx.services.names(),
    });
  });
  registerConfigCommands(reg, ctx, AGENT_CONFIG);
  reg.unregister("config-hash-get");
  reg.register("config-write", (args) => configWrite(ctx, args));
  reg.register("shutdown", () => {
    ctx.shutdown();
    return ok("Control Agent is shutting down");
  });
  return reg;
}

/** An OS error's text without Deno's "(os error N)" suffix, as Kea prints strerror(). */
function osText(e: unknown): string {
  return ((e as Error).message ?? String(e)).replace(/ \(os error \d+\)$/, "");
}

/**
 * Where the agent sends a command for `service`: to the role of this process that registered under that name
 * (unless `control-sockets` names a socket that role does not listen on: then the named socket, as configured),
 * to the unix socket `control-sockets` names, or nowhere.
 */
export function routeOf(
  cfg: AgentConfig,
  services: ServiceDirectory,
  service: string,
): { role: ServiceEntry } | { socket: string } | undefined {
  const socket = (cfg.sockets as Record<string, string | undefined>)[service];
  const role = services.get(service);
  if (role && (!socket || role.unixSockets().includes(socket))) return { role };
  return socket ? { socket } : undefined;
}

/** Sends `body` to one service: in the process, over its unix socket, or Kea's answer that it cannot. */
async function toService(ctx: AgentContext, service: string, body: string): Promise<Answer> {
  const route = routeOf(ctx.config(), ctx.services, service);
  if (!route) return answer(Result.ERROR, `forwarding socket is not configured for the server type ${service}`);
  if ("role" in route) return await route.role.dispatch(body);
  const socket = route.socket;
  let text: string;
  try {
    text = await ctx.forward(socket, body);
  } catch (e) {
    return answer(
      Result.ERROR,
      `unable to forward command to the ${service} service: ${osText(e)}. The server is likely to be offline`,
    );
  }
  try {
    const got = JSON.parse(text);
    const one = Array.isArray(got) ? got[0] : got;
    if (one && typeof one === "object" && typeof one.result === "number") return one as Answer;
  } catch { /* answered below */ }
  return answer(Result.ERROR, `invalid answer from the ${service} service at ${socket}`);
}

/** The endpoint's dispatcher: every request is answered with a list of answers. */
export function agentDispatcher(reg: CommandRegistry, ctx: AgentContext): (text: string) => Promise<Answer[]> {
  return async (text) => {
    let req: unknown;
    try {
      req = parseRequest(text);
    } catch {
      return [await reg.dispatch(text)];
    }
    const r = req as Record<string, unknown>;
    if (req === null || typeof req !== "object" || Array.isArray(req) || typeof r.command !== "string") {
      return [await reg.dispatch(req)];
    }
    const service = r.service;
    if (service === undefined || (Array.isArray(service) && service.length === 0)) {
      if (!reg.has(r.command)) return [answer(Result.UNSUPPORTED, notSupportedHere(r.command))];
      return [await reg.dispatch(req)];
    }
    if (!Array.isArray(service)) return [answer(Result.ERROR, "service value must be a list")];
    if (!service.every((s) => typeof s === "string")) {
      return [answer(Result.ERROR, 'service value must be a list of server names such as [ "dhcp4", "dhcp6", "d2" ]')];
    }
    const { service: _, ...forwarded } = r;
    const body = JSON.stringify(forwarded);
    const out: Answer[] = [];
    for (const s of service as string[]) out.push(await toService(ctx, s, body));
    return out;
  };
}
