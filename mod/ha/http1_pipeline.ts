/**
 * Pipelined HTTP/1.1 connections for the HA partner link (RFC 9112 §9.3.2): many lease updates in flight on one
 * persistent connection, the requests made in the same turn of the event loop written together in one write (a
 * DHCP round's REQUESTs become one write), the answers read in order and matched to their requests first in,
 * first out. Used only towards a partner that answers with `x-weka-pipelining: 1` (weka's listeners handle
 * pipelined requests at once and answer them in order, mod/control/http_conn.ts); Kea 2.2's listeners read one
 * request at a time, so a Kea partner keeps getting one request per connection at a time (http1_client.ts).
 *
 * Bounded: each request has its deadline; a request whose deadline passes fails, and so does its connection
 * (later answers on it could no longer be matched), failing the requests still waiting on it. A connection the
 * partner closed before it answered a request (a restart, a keep-alive timeout) gets that request and those after
 * it sent once more on a fresh connection (lease updates are idempotent, Kea's lease4-update included).
 */
import { ClosedEarly, Conn, type Http1Response, isReset, readResponse, writeAll } from "./http1_wire.ts";
import { concatBytes } from "../wire/bytes.ts";

/** One request on a pipelined connection. */
export interface PipelinedRequest {
  bytes: Uint8Array;
  resolve(r: Http1Response): void;
  reject(e: Error): void;
  /** sent once more already (after the connection closed before its answer) */
  resent: boolean;
}

/** What a pipelined connection reports to its owner. */
export interface PipelineOwner {
  /** the connection ended; `unanswered` were sent (or queued) on it without an answer and are to be sent again */
  ended(conn: PipelinedConn, unanswered: PipelinedRequest[]): void;
  /** an answer lacked `x-weka-pipelining`: the partner does not pipeline (no more requests go this way) */
  refused(): void;
}

/** One pipelined connection (see the module comment). */
export class PipelinedConn {
  /** requests sent or queued here, oldest first, not yet answered */
  readonly waiting: PipelinedRequest[] = [];
  #out: Uint8Array[] = [];
  #writing = false;
  #conn: Conn | undefined;
  #dead = false;

  constructor(connect: Promise<Deno.TcpConn>, private readonly owner: PipelineOwner) {
    connect.then((tcp) => {
      tcp.setNoDelay(true);
      this.#conn = new Conn(tcp);
      if (this.#dead) return this.#conn.close();
      this.#readLoop();
      this.#flush();
    }, (e) => this.fail(e as Error, false));
  }

  /** Requests queued in this turn, not written yet: another one joins their write. */
  get filling(): boolean {
    return this.#out.length > 0;
  }

  /** Whether requests can still go on this connection. */
  get alive(): boolean {
    return !this.#dead;
  }

  /** Queues `r`; it is written with the others queued in the same turn. */
  send(r: PipelinedRequest): void {
    this.waiting.push(r);
    this.#out.push(r.bytes);
    if (this.#out.length === 1) queueMicrotask(() => this.#flush());
  }

  async #flush(): Promise<void> {
    if (this.#writing || !this.#conn || this.#dead) return;
    this.#writing = true;
    try {
      while (this.#out.length && !this.#dead) {
        const parts = this.#out.splice(0);
        await writeAll(this.#conn.tcp, parts.length === 1 ? parts[0] : concatBytes(parts));
      }
    } catch (e) {
      this.fail(e as Error, isReset(e));
    } finally {
      this.#writing = false;
    }
  }

  async #readLoop(): Promise<void> {
    const conn = this.#conn!;
    try {
      for (;;) {
        const { response, keepAlive, pipelining } = await readResponse(conn);
        const r = this.waiting.shift();
        if (!r) throw new Error("the partner sent an answer to no request");
        r.resolve(response);
        if (!pipelining) this.owner.refused();
        if (!keepAlive) throw new ClosedEarly(true);
      }
    } catch (e) {
      // closed (or reset) before an answer began: the requests waiting are sent again; otherwise they fail
      this.fail(e as Error, (e instanceof ClosedEarly && e.none) || isReset(e));
    }
  }

  /**
   * Ends the connection. With `resend`, the requests waiting go back to the owner to be sent again, except those
   * sent again already, which fail with `error`; without, every one fails with it.
   */
  fail(error: Error, resend: boolean): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#conn?.close();
    this.#out = [];
    const waiting = this.waiting.splice(0);
    const again: PipelinedRequest[] = [];
    for (const r of waiting) {
      if (resend && !r.resent) again.push(r);
      else r.reject(error);
    }
    this.owner.ended(this, again);
  }
}
