import { main } from "./mod/cli/main.ts";

Deno.exit(await main(Deno.args));
