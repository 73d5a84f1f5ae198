#!/usr/bin/env python3
"""A local HTTP server that misbehaves on purpose, for mfakit's tests.

Listens on 127.0.0.1 (port from argv[1], 0 = any) and prints the port.
Fixed paths:
  /echo             answers 200 with the request (method, path, headers, body) as JSON
  /status/N         answers N with a small JSON body
  /slow?s=SECONDS   waits, then answers 200
  /big?n=BYTES      answers n bytes of 'x'
  /redirect         answers 302 to /echo
  /truncated        promises more bytes than it sends, then closes
  /hostile/...      gzip bombs, huge bodies and headers, floods, endless
                    pages, silence: see tests/fault_hostile.py
Scripted answers (any other path, e.g. an AWS client pointed here):
  POST /_script     body: JSON list of answers, served in order to the next
                    requests: {"status", "headers", "body", "delay", "truncate",
                    "echo"}; with "echo": true, each {Name} in the body and the
                    header values becomes the value of the first field Name in
                    the request's JSON body (at any depth) or form body: a
                    server that echoes secrets back (for "password was {PASSWORD}")
  GET  /_requests   the requests received since the last /_reset, as JSON
  POST /_reset      clears the script and the record
Nothing here reaches beyond loopback.
"""
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import fault_hostile

LOCK = threading.Lock()


def find_field(doc, name):
    """The first value of field `name` anywhere in a decoded JSON document."""
    if isinstance(doc, dict):
        if name in doc and isinstance(doc[name], str):
            return doc[name]
        doc = list(doc.values())
    if isinstance(doc, list):
        for v in doc:
            found = find_field(v, name)
            if found is not None:
                return found
    return None


def echo_fields(template, request_body):
    """{Name} in template -> that field of the request, JSON-escaped (no quotes)."""
    try:
        doc = json.loads(request_body or b"null")
    except ValueError:
        doc = {k: v[0] for k, v in parse_qs(request_body.decode("utf-8", "replace")).items()}

    def value(m):
        v = find_field(doc, m.group(1))
        return json.dumps(v)[1:-1] if v is not None else m.group(0)
    return re.sub(r"\{([A-Za-z_][\w.]*)\}", value, template)
SCRIPT = []
RECORD = []


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body=b"", headers=None, truncate=False):
        if isinstance(body, str):
            body = body.encode()
        if status in (204, 304):
            body = b""  # these never carry a body (RFC 9110)
        self.send_response(status)
        headers = headers or {}
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Type" not in headers:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + (100 if truncate else 0)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if truncate:
            self.close_connection = True

    def _handle(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        body = self._body()
        if url.path == "/_script" and self.command == "POST":
            with LOCK:
                SCRIPT.extend(json.loads(body or b"[]"))
            return self._send(200, "{}")
        if url.path == "/_reset":
            with LOCK:
                SCRIPT.clear()
                RECORD.clear()
            return self._send(200, "{}")
        if url.path == "/_requests":
            with LOCK:
                return self._send(200, json.dumps(RECORD))
        with LOCK:
            RECORD.append({"method": self.command, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()},
                           "body": body.decode("utf-8", "replace")})
            answer = SCRIPT.pop(0) if SCRIPT else None
        if answer is not None:
            time.sleep(answer.get("delay", 0))
            out, headers = answer.get("body", ""), answer.get("headers")
            if answer.get("echo"):
                out = echo_fields(out, body)
                headers = {k: echo_fields(v, body) for k, v in (headers or {}).items()}
            return self._send(answer.get("status", 200), out, headers, answer.get("truncate", False))
        if fault_hostile.handle(self, url.path, q, body):
            return None
        if url.path == "/echo":
            return self._send(200, json.dumps({
                "method": self.command, "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")}))
        if url.path.startswith("/status/"):
            return self._send(int(url.path.split("/")[2]), '{"status": "as asked"}')
        if url.path == "/slow":
            time.sleep(float(q.get("s", ["1"])[0]))
            return self._send(200, '{"slow": true}')
        if url.path == "/big":
            return self._send(200, b"x" * int(q.get("n", ["1000000"])[0]),
                              {"Content-Type": "application/octet-stream"})
        if url.path == "/redirect":
            return self._send(302, "", {"Location": "/echo"})
        if url.path == "/truncated":
            return self._send(200, '{"Abc": "trunc', truncate=True)
        return self._send(404, '{"error": "no such path"}')

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def do_HEAD(self):
        self._send(200)


class Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default 5 makes concurrent clients wait on SYN retries
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
