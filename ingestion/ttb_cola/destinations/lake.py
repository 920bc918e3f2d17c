"""The lake: dlt's filesystem destination on a bucket (``s3://`` or ``file://``), checked before use.

Layout under ``bucket_url`` (dlt's filesystem layout, dataset ``ttb_cola``; every table a Delta table,
see :mod:`ttb_cola.destinations.lake_tables`)::

    <bucket_url>/ttb_cola/cola_details/_delta_log/, part-*.parquet   (and cola_forms, cola_listings)
    <bucket_url>/ttb_cola/cola_label_images/, crawl_partitions/, crawl_searches/, cola_status_log/
    <bucket_url>/ttb_cola/_dlt_loads/, _dlt_pipeline_state/, _dlt_version/   (dlt's own: state restores from here)
    <bucket_url>/raw/year=YYYY/month=MM/day=DD/receipt_method=MMM/<ttbid>.<kind>.html.gz   (raw archive)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import dlt
from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.configuration.specs import AwsCredentials
from dlt.common.storages.configuration import FilesystemConfiguration
from dlt.common.storages.fsspec_filesystem import prepare_fsspec_args

from ttb_cola.archive import DEFAULT_ARCHIVE_DIR
from ttb_cola.destinations.resolved_config import with_resolved_config
from ttb_cola.errors import InputError
from ttb_cola.registry.errors import redact_url

# Its own pipeline name, so the local working state of a DuckDB run never stands in for the lake's.
LAKE_PIPELINE_NAME = "ttb_cola_lake"
RAW_PREFIX = "raw"
SUPPORTED_PROTOCOLS = ("s3", "file")

_ENV = "DESTINATION__FILESYSTEM__"
_CREDENTIAL_HINTS = {
    "InvalidAccessKeyId": "the aws_access_key_id is not known to the store",
    "SignatureDoesNotMatch": "the aws_secret_access_key is wrong",
    "InvalidToken": "the aws_session_token is invalid",
    "ExpiredToken": "the aws_session_token has expired",
    "AccessDenied": "these credentials may not list the bucket",
    "AllAccessDisabled": "access to the bucket is disabled",
    "NoSuchBucket": "the bucket does not exist",
    "PermanentRedirect": "the bucket is in another region: set region_name",
    "AuthorizationHeaderMalformed": "the bucket is in another region: set region_name",
}


class LakeError(InputError):
    """The lake is misconfigured or unreachable: one line, raised before anything is written."""


@dataclass(frozen=True)
class Lake:
    """A resolved lake location: dlt's filesystem configuration and where the raw archive goes."""

    config: FilesystemConfiguration

    @property
    def shown_url(self) -> str:
        """``bucket_url`` for messages: any ``user:password@`` removed."""
        return redact_url(self.bucket_url)

    @property
    def bucket_url(self) -> str:
        """The normalized bucket URL (local paths become ``file://`` URLs)."""
        return str(self.config.bucket_url).rstrip("/")

    @property
    def protocol(self) -> str:
        """``s3`` or ``file``."""
        return str(self.config.protocol)

    def storage_options(self) -> dict[str, Any]:
        """fsspec keyword arguments with the destination's credentials and endpoint (s3fs for ``s3``)."""
        return {} if self.protocol == "file" else prepare_fsspec_args(self.config)

    def delta_storage_options(self) -> dict[str, str]:
        """``deltalake`` (object_store) options with the destination's credentials and endpoint."""
        if self.protocol == "file":
            return {}
        return dict(self.aws_credentials().to_object_store_rs_credentials())

    def aws_credentials(self) -> AwsCredentials:
        """The bucket's S3 credentials (an ``s3://`` lake: :func:`resolve_lake` accepts no other bucket)."""
        credentials = self.config.credentials
        if not isinstance(credentials, AwsCredentials):
            raise LakeError(f"the lake at {self.bucket_url} has no S3 credentials")
        return credentials

    def table_uri(self, dataset: str, table: str) -> str:
        """Where dlt keeps ``table`` of ``dataset``: its Delta table's folder (a local path on ``file://``)."""
        if self.protocol == "file":
            return f"{self.config.make_local_path(self.bucket_url)}/{dataset}/{table}"
        return f"{self.bucket_url}/{dataset}/{table}"

    def archive(self, archive_url: str | None) -> tuple[str, dict[str, Any]]:
        """The raw archive's URL and fsspec options: ``<bucket_url>/raw`` unless another place is configured.

        The default archive directory (``data/raw``) means "beside the data", so on the lake it moves into
        the bucket; an explicit URL on the same protocol gets the destination's credentials too.
        """
        if not archive_url or archive_url.rstrip("/") == DEFAULT_ARCHIVE_DIR:
            return f"{self.bucket_url}/{RAW_PREFIX}", self.storage_options()
        same_protocol = urlparse(archive_url).scheme == self.protocol and self.protocol != "file"
        return archive_url, self.storage_options() if same_protocol else {}

    def destination(self) -> Any:
        """dlt's filesystem destination on exactly the checked bucket and credentials, its client
        configuration resolved once (:mod:`ttb_cola.destinations.resolved_config`)."""
        credentials = self.config.credentials if self.protocol != "file" else None
        factory = dlt.destinations.filesystem(bucket_url=self.config.bucket_url, credentials=credentials)
        return with_resolved_config(factory)


def resolve_lake() -> Lake:
    """The lake as configured (``[destination.filesystem]``, env vars), without touching the network.

    Raises:
        LakeError: no ``bucket_url``, an unsupported protocol, or no credentials for an ``s3://`` bucket.
    """
    try:
        config = resolve_configuration(FilesystemConfiguration(), sections=("destination", "filesystem"))
    except ConfigFieldMissingException as exc:
        if "bucket_url" in exc.fields:
            raise LakeError(
                "DESTINATION=filesystem needs a bucket_url: set destination.filesystem.bucket_url in "
                f".dlt/secrets.toml or {_ENV}BUCKET_URL (s3://bucket/prefix or file:///path)"
            ) from None
        url: str = dlt.config.get("destination.filesystem.bucket_url") or "the bucket"
        raise LakeError(
            f"no S3 credentials for {url}: set aws_access_key_id and aws_secret_access_key under "
            f"[destination.filesystem.credentials] in .dlt/secrets.toml or {_ENV}CREDENTIALS__AWS_ACCESS_KEY_ID "
            f"and {_ENV}CREDENTIALS__AWS_SECRET_ACCESS_KEY"
        ) from None
    except ValueError as exc:  # dlt rejects a malformed bucket_url while resolving
        raise LakeError(f"bad bucket_url: {str(exc).splitlines()[0]}") from None
    lake = Lake(config)
    if lake.protocol not in SUPPORTED_PROTOCOLS:
        raise LakeError(f"bucket_url {lake.shown_url}: protocol {lake.protocol!r} is not supported (s3:// or file://)")
    return lake


def check_lake(lake: Lake, timeout: float = 10.0) -> None:
    """Make sure the bucket answers with these credentials (one LIST of at most one key) or the folder is usable.

    Raises:
        LakeError: one line naming the bucket and the store's error code (``NoSuchBucket``, ...).
    """
    if lake.protocol == "file":
        _check_local(lake)
    else:
        _check_s3(lake, timeout)


def _check_local(lake: Lake) -> None:
    path = lake.config.make_local_path(lake.config.bucket_url)
    existing = path
    while not os.path.exists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not os.path.isdir(existing):
        raise LakeError(f"cannot use the lake at {lake.shown_url}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise LakeError(f"cannot use the lake at {lake.shown_url}: {existing} is not writable")


def _check_s3(lake: Lake, timeout: float) -> None:
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

    url = urlparse(lake.bucket_url)
    bucket, prefix = url.netloc, url.path.strip("/")
    credentials = lake.aws_credentials()
    endpoint = credentials.endpoint_url
    try:
        session_credentials = credentials.to_session_credentials()
        client = botocore.session.Session(profile=credentials.profile_name).create_client(
            "s3",
            region_name=credentials.region_name,
            endpoint_url=endpoint,
            aws_access_key_id=session_credentials["aws_access_key_id"],
            aws_secret_access_key=session_credentials["aws_secret_access_key"],
            aws_session_token=session_credentials["aws_session_token"],
            config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 2}),
        )
        client.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code") or str(exc.response.get("ResponseMetadata", {}).get(
            "HTTPStatusCode", "error"))
        hint = _CREDENTIAL_HINTS.get(code)
        raise LakeError(f"cannot reach bucket {lake.shown_url}: {code}" + (f" ({hint})" if hint else "")) from None
    except NoCredentialsError:
        raise LakeError(f"no S3 credentials for {lake.shown_url}: set [destination.filesystem.credentials]") from None
    except EndpointConnectionError as exc:
        where = f"endpoint {endpoint}" if endpoint else "S3"
        reason = f"{where} is unreachable ({type(exc).__name__})"
        raise LakeError(f"cannot reach bucket {lake.shown_url}: {reason}") from None
    except (BotoCoreError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise LakeError(f"cannot reach bucket {lake.shown_url}: {type(exc).__name__}: {first}") from None


def checked_lake() -> Lake:
    """The configured lake, checked to answer (see :func:`check_lake`)."""
    lake = resolve_lake()
    check_lake(lake)
    return lake


__all__ = [
    "LAKE_PIPELINE_NAME",
    "Lake",
    "LakeError",
    "check_lake",
    "checked_lake",
    "resolve_lake",
]
