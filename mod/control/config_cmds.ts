/**
 * The configuration commands every Kea daemon answers (ctrl-channel.rst, and the D2 and DHCPv6 sections of Kea's
 * ARM): config-get and config-hash-get (the serving document and its SHA-256 hash), config-test (check a document
 * without applying it), config-set (check and apply it; the previous configuration keeps serving when it is
 * refused) and config-reload (re-read the `-c` file). kea-dhcp4, kea-dhcp6 and kea-dhcp-ddns differ only in the map
 * they take and two texts, so one implementation serves the three roles, each with its {@link ConfigRole}.
 */
import { answer, badArgs, ok, Result } from "./answer.ts";
import type { CommandRegistry } from "./registry.ts";

/** What a role's configuration commands differ in. */
export interface ConfigRole {
  /** the document's map: "Dhcp4", "Dhcp6" or "DhcpDdns" */
  map: string;
  /** config-test's success text (Kea's wording per daemon) */
  testOk: string;
  /** config-set's and config-reload's success text */
  setOk: string;
}

/** Kea's texts: kea-dhcp4 and kea-dhcp6 share them; kea-dhcp-ddns has its own. */
export const DHCP4_CONFIG: ConfigRole = {
  map: "Dhcp4",
  testOk: "Configuration seems sane. Control-socket, hook-libraries, and D2 configuration were sanity checked, " +
    "but not applied.",
  setOk: "Configuration successful.",
};
export const DHCP6_CONFIG: ConfigRole = { ...DHCP4_CONFIG, map: "Dhcp6" };
export const D2_CONFIG: ConfigRole = {
  map: "DhcpDdns",
  testOk: "Configuration check successful",
  setOk: "Configuration applied successfully.",
};

/** What the configuration commands need from the running role (C: its compiled configuration). */
export interface ConfigCommandContext<C> {
  /** the document serving now (`{"Dhcp4": {…}}`) */
  configDoc(): Record<string, unknown>;
  /** checks a document as the file loader checks a file; throws the loader's ConfigError when refused */
  checkDoc(doc: Record<string, unknown>): C;
  /** swaps in a checked configuration whole; throws when it cannot be applied */
  applyConfig(checked: C): Promise<void> | void;
  /** re-reads and applies the `-c` file; throws when it is refused */
  reloadFile(): Promise<void>;
}

/**
 * Kea's config hash: the SHA-256 of the configuration text, upper-case hex (BaseCommandMgr::getHash). WebCrypto,
 * not node:crypto, so the control channel does not load Deno's Node compatibility layer (issue 16 item 5).
 */
export async function configHash(doc: unknown): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(doc))));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** A refusal's text: every problem of a ConfigError (file:line:col: path: message), or the error's message. */
export function configFailure(e: unknown): string {
  return "format" in (e as object) ? (e as { format(): string }).format() : (e as Error).message;
}

/** The role's map from a command's arguments (`{"Dhcp4": {…}}`), or a result-1 error saying what is missing. */
function roleDoc(role: ConfigRole, args: Record<string, unknown> | undefined, cmd: string): Record<string, unknown> {
  if (!args) badArgs(`${cmd}: missing mandatory 'arguments' holding the configuration ({"${role.map}": {…}})`);
  const m = args[role.map];
  if (!m || typeof m !== "object" || Array.isArray(m)) {
    badArgs(`${cmd}: missing mandatory '${role.map}' map in the arguments`);
  }
  return { [role.map]: m };
}

/** Registers config-get, config-hash-get, config-test, config-set and config-reload for `role` on `reg`. */
export function registerConfigCommands<C>(reg: CommandRegistry, ctx: ConfigCommandContext<C>, role: ConfigRole): void {
  reg.register("config-get", async () => {
    const doc = ctx.configDoc();
    return ok(undefined, { ...doc, hash: await configHash(doc) });
  });
  reg.register("config-hash-get", async () => ok(undefined, { hash: await configHash(ctx.configDoc()) }));
  reg.register("config-test", (args) => {
    const doc = roleDoc(role, args, "config-test");
    try {
      ctx.checkDoc(doc);
    } catch (e) {
      return answer(Result.ERROR, configFailure(e));
    }
    return ok(role.testOk);
  });
  reg.register("config-set", async (args) => {
    const doc = roleDoc(role, args, "config-set");
    try {
      await ctx.applyConfig(ctx.checkDoc(doc));
    } catch (e) {
      return answer(Result.ERROR, `the configuration was refused, the previous one keeps serving: ${configFailure(e)}`);
    }
    return ok(role.setOk, { hash: await configHash(ctx.configDoc()) });
  });
  reg.register("config-reload", async () => {
    try {
      await ctx.reloadFile();
    } catch (e) {
      return answer(Result.ERROR, `Config reload failed: ${configFailure(e)}`);
    }
    return ok(role.setOk, { hash: await configHash(ctx.configDoc()) });
  });
}
