"""A real S3 API on loopback for tests: ``with running_moto() as s3: s3.env(), s3.bucket_url``.

moto's server runs in its own process (``moto_server``) on 127.0.0.1 and a free port: ``deltalake`` holds
Python's GIL while it waits for some S3 answers, so a server in a thread of the same process would never answer.
Requests are authenticated like AWS's: the yielded keys belong to an IAM user allowed ``s3:*``, and any
other key is refused (``InvalidAccessKeyId``), so wrong credentials can be tested. One server serves every
block of a test process (it takes seconds to start): each block gets buckets of its own, emptied and deleted
when the block exits, and the server stops when the process does.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from ports import free_port

REGION = "us-east-1"


def no_machine_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials from the machine: boto's default chain finds nothing (and does not ask EC2's
    metadata), so only the DESTINATION__FILESYSTEM__* variables a test sets may reach the bucket."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
_ALLOW_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@dataclass(frozen=True)
class MotoS3:
    """A running moto S3 endpoint, an IAM user's keys and one created bucket."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    bucket: str
    region_name: str = REGION
    #: Every bucket of the block (this one, then each ``new_bucket``): deleted when the block exits.
    created: list[str] = field(default_factory=list, compare=False, repr=False)

    @property
    def bucket_url(self) -> str:
        """``s3://<bucket>``: the lake's ``bucket_url``."""
        return f"s3://{self.bucket}"

    def env(self, bucket_url: str | None = None, **overrides: str) -> dict[str, str]:
        """dlt env vars for the filesystem destination on this bucket (override any credential field)."""
        values = {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "endpoint_url": self.endpoint_url,
            "region_name": self.region_name,
            **overrides,
        }
        env = {"DESTINATION__FILESYSTEM__BUCKET_URL": bucket_url or self.bucket_url}
        env.update({f"DESTINATION__FILESYSTEM__CREDENTIALS__{k.upper()}": v for k, v in values.items()})
        return env

    def client(self) -> Any:
        """A boto3 S3 client with the user's keys."""
        import boto3  # here, not at the top: tests/conftest.py imports this module in every run

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region_name,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )

    def storage_options(self) -> dict[str, Any]:
        """s3fs keyword arguments for this endpoint (``fsspec.filesystem("s3", **options)``)."""
        return {"key": self.access_key_id, "secret": self.secret_access_key, "endpoint_url": self.endpoint_url,
                "client_kwargs": {"region_name": self.region_name}}

    def keys(self, prefix: str = "") -> list[str]:
        """Every object key in the bucket under ``prefix``."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def new_bucket(self, name: str | None = None) -> MotoS3:
        """Another bucket on the same server, with the same keys."""
        other = MotoS3(self.endpoint_url, self.access_key_id, self.secret_access_key, name or _bucket_name(),
                       created=self.created)
        other.client().create_bucket(Bucket=other.bucket)
        self.created.append(other.bucket)
        return other

    def delete_created(self) -> None:
        """Empty and delete every bucket of the block, so the shared server's memory stays small.

        Only a cleanup: a bucket that still holds objects after a few passes (one written while it was
        emptied) is left on the server, which ends with the test process."""
        from botocore.exceptions import ClientError

        client = self.client()
        for bucket in self.created:
            for _ in range(3):
                for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
                    doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                              for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
                    if doomed:
                        client.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
                try:
                    client.delete_bucket(Bucket=bucket)
                    break
                except ClientError as exc:
                    if exc.response.get("Error", {}).get("Code") != "BucketNotEmpty":
                        raise
        self.created.clear()


def _bucket_name() -> str:
    return f"ttb-lake-{uuid.uuid4().hex[:10]}"


@dataclass
class _Server:
    """The process's moto server and the keys of its IAM user."""

    process: subprocess.Popen[bytes]
    endpoint: str
    access_key_id: str
    secret_access_key: str


_server: _Server | None = None


def _shared_server() -> _Server:
    """The process's moto server, started (authentication on, one IAM user allowed ``s3:*``) on first use
    or when it died."""
    global _server
    if _server is not None and _server.process.poll() is None:
        return _server
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(endpoint, process)
        bootstrap = {"endpoint_url": endpoint, "region_name": REGION, "aws_access_key_id": "bootstrap",
                     "aws_secret_access_key": "bootstrap"}
        import boto3

        iam = boto3.client("iam", **bootstrap)
        iam.create_user(UserName="ttb-cola")
        iam.put_user_policy(UserName="ttb-cola", PolicyName="s3", PolicyDocument=json.dumps(_ALLOW_S3))
        key = iam.create_access_key(UserName="ttb-cola")["AccessKey"]
        # From now on every request must carry a known key with a policy that allows it.
        requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
    except BaseException:
        _stop(process)
        raise
    _server = _Server(process, endpoint, key["AccessKeyId"], key["SecretAccessKey"])
    atexit.register(_stop, process)
    return _server


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def running_moto(bucket: str | None = None) -> Iterator[MotoS3]:
    """moto's S3 on loopback for the block, with authentication on and one bucket created (the process's
    shared server: the block's buckets are deleted when it exits)."""
    server = _shared_server()
    s3 = MotoS3(server.endpoint, server.access_key_id, server.secret_access_key, bucket or _bucket_name())
    s3.client().create_bucket(Bucket=s3.bucket)
    s3.created.append(s3.bucket)
    try:
        yield s3
    finally:
        if server.process.poll() is None:
            s3.delete_created()


def _wait_until_up(endpoint: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not start on {endpoint}")
