"""CloudTrail's LookupEvents for the fake Cognito (tests/fake_cognito.py), which moto lacks.

Event records are loaded by the tests through POST /_control/cloudtrail, as the
JSON records CloudTrail keeps (eventVersion, userIdentity, eventTime, eventSource,
eventName, awsRegion, requestParameters, errorCode, ...). LookupEvents answers them
in the shape of the AWS CloudTrail API Reference, "LookupEvents" and "Event"
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html):
newest first, each with the record as the CloudTrailEvent string, and with the
documented limits enforced so a client that breaks them fails here as on AWS:
  - at most one lookup attribute (InvalidLookupAttributesException);
  - MaxResults 1 to 50 (InvalidMaxResultsException);
  - only the last 90 days are kept;
  - two requests per second per account and region: a request within one second
    of the second-last one answered gets ThrottlingException (and does not count).
"""
import base64
import calendar
import json
import time

NINETY_DAYS = 90 * 86400
ATTRIBUTES = {"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource",
              "AccessKeyId"}


class CloudTrailError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def epoch(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


def user_name(record):
    who = record.get("userIdentity") or {}
    return who.get("userName") or (who.get("sessionContext") or {}).get("sessionIssuer", {}).get("userName") \
        or who.get("principalId")


def resources(record):
    out = []
    pool = (record.get("requestParameters") or {}).get("userPoolId")
    if pool:
        out.append({"ResourceType": "AWS::Cognito::UserPool", "ResourceName": pool})
    return out


def event_of(record):
    out = {"EventId": record["eventID"], "EventName": record["eventName"],
           "ReadOnly": "true" if record.get("readOnly") else "false", "EventTime": epoch(record["eventTime"]),
           "EventSource": record["eventSource"], "Resources": resources(record),
           "CloudTrailEvent": json.dumps(record)}
    key = (record.get("userIdentity") or {}).get("accessKeyId")
    if key:
        out["AccessKeyId"] = key
    name = user_name(record)
    if name:
        out["Username"] = name
    return out


def matches(record, attr):
    key, value = attr.get("AttributeKey"), attr.get("AttributeValue")
    if key == "EventName":
        return record["eventName"] == value
    if key == "EventSource":
        return record["eventSource"] == value
    if key == "EventId":
        return record["eventID"] == value
    if key == "Username":
        return user_name(record) == value
    if key == "ReadOnly":
        return ("true" if record.get("readOnly") else "false") == value
    if key == "AccessKeyId":
        return (record.get("userIdentity") or {}).get("accessKeyId") == value
    if key == "ResourceName":
        return any(r["ResourceName"] == value for r in resources(record))
    if key == "ResourceType":
        return any(r["ResourceType"] == value for r in resources(record))
    return False


class CloudTrail:
    def __init__(self):
        self.records = []
        self.calls = []  # the times of LookupEvents requests, for the rate limit

    def load(self, records):
        for r in records:
            for field in ("eventID", "eventName", "eventTime", "eventSource"):
                if not isinstance(r.get(field), str):
                    raise ValueError(f"a CloudTrail record needs {field}")
            epoch(r["eventTime"])
            self.records.append(r)
        return {"records": len(self.records)}

    def lookup(self, req, now, clock):
        # a refused request does not count: a client that backs off gets through
        if len(self.calls) >= 2 and clock - self.calls[-2] < 1.0:
            raise CloudTrailError("ThrottlingException", "Rate exceeded")
        self.calls.append(clock)
        attrs = req.get("LookupAttributes") or []
        if len(attrs) > 1:
            raise CloudTrailError("InvalidLookupAttributesException", "You cannot specify more than one lookup "
                                  "attribute.")
        for a in attrs:
            if a.get("AttributeKey") not in ATTRIBUTES or not a.get("AttributeValue"):
                raise CloudTrailError("InvalidLookupAttributesException", "Invalid lookup attribute.")
        limit = req.get("MaxResults", 50)
        if not isinstance(limit, int) or not 1 <= limit <= 50:
            raise CloudTrailError("InvalidMaxResultsException", "MaxResults must be 1 to 50.")
        start, end = req.get("StartTime"), req.get("EndTime")
        if start is not None and end is not None and start > end:
            raise CloudTrailError("InvalidTimeRangeException", "StartTime is after EndTime.")
        kept = [r for r in self.records if epoch(r["eventTime"]) >= now - NINETY_DAYS
                and (start is None or epoch(r["eventTime"]) >= start)
                and (end is None or epoch(r["eventTime"]) <= end)
                and all(matches(r, a) for a in attrs)]
        kept.sort(key=lambda r: r["eventTime"], reverse=True)
        token = req.get("NextToken")
        offset = 0
        if token:
            try:
                offset = int(base64.b64decode(token).decode().split(":", 1)[1])
            except (ValueError, IndexError):
                raise CloudTrailError("InvalidNextTokenException", "Invalid NextToken.") from None
        page = kept[offset:offset + limit]
        out = {"Events": [event_of(r) for r in page]}
        if offset + limit < len(kept):
            out["NextToken"] = base64.b64encode(f"page:{offset + limit}".encode()).decode()
        return out
