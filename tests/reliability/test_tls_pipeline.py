"""End to end: `ttb-cola ingest` against the simulator over HTTPS whose server omits its intermediate.

(tests/registry/test_tls.py covers the bundle builder and the client; here the whole pipeline, config included.)
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import trustme
from ingest_helpers import Warehouse, assert_same_records
from reliability_helpers import method_truth
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.registry import tls
from ttb_cola_sim.server import SimulatorServer

AS_OF = date(2025, 6, 26)
DAY = date(2025, 6, 20)


@pytest.fixture
def https_sim(tmp_path: Path) -> Iterator[tuple[SimulatorServer, str, Path, bytes]]:
    """The simulator behind TLS, leaf certificate only; yields it, its https base URL, the root CA file
    and the intermediate's PEM."""
    root = trustme.CA()
    intermediate = root.create_child_ca()
    leaf = intermediate.issue_cert("127.0.0.1", "localhost")
    root_file, leaf_file, key_file = tmp_path / "root.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    root.cert_pem.write_to_path(str(root_file))
    leaf.cert_chain_pems[0].write_to_path(str(leaf_file))  # the leaf alone, like www.ttbonline.gov
    leaf.private_key_pem.write_to_path(str(key_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(leaf_file), str(key_file))
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        httpd = sim._httpd  # the simulator has no TLS option: wrap its listening socket
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        yield sim, sim.base_url.replace("http://", "https://"), root_file, intermediate.cert_pem.bytes()


def _ingest(warehouse: Warehouse, base_url: str) -> int:
    return main(["ingest", "--date", DAY.isoformat(), "--methods", "002,003", "--today", AS_OF.isoformat(),
                 "--base-url", base_url, "--requests-per-second", "0", "--pipelines-dir", str(warehouse.pipelines),
                 "--quiet"])


@pytest.mark.parametrize("bundle", ["default", "root-only"])
def test_missing_intermediate_fails_without_the_bundle(
    https_sim: tuple[SimulatorServer, str, Path, bytes], warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], bundle: str,
) -> None:
    """Default settings (certifi + the registry's intermediate) and a root-only bundle both refuse the
    chain: verification is on by default and nothing falls back to off."""
    _, base_url, root_file, _ = https_sim
    if bundle == "root-only":
        monkeypatch.setenv("SOURCES__TTB_COLA__CA_BUNDLE", str(root_file))
    else:
        monkeypatch.delenv("SOURCES__TTB_COLA__CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(root_file))  # must not be what decides either
    assert _ingest(warehouse, base_url) == 2
    err = capsys.readouterr().err
    assert "TLS verification failed" in err and err.count("\n") == 1 and "Traceback" not in err
    assert not warehouse.db.exists()


def test_bundle_with_the_intermediate_loads_everything(
    https_sim: tuple[SimulatorServer, str, Path, bytes], warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    sim, base_url, root_file, intermediate = https_sim
    bundle = tls.build_ca_bundle(root_file, [intermediate], tmp_path / "bundle")
    monkeypatch.setenv("SOURCES__TTB_COLA__CA_BUNDLE", str(bundle))
    assert _ingest(warehouse, base_url) == 0
    expected = method_truth(sim.registry, [DAY], AS_OF, ["002", "003"])
    assert expected
    assert_same_records(warehouse.colas(), expected)
