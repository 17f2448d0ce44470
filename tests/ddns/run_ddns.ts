/** Runs `weka ddns` from the test tree (until main.ts wires the subcommand): `deno run -A tests/ddns/run_ddns.ts FILE`. */
import { runDdns } from "../../mod/cli/ddns.ts";

Deno.exit(await runDdns({ configPath: Deno.args[0] }));
