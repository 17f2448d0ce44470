/**
 * Kea's log line `pattern` (an output's `pattern` key): the log4cplus PatternLayout conversions Kea documents
 * (Kea ARM logging.rst "Logging Message Format"), compiled once into a function of a log record. Supported:
 * `%D{fmt}` local time and `%d{fmt}` UTC time (strftime conversions %Y %y %m %d %e %H %M %S %j %a %A %b %B %p
 * %T %F %z %Z, and log4cplus's %q milliseconds and %Q fractional milliseconds), `%p` severity, `%c` logger name,
 * `%i` process id, `%t` thread id (weka is one thread: the process id, as Linux numbers a main thread), `%h`/`%H`
 * host name, `%m` message, `%n` newline, `%%`; each with log4cplus's `-` (left align), minimum width and `.max`
 * (keep the end) modifiers. An unknown conversion is kept as written, so a pattern never loses text.
 */

/** What a line is made of. */
export interface LineFields {
  /** ms since the epoch */
  time: number;
  /** Kea's severity word: DEBUG, INFO, WARN, ERROR, FATAL */
  severity: string;
  /** the logger name ("kea-dhcp4") */
  logger: string;
  /** the message: Kea id, a space, the text */
  message: string;
  pid: number;
  host: string;
}

/** A compiled pattern. */
export type LineFormat = (f: LineFields) => string;

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const pad = (n: number, w = 2, c = "0") => String(n).padStart(w, c);

/** A broken-down time, local or UTC. */
function parts(ms: number, utc: boolean) {
  const d = new Date(ms);
  const g = utc
    ? { Y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), H: d.getUTCHours(), M: d.getUTCMinutes() }
    : { Y: d.getFullYear(), m: d.getMonth(), d: d.getDate(), H: d.getHours(), M: d.getMinutes() };
  const S = utc ? d.getUTCSeconds() : d.getSeconds();
  const wd = utc ? d.getUTCDay() : d.getDay();
  const off = utc ? 0 : -d.getTimezoneOffset();
  const yday = Math.floor((Date.UTC(g.Y, g.m, g.d) - Date.UTC(g.Y, 0, 1)) / 86_400_000) + 1;
  return { ...g, S, wd, off, yday, ms: ((ms % 1000) + 1000) % 1000 };
}

/** strftime over `ms` with log4cplus's %q (milliseconds, 3 digits) and %Q (milliseconds with fraction). */
export function formatTime(fmt: string, ms: number, utc: boolean): string {
  const t = parts(ms, utc);
  return fmt.replace(/%([a-zA-Z%])/g, (all, c: string) => {
    switch (c) {
      case "Y":
        return String(t.Y);
      case "y":
        return pad(t.Y % 100);
      case "m":
        return pad(t.m + 1);
      case "d":
        return pad(t.d);
      case "e":
        return pad(t.d, 2, " ");
      case "H":
        return pad(t.H);
      case "I":
        return pad(((t.H + 11) % 12) + 1);
      case "M":
        return pad(t.M);
      case "S":
        return pad(t.S);
      case "j":
        return pad(t.yday, 3);
      case "a":
        return DAYS[t.wd].slice(0, 3);
      case "A":
        return DAYS[t.wd];
      case "b":
      case "h":
        return MONTHS[t.m].slice(0, 3);
      case "B":
        return MONTHS[t.m];
      case "p":
        return t.H < 12 ? "AM" : "PM";
      case "T":
        return `${pad(t.H)}:${pad(t.M)}:${pad(t.S)}`;
      case "F":
        return `${t.Y}-${pad(t.m + 1)}-${pad(t.d)}`;
      case "z":
        return `${t.off < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(t.off) / 60))}${pad(Math.abs(t.off) % 60)}`;
      case "Z":
        return utc ? "UTC" : (Intl.DateTimeFormat().resolvedOptions().timeZone ?? "");
      case "q":
        return pad(t.ms, 3);
      case "Q":
        return `${pad(t.ms, 3)}.000`;
      case "%":
        return "%";
      default:
        return all;
    }
  });
}

/** Applies log4cplus's format modifiers: `-` left-aligns, `width` pads, `.max` keeps the last max characters. */
function fit(text: string, left: boolean, width: number, max: number): string {
  const cut = max > 0 && text.length > max ? text.slice(text.length - max) : text;
  return left ? cut.padEnd(width) : cut.padStart(width);
}

/** Compiles a Kea/log4cplus pattern; throws on a pattern that ends inside a conversion or an unclosed `{`. */
export function compilePattern(pattern: string): LineFormat {
  type Piece = string | ((f: LineFields) => string);
  const pieces: Piece[] = [];
  const re = /%(-?)(\d*)(?:\.(\d+))?([a-zA-Z%])(?:\{([^}]*)\})?/g;
  let last = 0;
  for (const m of pattern.matchAll(re)) {
    if (m.index! > last) pieces.push(pattern.slice(last, m.index));
    last = m.index! + m[0].length;
    const [, minus, w, max, conv, arg] = m;
    const field = conversion(conv, arg);
    if (field === undefined) {
      pieces.push(m[0]);
      continue;
    }
    const left = minus === "-", width = Number(w || 0), cap = Number(max || 0);
    pieces.push(width || cap ? (f) => fit(field(f), left, width, cap) : field);
  }
  if (last < pattern.length) pieces.push(pattern.slice(last));
  return (f) => {
    let out = "";
    for (const p of pieces) out += typeof p === "string" ? p : p(f);
    return out;
  };
}

/** One conversion character (with its `{…}` argument), or undefined when log4cplus's list has no such one. */
function conversion(c: string, arg: string | undefined): ((f: LineFields) => string) | undefined {
  switch (c) {
    case "D":
      return (f) => formatTime(arg ?? "%Y-%m-%d %H:%M:%S", f.time, false);
    case "d":
      return (f) => formatTime(arg ?? "%Y-%m-%d %H:%M:%S", f.time, true);
    case "p":
      return (f) => f.severity;
    case "c":
      return (f) => f.logger;
    case "i":
    case "t":
    case "T":
      return (f) => String(f.pid);
    case "h":
    case "H":
      return (f) => f.host;
    case "m":
      return (f) => f.message;
    case "n":
      return () => "\n";
    case "%":
      return () => "%";
    default:
      return undefined;
  }
}

/** Kea's default patterns (src/lib/log/output_option.cc). */
export const DEFAULT_FILE_PATTERN = "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m\n";
export const DEFAULT_SYSLOG_PATTERN = "%-5p [%c.%t] %m\n";
