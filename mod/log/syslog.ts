/**
 * Kea's `syslog` outputs: `syslog` logs with facility local0, `syslog:NAME` with facility NAME (Kea's
 * logging_info.cc; log4cplus's facility names), the ident being the daemon's root logger name ("kea-dhcp4"), as
 * log4cplus's SysLogAppender calls openlog(3)/syslog(3). weka writes the datagram syslog(3) writes (RFC 3164:
 * `<PRI>Mmm dd hh:mm:ss ident: message`) to the local syslog socket itself, never blocking: a datagram the syslog
 * daemon cannot take at once is dropped and counted, so a stuck syslog never stalls the DHCP path. The socket is
 * opened by a transport the process wires in (mod/net/syslog_socket.ts, set with `setSyslogTransport`); without
 * one, lines go to stderr.
 */
import type { LogLevel, LogRecord, Sink } from "@logtape/logtape";
import { formatTime } from "./pattern.ts";

/** log4cplus's facility names and their syslog(3) codes. */
export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** The facility of an output (`syslog` → local0, `syslog:NAME` → NAME); undefined for an unknown name. */
export function facilityOf(output: string): number | undefined {
  if (output === "syslog") return FACILITIES.local0;
  const name = output.slice("syslog:".length).toLowerCase();
  return FACILITIES[name];
}

/** log4cplus's severity → syslog level: FATAL crit, ERROR err, WARN warning, INFO info, DEBUG debug. */
const SYSLOG_LEVEL: Record<LogLevel, number> = { fatal: 2, error: 3, warning: 4, info: 6, debug: 7, trace: 7 };

/** One syslog(3) datagram: `<PRI>Mmm dd hh:mm:ss ident: body` (local time, day padded with a space). */
export function syslogDatagram(facility: number, level: LogLevel, ident: string, body: string, ms: number): string {
  const pri = facility * 8 + SYSLOG_LEVEL[level];
  return `<${pri}>${formatTime("%b %e %H:%M:%S", ms, false)} ${ident}: ${body.replace(/\n+$/, "")}`;
}

/** Where syslog datagrams go: `send` returns false when the datagram was not taken (dropped). */
export interface SyslogTransport {
  send(datagram: Uint8Array): boolean;
  close(): void;
}

let opener: ((path: string) => SyslogTransport) | undefined;
let dropped = 0;

/** Wires the socket syslog outputs use (the CLI sets mod/net/syslog_socket.ts's; tests may set their own). */
export function setSyslogTransport(open: ((path: string) => SyslogTransport) | undefined): void {
  opener = open;
}

/** Whether a syslog transport is wired (without one, syslog outputs write to stderr). */
export function syslogAvailable(): boolean {
  return opener !== undefined;
}

/** Datagrams dropped since the start (the syslog daemon was absent or did not keep up). */
export function syslogDropped(): number {
  return dropped;
}

/** The local syslog socket: WEKA_SYSLOG_SOCKET when set (containers, tests), else /dev/log. */
export function syslogPath(): string {
  return Deno.env.get("WEKA_SYSLOG_SOCKET") || "/dev/log";
}

/**
 * A LogTape sink for one syslog output; undefined when no transport is wired (the caller falls back to stderr).
 * `format` renders the body (Kea's syslog pattern by default), `ident` is the daemon's root logger name.
 */
export function syslogSink(
  facility: number,
  ident: string,
  format: (r: LogRecord) => string,
): (Sink & Disposable) | undefined {
  if (!opener) return undefined;
  const transport = opener(syslogPath());
  const enc = new TextEncoder();
  const sink = ((r: LogRecord) => {
    const ok = transport.send(enc.encode(syslogDatagram(facility, r.level, ident, format(r), r.timestamp)));
    if (!ok) dropped++;
  }) as Sink & Disposable;
  sink[Symbol.dispose] = () => transport.close();
  return sink;
}
