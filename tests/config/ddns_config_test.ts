/**
 * DDNS configuration of Dhcp4: the `dhcp-ddns` block with Kea's defaults, `ddns-*` inheritance global → subnet →
 * pool, the legacy conflict-resolution flag, and refusals that name the path.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";

function load(dhcp4: Record<string, unknown>) {
  return parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", () => "").dhcp4!;
}

function refusal(dhcp4: Record<string, unknown>): string {
  try {
    load(dhcp4);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return `${e.problems[0].path}: ${e.problems[0].message}`;
  }
  throw new Error("accepted");
}

const SUBNET = { id: 1, subnet: "198.18.1.0/24", pools: [{ pool: "198.18.1.10 - 198.18.1.20" }] };

Deno.test("ddns config: without dhcp-ddns, updates are off and every ddns-* key has Kea's default", () => {
  const c = load({ subnet4: [SUBNET] });
  assert.deepEqual(c.dhcpDdns, {
    enableUpdates: false,
    serverIp: "127.0.0.1",
    serverPort: 53001,
    senderIp: "",
    senderPort: 0,
    maxQueueSize: 1024,
    ncrProtocol: "UDP",
    ncrFormat: "JSON",
  });
  assert.deepEqual(c.subnets[0].ddns, {
    sendUpdates: true,
    overrideNoUpdate: false,
    overrideClientUpdate: false,
    replaceClientName: "never",
    generatedPrefix: "myhost",
    qualifyingSuffix: "",
    updateOnRenew: false,
    conflictResolutionMode: "check-with-dhcid",
    hostnameCharSet: "[^A-Za-z0-9.-]",
    hostnameCharReplacement: "",
  });
  assert.equal(c.subnets[0].pools[0].ddns, undefined, "a pool without ddns keys follows its subnet");
});

Deno.test("ddns config: keys inherit global → subnet → pool, the innermost wins", () => {
  const c = load({
    "ddns-qualifying-suffix": "global.test",
    "ddns-generated-prefix": "g",
    "ddns-ttl-percent": 0.5,
    subnet4: [
      {
        ...SUBNET,
        "ddns-generated-prefix": "s",
        pools: [{ pool: "198.18.1.10 - 198.18.1.20", "ddns-send-updates": false }],
      },
      { id: 2, subnet: "198.18.2.0/24", "ddns-ttl-percent": 0 },
    ],
  });
  const [s1, s2] = c.subnets;
  assert.equal(s1.ddns!.qualifyingSuffix, "global.test");
  assert.equal(s1.ddns!.generatedPrefix, "s");
  assert.equal(s1.ddns!.ttlPercent, 0.5);
  assert.equal(s1.pools[0].ddns!.sendUpdates, false);
  assert.equal(s1.pools[0].ddns!.generatedPrefix, "s", "the pool inherits from its subnet");
  assert.equal(s1.ddns!.sendUpdates, true);
  assert.equal(s2.ddns!.generatedPrefix, "g");
  assert.equal(s2.ddns!.ttlPercent, undefined, "0 unsets an inherited TTL key");
});

Deno.test("ddns config: ddns-use-conflict-resolution maps to a mode; an explicit mode wins", () => {
  assert.equal(load({ "ddns-use-conflict-resolution": false }).ddns!.conflictResolutionMode, "no-check-with-dhcid");
  assert.equal(load({ "ddns-use-conflict-resolution": true }).ddns!.conflictResolutionMode, "check-with-dhcid");
  const both = load({
    "ddns-use-conflict-resolution": false,
    "ddns-conflict-resolution-mode": "check-exists-with-dhcid",
  });
  assert.equal(both.ddns!.conflictResolutionMode, "check-exists-with-dhcid");
});

Deno.test("ddns config: refusals name the path", () => {
  assert.equal(
    refusal({ "dhcp-ddns": { "ncr-protocol": "TCP" } }),
    'Dhcp4.dhcp-ddns.ncr-protocol: ncr-protocol "TCP" is not supported: Kea and weka send NameChangeRequests over UDP only',
  );
  assert.equal(
    refusal({ "dhcp-ddns": { "ncr-format": "XML" } }),
    'Dhcp4.dhcp-ddns.ncr-format: must be "JSON" (the only NCR format) (got "XML")',
  );
  assert.equal(
    refusal({ "dhcp-ddns": { "server-ip": "d2.example" } }),
    "Dhcp4.dhcp-ddns.server-ip: 'd2.example' is not an IP address",
  );
  assert.equal(
    refusal({ "dhcp-ddns": { "server-port": 70000 } }),
    "Dhcp4.dhcp-ddns.server-port: must be a port 0..65535",
  );
  assert.equal(
    refusal({ "dhcp-ddns": { "enable-update": true } }),
    "Dhcp4.dhcp-ddns.enable-update: unknown or unsupported key 'enable-update'",
  );
  assert.match(
    refusal({ subnet4: [{ ...SUBNET, "hostname-char-set": "[a-" }] }),
    /^Dhcp4\.subnet4\[0\]\.hostname-char-set: '\[a-' is not a valid regular expression/,
  );
  assert.equal(
    refusal({ "ddns-replace-client-name": "sometimes" }),
    'Dhcp4.ddns-replace-client-name: must be "never", "always", "when-present" or "when-not-present" (got "sometimes")',
  );
  assert.equal(
    refusal({ "ddns-ttl-min": 900, "ddns-ttl-max": 300 }),
    "Dhcp4.ddns-ttl-min: ddns-ttl-min (900) is greater than ddns-ttl-max (300)",
  );
  assert.equal(refusal({ "ddns-ttl-percent": 2 }), "Dhcp4.ddns-ttl-percent: must be between 0 and 1");
});
