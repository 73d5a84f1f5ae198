#!/usr/bin/env python3
"""Test oracle: makes AWS calls with boto3 and prints the parsed results.

    python3 tests/oracle/boto3_calls.py ENDPOINT < calls.json

calls.json is a list of [service, operation, params]. Prints a JSON list of
results as boto3 parses them (ResponseMetadata dropped, timestamps as
{"__timestamp__": iso}). tests/test_aws.lua compares mfakit's parse of the
same calls against this, so boto3 is the reference for result shapes.
"""
import datetime
import json
import sys

import boto3


def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != "ResponseMetadata"}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, datetime.datetime):
        return {"__timestamp__": v.isoformat()}
    return v


def main():
    endpoint = sys.argv[1]
    calls = json.load(sys.stdin)
    clients = {}
    out = []
    for service, op, params in calls:
        if service not in clients:
            clients[service] = boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                                            aws_access_key_id="testing", aws_secret_access_key="testing")
        client = clients[service]
        method = getattr(client, client.meta.method_to_api_mapping and
                         {v: k for k, v in client.meta.method_to_api_mapping.items()}[op])
        out.append(plain(method(**params)))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
