/**
 * The statements of a dhcpd `host` declaration (dhcpd.conf(5) "REFERENCE: DECLARATIONS"): `hardware`,
 * `fixed-address`, `fixed-address6`, `fixed-prefix6`, `uid` and `host-identifier option`, with dhcpd's messages for
 * what it refuses (confpars.c parse_host_declaration()).
 */

import type { Node } from "./ast.ts";
import { type Loc, MigrateError } from "./lexer.ts";
import type { OptionRegistry } from "./option_registry.ts";
import { address } from "./parse_net.ts";
import { skipStatement } from "./parse_misc.ts";
import type { TokenStream } from "./token_stream.ts";

/** Parses one of the host statements named in the module comment (its keyword `w` not yet consumed). */
export function parseHostStatement(ts: TokenStream, reg: OptionRegistry, w: string, inHost: boolean, loc: Loc): Node {
  const t = ts.peek();
  switch (w) {
    case "hardware": {
      ts.next();
      if (!inHost) throw new MigrateError(t, "hardware address parameter not allowed here.", w);
      const htype = ts.next();
      const addr = ts.next();
      if (addr.kind !== "word" || !/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})*$/.test(addr.text)) {
        throw new MigrateError(addr, "expecting hexadecimal number.", addr.text);
      }
      ts.expect(";", "semicolon expected.");
      return { k: "hardware", htype: htype.text, addr: addr.text, loc };
    }
    case "fixed-address":
    case "fixed-address6":
    case "fixed-prefix6": {
      ts.next();
      if (!inHost) {
        throw new MigrateError(t, `${w === "fixed-prefix6" ? w : "fixed-address"} parameter not allowed here.`, w);
      }
      const addrs: string[] = [];
      for (;;) {
        addrs.push(address(ts, w !== "fixed-address").text);
        const s = ts.next();
        if (s.text === ";") break;
        if (s.text !== ",") throw new MigrateError(s, "expecting ',' or ';'", s.text);
      }
      return { k: "fixed", v6: w !== "fixed-address", prefix: w === "fixed-prefix6", addrs, loc };
    }
    case "uid": {
      ts.next();
      const v = ts.next();
      ts.expect(";", "semicolon expected.");
      const hex = v.kind === "string"
        ? [...v.text].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(":")
        : v.text;
      return { k: "uid", hex, loc };
    }
    case "host-identifier": {
      ts.next();
      const kw = ts.next();
      if (kw.text !== "option") {
        return {
          k: "stmt",
          src: `host-identifier ${kw.text} ${skipStatement(ts)}`,
          note: "only 'host-identifier option' is translated",
          loc,
        };
      }
      const ref = ts.next();
      const dot = ref.text.indexOf(".");
      const space = dot < 0 ? reg.defaultSpace(ref.text) : ref.text.slice(0, dot);
      const name = dot < 0 ? ref.text : ref.text.slice(dot + 1);
      const info = reg.lookup(space, name);
      if (!info) throw new MigrateError(ref, `unknown option ${space}.${name}`, ref.text);
      const val = ts.next();
      ts.expect(";", "semicolon expected.");
      return {
        k: "hostid",
        space: info.space,
        name: info.name,
        code: info.code,
        value: val.kind === "string" ? val.text : val.text,
        loc,
      };
    }
    default:
      throw new MigrateError(t, "expecting a parameter or declaration", w);
  }
}
