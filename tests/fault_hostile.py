"""Hostile answers for tests/fault_server.py: what a broken or malicious
server can send to make a client use unbounded memory, time or requests.

Paths (an AWS client's endpoint may point at any of them: its requests then
go to PATH/, so a size may also be given as a path segment: /hostile/big/3):
  /hostile/gzip-bomb?mb=N    200, gzip body that expands to N MiB of zeros (2048)
  /hostile/big?mb=N          200 with an N MiB body (100)
  /hostile/header?mb=N       200 with one N MiB response header (10)
  /hostile/headers?n=N       200 with N headers of 1 KiB each (10000)
  /hostile/error?mb=N        400, a JSON AWS error whose message is N MiB (100)
  /hostile/eyj?kb=N          400, a JSON AWS error whose message is N KiB of "eyJ" (128)
  /hostile/lt?kb=N           503, N KiB of "<" (128)
  /hostile/trace-eyj?mb=N    200, N MiB of "eyJ..." inside a JSON string (10)
  /hostile/pages             200, the same NextToken / PaginationToken / Marker
                             forever, for every List* operation
  /hostile/silent?s=N        reads the request, answers nothing for N s (30), closes
  /hostile/drop              reads the request and closes without an answer
Big bodies are streamed as they are written, so the server stops as soon as
the client hangs up.
"""
import json
import time
import zlib

MIB = 1 << 20
CHUNK = 64 * 1024


def _num(q, name, default):
    return int(float(q.get(name, [str(default)])[0]))


def _head(h, status, headers, length=None):
    h.send_response(status)
    for k, v in headers.items():
        h.send_header(k, v)
    if length is None:
        h.send_header("Transfer-Encoding", "chunked")
    else:
        h.send_header("Content-Length", str(length))
    h.send_header("Connection", "close")
    h.end_headers()
    h.close_connection = True


def _stream(h, parts):
    """Writes the parts as chunks until the client hangs up."""
    try:
        for p in parts:
            if p:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(p), p))
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass


def _repeat(prefix, unit, total, suffix):
    yield prefix
    block = unit * (CHUNK // len(unit))
    sent = 0
    while sent < total:
        yield block[:total - sent]
        sent += len(block)
    yield suffix


def _gzip_bomb(mb):
    z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    zeros = b"\0" * MIB
    for _ in range(mb):
        yield z.compress(zeros)
    yield z.flush()


def _error_parts(code, unit, total):
    return _repeat(b'{"__type": "%s", "message": "' % code.encode(), unit, total, b'"}')


PAGES = {  # operation -> (list member, token member)
    "ListUserPools": ("UserPools", "NextToken"),
    "ListUserPoolClients": ("UserPoolClients", "NextToken"),
    "ListDevices": ("Devices", "PaginationToken"),
    "ListUsers": ("Users", "PaginationToken"),
    "ListGroups": ("Groups", "NextToken"),
    "ListIdentityProviders": ("Providers", "NextToken"),
}


def _pages(h, body):
    target = h.headers.get("X-Amz-Target") or ""
    op = target.rpartition(".")[2]
    if op:
        member, token = PAGES.get(op, ("Items", "NextToken"))
        doc = {member: [], token: "same-token-every-time"}
        if op == "DescribeUserPool":  # a pool, so that doctor goes on to list its clients
            doc = {"UserPool": {"Id": "us-east-1_hostile", "Name": "hostile", "MfaConfiguration": "OFF"}}
        out = json.dumps(doc).encode()
        _head(h, 200, {"Content-Type": "application/x-amz-json-1.1"}, len(out))
        h.wfile.write(out)
        return
    form = dict(p.split("=", 1) for p in body.decode("utf-8", "replace").split("&") if "=" in p)
    op = form.get("Action", "ListThings")
    out = ("<{op}Response><{op}Result><IsTruncated>true</IsTruncated><Marker>same</Marker>"
           "<NextToken>same</NextToken><IsInSandbox>true</IsInSandbox></{op}Result><ResponseMetadata><RequestId>r</RequestId>"
           "</ResponseMetadata></{op}Response>").format(op=op).encode()
    _head(h, 200, {"Content-Type": "text/xml"}, len(out))
    h.wfile.write(out)


def handle(h, path, q, body):
    """Answers a /hostile/... request; False if the path is not one."""
    if not path.startswith("/hostile/"):
        return False
    name, _, arg = path[len("/hostile/"):].strip("/").partition("/")
    if arg:  # /hostile/NAME/N: N is the size (or the seconds) the query would give
        q = {k: [arg] for k in ("mb", "kb", "n", "s")}
    if name == "gzip-bomb":
        _head(h, 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
        _stream(h, _gzip_bomb(_num(q, "mb", 2048)))
    elif name == "big":
        _head(h, 200, {"Content-Type": "application/json"})
        _stream(h, _repeat(b'{"x": "', b"x", _num(q, "mb", 100) * MIB, b'"}'))
    elif name == "header":
        h.send_response(200)
        try:
            h.send_header("X-Huge", "h" * (_num(q, "mb", 10) * MIB))
            h.send_header("Content-Length", "2")
            h.end_headers()
            h.wfile.write(b"{}")
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
    elif name == "headers":
        h.send_response(200)
        try:
            for i in range(_num(q, "n", 10000)):
                h.send_header("X-Many-%d" % i, "m" * 1024)
            h.send_header("Content-Length", "2")
            h.end_headers()
            h.wfile.write(b"{}")
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
    elif name == "error":
        _head(h, 400, {"Content-Type": "application/x-amz-json-1.1"})
        _stream(h, _error_parts("InvalidParameterException", b"m", _num(q, "mb", 100) * MIB))
    elif name == "eyj":
        out = b"".join(_error_parts("NotAuthorizedException", b"eyJ", _num(q, "kb", 128) * 1024))
        _head(h, 400, {"Content-Type": "application/x-amz-json-1.1"}, len(out))
        h.wfile.write(out)
    elif name == "lt":
        out = b"<" * (_num(q, "kb", 128) * 1024)
        _head(h, 503, {"Content-Type": "text/html"}, len(out))
        h.wfile.write(out)
    elif name == "trace-eyj":
        _head(h, 200, {"Content-Type": "application/x-amz-json-1.1"})
        _stream(h, _repeat(b'{"Note": "', b"eyJ", _num(q, "mb", 10) * MIB, b'"}'))
    elif name == "pages":
        _pages(h, body)
    elif name == "silent":
        time.sleep(float(q.get("s", ["30"])[0]))
        h.close_connection = True
    elif name == "drop":
        h.close_connection = True
    else:
        h.send_error(404)
    return True
