/**
 * The control and HA listeners' HTTP/1.1 request parser (mod/control/http_request.ts) on real request bytes: what
 * curl, Kea's HA client and weka's own client send, split at every byte, pipelined and chunked; and each refusal
 * with its status: 400 malformed, 413 too large (seen before the body is read), 431 head too large, 501 unknown
 * transfer coding.
 */
import assert from "node:assert/strict";
import { HttpParseError, type HttpRequest, pathOf, RequestParser } from "../../mod/control/http_request.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** What curl 7.88 sends for `curl -u admin:pw -d '{"command":"version-get"}' http://127.0.0.1:8000/`. */
const CURL = "POST / HTTP/1.1\r\n" + //
  "Host: 127.0.0.1:8000\r\n" + //
  "Authorization: Basic YWRtaW46cHc=\r\n" + // base64("admin:pw")
  "User-Agent: curl/7.88.1\r\n" + //
  "Accept: */*\r\n" + //
  "Content-Length: 25\r\n" + //
  "Content-Type: application/x-www-form-urlencoded\r\n" + //
  "\r\n" + //
  '{"command":"version-get"}';

function all(p: RequestParser): HttpRequest[] {
  const out: HttpRequest[] = [];
  for (let r = p.next(); r; r = p.next()) out.push(r);
  return out;
}

function refusal(text: string, limits?: ConstructorParameters<typeof RequestParser>[0]): HttpParseError {
  const p = new RequestParser(limits);
  p.push(enc.encode(text));
  try {
    while (p.next());
  } catch (e) {
    assert.ok(e instanceof HttpParseError);
    return e;
  }
  throw new Error("accepted: " + JSON.stringify(text));
}

Deno.test("http parser: curl's request, whole and one byte at a time", () => {
  for (const step of [CURL.length, 1, 7]) {
    const p = new RequestParser();
    const got: HttpRequest[] = [];
    const bytes = enc.encode(CURL);
    for (let i = 0; i < bytes.length; i += step) {
      p.push(bytes.subarray(i, i + step));
      got.push(...all(p));
      if (i + step < bytes.length) assert.equal(got.length, 0);
    }
    assert.equal(got.length, 1);
    const r = got[0];
    assert.equal(r.method, "POST");
    assert.equal(r.path, "/");
    assert.equal(r.version, "HTTP/1.1");
    assert.equal(r.headers.get("authorization"), "Basic YWRtaW46cHc=");
    assert.equal(dec.decode(r.body), '{"command":"version-get"}');
    assert.equal(r.keepAlive, true);
    assert.equal(p.midRequest, false);
  }
});

Deno.test("http parser: pipelined requests come out in order; keep-alive by version and Connection", () => {
  const p = new RequestParser();
  p.push(enc.encode(
    "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n" +
      "GET /?x=1 HTTP/1.0\r\n\r\n" +
      "GET http://10.0.0.1:8000/status#top HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET / HT",
  ));
  const [a, b, c] = all(p);
  assert.deepEqual([a.path, a.keepAlive], ["/metrics", false]);
  assert.deepEqual([b.path, b.keepAlive, b.body.length], ["/", false, 0]);
  assert.deepEqual([c.path, c.keepAlive], ["/status", true]);
  assert.equal(p.midRequest, true); // the fourth has begun
  assert.equal(pathOf("http://h"), "/");
});

Deno.test("http parser: chunked bodies with extensions and trailers", () => {
  const p = new RequestParser();
  const text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
    '7;ext=1\r\n{"comma\r\n' + '10\r\nnd":"list-comman\r\n' + '4\r\nds"}\r\n' + "0\r\nX-Trailer: 1\r\n\r\n";
  const bytes = enc.encode(text);
  const got: HttpRequest[] = [];
  for (let i = 0; i < bytes.length; i++) {
    p.push(bytes.subarray(i, i + 1));
    got.push(...all(p));
  }
  assert.equal(got.length, 1);
  assert.equal(dec.decode(got[0].body), '{"command":"list-commands"}');
});

Deno.test("http parser: an oversized body is refused (413) once the head is seen, before any body byte", () => {
  const p = new RequestParser({ maxHeaderBytes: 1024, maxHeaders: 8, maxBodyBytes: 100 });
  p.push(enc.encode("POST / HTTP/1.1\r\nContent-Length: 101\r\nExpect: 100-continue\r\n\r\n"));
  assert.equal(p.next(), undefined);
  assert.equal(p.pendingHead?.headers.get("expect"), "100-continue"); // a listener can answer 401 first
  assert.equal(p.refused, true);
  assert.throws(() => p.next(), (e) => e instanceof HttpParseError && e.status === 413);
  const chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "a".repeat(100) + "\r\n1\r\nb\r\n";
  assert.equal(refusal(chunked, { maxHeaderBytes: 1024, maxHeaders: 8, maxBodyBytes: 100 }).status, 413);
});

Deno.test("http parser: malformed requests are refused with their status", () => {
  const cases: [string, number, RegExp][] = [
    ["GARBAGE\r\n\r\n", 400, /request line/],
    ["GET / HTTP/2.0\r\n\r\n", 400, /request line/],
    ["GET  / HTTP/1.1\r\n\r\n", 400, /request line/],
    ["GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400, /header field/],
    ["GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, /header field/],
    ["POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, /both/],
    ["POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, /Content-Length/],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, /gzip/],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, /chunk size/],
    ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 400, /CRLF/],
    ["GET / HTTP/1.1\r\n" + "X-A: 1\r\n".repeat(65) + "\r\n", 431, /more than 64 header fields/],
    ["GET / HTTP/1.1\r\nX-Big: " + "a".repeat(17_000), 431, /larger than 16384/],
  ];
  for (const [text, status, re] of cases) {
    const e = refusal(text);
    assert.equal(e.status, status, `${JSON.stringify(text.slice(0, 60))}: ${e.message}`);
    assert.match(e.message, re);
  }
});
