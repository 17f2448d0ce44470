/**
 * The human summary of a migration (`weka migrate --report`, beyond keama): what was translated (subnets, pools,
 * hosts, classes, options) and the items that need attention, each with its file:line, so the operator can go
 * through them one by one — keama only leaves `//` comments in the output.
 */

import type { MigrateResult } from "./migrate.ts";

/** Formats the report text (one item per line, `file:line: message`). */
export function formatReport(r: MigrateResult): string {
  const c = r.counts;
  const lines = [
    "Migration report",
    `  subnets:          ${c.subnets}`,
    `  shared networks:  ${c.sharedNetworks}`,
    `  pools:            ${c.pools}`,
    `  prefix pools:     ${c.pdPools}`,
    `  hosts:            ${c.hosts}`,
    `  client classes:   ${c.classes}`,
    `  option data:      ${c.optionData}`,
    `  option defs:      ${c.optionDefs}`,
    `Not translated (commented out in the output): ${r.issues.length}`,
    ...r.issues.map((i) => `  ${i.loc.file}:${i.loc.line}: ${i.message}`),
    `To check: ${r.notes.length}`,
    ...r.notes.map((i) => `  ${i.loc.file}:${i.loc.line}: ${i.message}`),
  ];
  return lines.join("\n") + "\n";
}

/** The one-line summary written on stderr after every run (keama prints the count of untranslated items). */
export function summaryLine(r: MigrateResult): string {
  const c = r.counts;
  return `migrate: ${c.subnets} subnets, ${
    c.pools + c.pdPools
  } pools, ${c.hosts} hosts, ${c.classes} classes translated; ${r.issues.length} items not translated (commented out)`;
}
