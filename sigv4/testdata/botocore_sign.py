#!/usr/bin/env python3
"""Sign HTTP requests with botocore, for sigv4's cross-check test.

Reads a JSON list of requests on stdin and writes a JSON list of signed
requests ({"url": ..., "headers": [[name, value], ...]}) on stdout. Each
input has: service, region, method, url (already percent-encoded, as
botocore's serializers produce it), headers (object), body (string),
access_key, secret_key, token (or null), timestamp ("YYYYMMDDTHHMMSSZ"),
and presign_expires (seconds; 0 signs the Authorization header).

S3 uses S3SigV4Auth / S3SigV4QueryAuth, every other service SigV4Auth /
SigV4QueryAuth: the signers the AWS CLI picks for those services.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(spec):
    fixed = datetime.datetime.strptime(spec["timestamp"], "%Y%m%dT%H%M%SZ")
    # botocore takes the signing time from this function.
    botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed

    creds = Credentials(spec["access_key"], spec["secret_key"], spec.get("token"))
    s3 = spec["service"] == "s3"
    expires = spec.get("presign_expires") or 0
    if expires:
        cls = botocore.auth.S3SigV4QueryAuth if s3 else botocore.auth.SigV4QueryAuth
        signer = cls(creds, spec["service"], spec["region"], expires=expires)
    else:
        cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
        signer = cls(creds, spec["service"], spec["region"])

    body = spec.get("body") or ""
    req = AWSRequest(
        method=spec["method"],
        url=spec["url"],
        headers=spec.get("headers") or {},
        data=body.encode("utf-8"),
    )
    signer.add_auth(req)
    prepared = req.prepare()
    return {
        "url": prepared.url,
        "headers": [[k, v if isinstance(v, str) else v.decode()] for k, v in prepared.headers.items()],
    }


def main():
    specs = json.load(sys.stdin)
    json.dump([sign(s) for s in specs], sys.stdout)


if __name__ == "__main__":
    main()
