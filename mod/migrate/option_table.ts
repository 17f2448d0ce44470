/**
 * The options dhcpd knows by name in its `dhcp` and `dhcp6` universes (dhcpd-options(5), common/tables.c),
 * each with its code, the name Kea gives it (Kea's std_option_defs.h / std_option6_defs.h; most are the same,
 * a few differ: `bootfile-name` is Kea's `boot-file-name`, `dhcp6.name-servers` is `dns-servers`) and the
 * Kea data type used to check and format values. Data only; the translator looks names up here.
 */

/** A standard option: dhcpd name, code, Kea name, Kea type and whether it is an array. */
export interface StdOption {
  isc: string;
  code: number;
  kea: string;
  type: string;
  array: boolean;
  recordTypes?: string[];
}

// "code isc-name kea-name|= type[]": `=` means the Kea name is the dhcpd one; a trailing [] marks arrays.
const V4 =
  `1 subnet-mask = ipv4-address|2 time-offset = int32|3 routers = ipv4-address[]|4 time-servers = ipv4-address[]
|5 ien116-name-servers name-servers ipv4-address[]|6 domain-name-servers = ipv4-address[]|7 log-servers = ipv4-address[]
|8 cookie-servers = ipv4-address[]|9 lpr-servers = ipv4-address[]|10 impress-servers = ipv4-address[]
|11 resource-location-servers = ipv4-address[]|12 host-name = string|13 boot-size = uint16|14 merit-dump = string
|15 domain-name = fqdn|16 swap-server = ipv4-address|17 root-path = string|18 extensions-path = string
|19 ip-forwarding = boolean|20 non-local-source-routing = boolean|21 policy-filter = ipv4-address[]
|22 max-dgram-reassembly = uint16|23 default-ip-ttl = uint8|24 path-mtu-aging-timeout = uint32
|25 path-mtu-plateau-table = uint16[]|26 interface-mtu = uint16|27 all-subnets-local = boolean
|28 broadcast-address = ipv4-address|29 perform-mask-discovery = boolean|30 mask-supplier = boolean
|31 router-discovery = boolean|32 router-solicitation-address = ipv4-address|33 static-routes = ipv4-address[]
|34 trailer-encapsulation = boolean|35 arp-cache-timeout = uint32|36 ieee802-3-encapsulation = boolean
|37 default-tcp-ttl = uint8|38 tcp-keepalive-interval = uint32|39 tcp-keepalive-garbage = boolean
|40 nis-domain = string|41 nis-servers = ipv4-address[]|42 ntp-servers = ipv4-address[]
|43 vendor-encapsulated-options = binary|44 netbios-name-servers = ipv4-address[]|45 netbios-dd-server = ipv4-address[]
|46 netbios-node-type = uint8|47 netbios-scope = string|48 font-servers = ipv4-address[]
|49 x-display-manager = ipv4-address[]|50 dhcp-requested-address = ipv4-address|51 dhcp-lease-time = uint32
|52 dhcp-option-overload = uint8|53 dhcp-message-type = uint8|54 dhcp-server-identifier = ipv4-address
|55 dhcp-parameter-request-list = uint8[]|56 dhcp-message = string|57 dhcp-max-message-size = uint16
|58 dhcp-renewal-time = uint32|59 dhcp-rebinding-time = uint32|60 vendor-class-identifier = string
|61 dhcp-client-identifier = binary|62 nwip-domain nwip-domain-name string|63 nwip-suboptions = binary
|64 nisplus-domain nisplus-domain-name string|65 nisplus-servers = ipv4-address[]|66 tftp-server-name = string
|67 bootfile-name boot-file-name string|68 mobile-ip-home-agent = ipv4-address[]|69 smtp-server = ipv4-address[]
|70 pop-server = ipv4-address[]|71 nntp-server = ipv4-address[]|72 www-server = ipv4-address[]
|73 finger-server = ipv4-address[]|74 irc-server = ipv4-address[]|75 streettalk-server = ipv4-address[]
|76 streettalk-directory-assistance-server = ipv4-address[]|77 user-class = binary|81 fqdn = binary
|85 nds-servers = ipv4-address[]|86 nds-tree-name = string|87 nds-context = string
|88 bcms-controller-names = fqdn[]|89 bcms-controller-address = ipv4-address[]|90 authenticate = binary
|91 client-last-transaction-time = uint32|92 associated-ip = ipv4-address[]|93 pxe-system-type client-system uint16[]
|98 uap-servers = string|99 geoconf-civic = binary|100 pcode = string|101 tcode = string
|112 netinfo-server-address = ipv4-address[]|113 netinfo-server-tag = string|114 default-url v4-captive-portal string
|116 auto-config = uint8|117 name-service-search = uint16[]|118 subnet-selection = ipv4-address
|119 domain-search = fqdn[]|124 vivco-suboptions = binary|125 vivso-suboptions = binary
|82 relay-agent-information dhcp-agent-options binary|94 pxe-interface-id client-ndi binary|97 pxe-client-id uuid-guid binary
|150 tftp-server-address = ipv4-address[]|108 v6-only-preferred = uint32|114 v4-captive-portal = string
|121 rfc3442-classless-static-routes classless-static-route binary|212 option-6rd = binary|213 v4-access-domain = fqdn`;

const V6 = `1 client-id clientid binary|2 server-id serverid binary|6 oro = uint16[]|7 preference = uint8
|8 elapsed-time = uint16|11 auth = binary|12 unicast = ipv6-address|14 rapid-commit = empty|15 user-class = binary
|16 vendor-class = binary|17 vendor-opts = uint32|18 interface-id = binary|19 reconf-msg = uint8
|20 reconf-accept = empty|21 sip-servers-names sip-server-dns fqdn[]|22 sip-servers-addresses sip-server-addr ipv6-address[]
|23 name-servers dns-servers ipv6-address[]|24 domain-search = fqdn[]|27 nis-servers = ipv6-address[]
|28 nisp-servers = ipv6-address[]|29 nis-domain-name = fqdn[]|30 nisp-domain-name = fqdn[]
|31 sntp-servers = ipv6-address[]|32 info-refresh-time information-refresh-time uint32
|33 bcms-server-d bcmcs-server-dns fqdn[]|34 bcms-server-a bcmcs-server-addr ipv6-address[]|36 geoconf-civic = binary
|37 remote-id = binary|38 subscriber-id = binary|39 fqdn client-fqdn binary|40 pana-agent = ipv6-address[]
|41 new-posix-timezone = string|42 new-tzdb-timezone = string|43 ero = uint16[]|45 client-data = binary
|46 clt-time = uint32|47 lq-relay-data = record:ipv6-address,binary|48 lq-client-link = ipv6-address[]|59 bootfile-url = string
|60 bootfile-param = binary|61 client-arch-type = uint16[]|64 aftr-name = fqdn
|3 ia-na = binary|4 ia-ta = binary|5 ia-addr iaaddr binary|9 relay-msg = binary|13 status-code = binary
|25 ia-pd = binary|26 ia-prefix iaprefix binary|44 lq-query = binary|53 relay-id = binary|57 v6-access-domain = fqdn
|58 sip-ua-cs-list = fqdn[]|62 nii = binary|65 erp-local-domain-name = fqdn|66 rsoo = binary|67 pd-exclude = binary
|82 solmax-rt = uint32|83 inf-max-rt = uint32|87 dhcpv4-msg dhcpv4-message binary|88 dhcp4-o-dhcp6-server dhcp4o6-server-addr ipv6-address[]
|103 v6-captive-portal = string`;

function build(table: string): Map<string, StdOption> {
  const map = new Map<string, StdOption>();
  for (const raw of table.split("|")) {
    const [code, isc, kea, type] = raw.trim().split(" ");
    const array = type.endsWith("[]");
    const base = array ? type.slice(0, -2) : type;
    const rec = base.startsWith("record:") ? base.slice(7).split(",") : undefined;
    map.set(isc, {
      isc,
      code: Number(code),
      kea: kea === "=" ? isc : kea,
      type: rec ? "record" : base,
      array,
      recordTypes: rec,
    });
  }
  return map;
}

const TABLE4 = build(V4);
const TABLE6 = build(V6);

/**
 * Looks a standard option up by its dhcpd name in the `dhcp` (DHCPv4) or `dhcp6` universe, as dhcpd's
 * parse_option_name() does against its built-in universes.
 */
export function stdOption(universe: "dhcp" | "dhcp6", name: string): StdOption | undefined {
  return (universe === "dhcp" ? TABLE4 : TABLE6).get(name);
}

/** Looks a standard option up by code (for `host-identifier option` and diagnostics). */
export function stdOptionByCode(universe: "dhcp" | "dhcp6", code: number): StdOption | undefined {
  for (const o of (universe === "dhcp" ? TABLE4 : TABLE6).values()) if (o.code === code) return o;
  return undefined;
}
