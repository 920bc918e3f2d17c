"""Credentials given in env vars never appear in what a run prints; archive keys come only from
validated IDs."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reliability_helpers import ingest_command, run_ingest, subprocess_env
from sim_server import running_simulator

from ttb_cola.archive import ARCHIVED_KINDS, RawArchive
from ttb_cola.ids import InvalidTtbId
from ttb_cola.registry.pages import PageKind

AS_OF = date(2025, 6, 26)
DAY = date(2025, 6, 20)


def _moto():  # noqa: ANN202 - the helper module may not exist yet
    try:
        from moto_server import running_moto
    except ImportError as exc:
        pytest.skip(f"bucket destination: tests/moto_server.py (S3 on loopback) not available: {exc}")
    return running_moto


@pytest.mark.parametrize("outcome", ["loads", "wrong-secret"])
def test_s3_credentials_never_printed(tmp_path: Path, tally: Counter[str], outcome: str) -> None:
    """A full run with progress lines and INFO logs, and a run refused for a wrong secret: the key id
    and secret appear nowhere in stdout or stderr."""
    running_moto = _moto()
    with running_simulator(seed=3, as_of=AS_OF) as sim, running_moto() as s3:
        secret = s3.secret_access_key if outcome == "loads" else "WrongSecret/" + s3.secret_access_key[::-1]
        env = subprocess_env(tmp_path, RUNTIME__LOG_LEVEL="INFO", SOURCES__TTB_COLA__ARCHIVE_RAW_HTML="true")
        env.update(s3.env(aws_secret_access_key=secret))
        cmd = [c for c in ingest_command(tmp_path, sim.base_url, DAY, DAY, AS_OF, "--methods", "003",
                                         "--destination", "filesystem") if c != "--quiet"]
        done = run_ingest(cmd, env)
        printed = done.stdout + done.stderr
    tally["secret_runs_searched"] += 1
    assert (done.returncode == 0) == (outcome == "loads"), printed[-2000:]
    assert "Traceback" not in printed
    assert printed.strip(), "nothing printed: nothing was searched"
    for value in (secret, s3.access_key_id, secret[:12], secret[-12:]):
        assert value not in printed
    if outcome == "wrong-secret":
        assert "aws_secret_access_key" in printed  # the message names the setting, not its value


def test_client_logs_never_carry_url_credentials(caplog: pytest.LogCaptureFixture) -> None:
    """Retries and failures logged with credentials in the base URL: only the redacted URL is logged."""
    from ttb_cola.registry.client import RegistryClient
    from ttb_cola.registry.errors import RegistryUnavailable
    from ttb_cola.registry.retry import RetryPolicy

    with running_simulator(seed=3, as_of=AS_OF, faults={"error_rate": 1.0}) as sim:
        base = sim.base_url.replace("http://", "http://scraper:pa55-w0rd-XYZ@")
        client = RegistryClient(base, requests_per_second=0, request_timeout=20,
                                retry_policy=RetryPolicy(max_attempts=2, initial_wait=0.01, jitter=0))
        with caplog.at_level(logging.DEBUG, logger="ttb_cola"), pytest.raises(RegistryUnavailable) as caught:
            client.detail("25171002000001")
    assert "pa55-w0rd-XYZ" not in caplog.text + str(caught.value)


VALID = st.builds(
    lambda yy, ddd, method, seq: f"{yy:02d}{ddd:03d}{method}{seq:06d}",
    st.integers(0, 99), st.integers(1, 365), st.sampled_from(["001", "002", "003", "000"]), st.integers(0, 999_999),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789./\\%\n ", min_size=13, max_size=16),
    VALID.map(lambda v: v + "/../x"),
    VALID.map(lambda v: "../" + v),
    VALID.map(lambda v: v.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))),  # Arabic-Indic digits
    VALID.map(lambda v: v + "\x00"),
))
def test_archive_keys_only_from_valid_ids(text: str) -> None:
    archive = RawArchive.at("memory://ttb-cola-test/raw")
    try:
        key = archive.key(text, PageKind.DETAIL)
    except (InvalidTtbId, ValueError):
        return
    # Accepted: then the text was exactly 14 ASCII digits and the key is a plain path under the root.
    assert text.isascii() and text.isdigit() and len(text) == 14
    assert key.startswith(archive.root + "/year=") and ".." not in key and key.endswith(f"/{text}.detail.html.gz")


@settings(max_examples=100, deadline=None)
@given(VALID, st.sampled_from([k for k in PageKind]))
def test_archive_keys_for_valid_ids(ttb_id: str, kind: PageKind) -> None:
    archive = RawArchive.at("memory://ttb-cola-test/raw")
    try:
        key = archive.key(ttb_id, kind)
    except InvalidTtbId:
        return  # e.g. day 366 of a non-leap year
    except ValueError:
        assert kind not in ARCHIVED_KINDS
        return
    assert kind in ARCHIVED_KINDS
    assert key.split("/")[-1] == f"{ttb_id}.{kind}.html.gz" and ".." not in key
