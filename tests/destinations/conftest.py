"""Fixtures of the destination tests: moto's S3 on loopback, one server per test module."""

from collections.abc import Iterator

import pytest
from moto_server import MotoS3, running_moto


@pytest.fixture(scope="module")
def s3() -> Iterator[MotoS3]:
    with running_moto() as server:
        yield server
