/**
 * Reading a D2 configuration file (the I/O edge of the D2 config): Kea's JSON dialect through the shared
 * `parseKeaJson` (comments, includes, positions), then {@link compileD2Config} on its `DhcpDdns` map. Kea's D2
 * ignores the other top-level maps of the file, and so does this.
 */
import { ConfigError } from "../../config/errors.ts";
import { parseKeaJson } from "../../config/parse_text.ts";
import { compileD2Config, type D2Config } from "./config.ts";

/** Loads and compiles the `DhcpDdns` map of a file; throws ConfigError (file:line:col: path: message) when refused. */
export async function loadD2ConfigFile(path: string): Promise<D2Config> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError([{
      file: path,
      line: 0,
      col: 0,
      path: "",
      message: `cannot read the configuration: ${(e as Error).message}`,
    }]);
  }
  return parseD2ConfigText(text, path, (p) => Deno.readTextFileSync(p));
}

/** The pure part of {@link loadD2ConfigFile}: text → compiled config, files read through `readFile`. */
export function parseD2ConfigText(text: string, name: string, readFile: (p: string) => string): D2Config {
  const parsed = parseKeaJson(text, name, readFile);
  const doc = parsed.value as Record<string, unknown>;
  if (!doc.DhcpDdns || typeof doc.DhcpDdns !== "object") {
    throw new ConfigError([{ ...parsed.locate([]), path: "", message: "the configuration has no 'DhcpDdns' map" }]);
  }
  return compileD2Config(doc.DhcpDdns, parsed.locate, readFile);
}
