/**
 * Helpers of the `weka migrate` tests: the MigrateError a refused dhcpd.conf text raises (keama's refusal, with
 * its file:line:col), and whether a real Kea binary's `-t` (configuration test) accepts a translated text.
 * Tests only.
 */
import { migrate } from "../../mod/migrate/migrate.ts";
import { MigrateError } from "../../mod/migrate/lexer.ts";

/** The MigrateError migrating `text` (file `t.conf`) raises; throws when the text is accepted. */
export function migrateError(text: string, v6 = false): MigrateError {
  try {
    migrate(text, { v6, file: "t.conf" });
  } catch (e) {
    if (e instanceof MigrateError) return e;
    throw e;
  }
  throw new Error("input was accepted");
}

/** Whether `cmd -t FILE` (kea-dhcp4, kea-dhcp-ddns …) accepts `text`; undefined when `cmd` is not installed. */
export function keaAccepts(cmd: string, text: string): boolean | undefined {
  try {
    const path = Deno.makeTempFileSync({ suffix: ".json" });
    Deno.writeTextFileSync(path, text);
    const ok = new Deno.Command(cmd, { args: ["-t", path], stdout: "null", stderr: "null" }).outputSync().success;
    Deno.removeSync(path);
    return ok;
  } catch {
    return undefined; // not installed
  }
}
