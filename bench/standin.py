#!/usr/bin/env python3
"""bench/standin.py: a fast keep-alive stand-in for Cognito's sign-in, for
`make bench`. It answers InitiateAuth (USER_SRP_AUTH) with a canned
PASSWORD_VERIFIER challenge (SALT, SRP_B and SECRET_BLOCK from the first
user case of tests/vectors/srp.json) and RespondToAuthChallenge with canned
tokens, without checking the SRP proof, so that a load run measures the
client. HTTP/1.1 with keep-alive, on asyncio.

  standin.py [--port N] [--hold SECONDS]     prints "port=N" when listening
  GET /stats -> {"cpu_seconds": ..., "requests": ..., "sign_ins": ...}
  (this process's CPU since it started: the s of the workers ceiling)

--hold delays every answer, so that many sign-ins are in flight at once (the
memory-per-in-flight measure)."""
import argparse
import asyncio
import json
import os
import resource
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def canned():
    with open(os.path.join(HERE, "..", "tests", "vectors", "srp.json")) as f:
        case = [c for c in json.load(f)["cases"] if c["kind"] == "user"][0]
    # %(n)s: each answer's session and tokens differ, as Cognito's do (the
    # client holds every one as a secret, and that costs what it costs)
    challenge = json.dumps({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {"SALT": case["salt"], "SECRET_BLOCK": case["secret_block"],
                                "SRP_B": case["srp_b"], "USERNAME": "load-user", "USER_ID_FOR_SRP": "load-user"},
        "Session": "s" * 890 + "%(n)s",
    })
    tokens = json.dumps({
        "AuthenticationResult": {"AccessToken": "a" * 990 + "%(n)s", "ExpiresIn": 3600,
                                 "IdToken": "i" * 990 + "%(n)s", "RefreshToken": "r" * 390 + "%(n)s",
                                 "TokenType": "Bearer"},
        "ChallengeParameters": {},
    })
    return challenge, tokens


CHALLENGE, TOKENS = canned()
COUNT = {"requests": 0, "sign_ins": 0}


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def handle(reader, writer, hold):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            n = int(headers.get("content-length", "0"))
            if n:
                await reader.readexactly(n)
            COUNT["requests"] += 1
            target = headers.get("x-amz-target", "")
            if method == "GET" and path == "/stats":
                body = json.dumps(dict(COUNT, cpu_seconds=cpu())).encode()
            elif target.endswith(".InitiateAuth"):
                body = (CHALLENGE % {"n": "%010d" % COUNT["requests"]}).encode()
            elif target.endswith(".RespondToAuthChallenge"):
                COUNT["sign_ins"] += 1
                body = (TOKENS % {"n": "%010d" % COUNT["requests"]}).encode()
            else:
                body = b'{"__type":"InvalidParameterException","message":"the stand-in answers sign-ins only"}'
            if hold:
                await asyncio.sleep(hold)
            status = b"200 OK" if not body.startswith(b'{"__type"') else b"400 Bad Request"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/x-amz-json-1.1\r\n"
                         b"x-amzn-RequestId: standin\r\nContent-Length: " + str(len(body)).encode() +
                         b"\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--hold", type=float, default=0)
    o = ap.parse_args()
    server = await asyncio.start_server(lambda r, w: handle(r, w, o.hold), "127.0.0.1", o.port, backlog=4096)
    print("port=%d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
