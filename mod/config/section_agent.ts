/**
 * The Control-agent map's passes for the loader (load_core.ts SectionAgent): kea-ctrl-agent's schema, its checks,
 * the endpoint `weka run` serves. Imported by the full loader and, for a file with a Control-agent map, by
 * load_role.ts.
 */
import type { SectionAgent } from "./load_core.ts";
import { checkControlAgent, compileControlAgent, ControlAgentSchema } from "./schema_agent.ts";

/** Control-agent: schema, checks, compile. */
export const SECTION_AGENT: SectionAgent = {
  schema: ControlAgentSchema,
  check: checkControlAgent,
  compile: compileControlAgent,
};
