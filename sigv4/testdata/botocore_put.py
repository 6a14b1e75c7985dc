#!/usr/bin/env python3
"""PutObject with botocore's S3 client (what the AWS CLI uses), default settings.

Reads a JSON list of jobs ({"endpoint", "key", "size", "algorithm"}) on
stdin, uploads size bytes (i % 251) to bucket "bucket" for each, and writes
a JSON list of error strings ("" for success) on stdout. Credentials come
from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. TLS certificates are not
verified: the endpoints are test servers.
"""
import json
import sys
import warnings

import botocore.session
from botocore.config import Config


def put(session, job):
    client = session.create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=job["endpoint"],
        verify=False,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    kwargs = {
        "Bucket": "bucket",
        "Key": job["key"],
        "Body": bytes(i % 251 for i in range(job["size"])),
    }
    if job.get("algorithm"):
        kwargs["ChecksumAlgorithm"] = job["algorithm"]
    client.put_object(**kwargs)


def main():
    warnings.filterwarnings("ignore")
    session = botocore.session.get_session()
    results = []
    for job in json.load(sys.stdin):
        try:
            put(session, job)
            results.append("")
        except Exception as e:  # reported to the Go test
            results.append(repr(e))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
