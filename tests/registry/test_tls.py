"""The CA bundle: the shipped intermediate, the content-addressed cache file, and a real TLS server
that omits its intermediate exactly like the registry does."""

from __future__ import annotations

import ssl
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest
import requests
import trustme
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from ttb_cola.registry import tls
from ttb_cola.registry.client import RegistryClient
from ttb_cola.registry.errors import RegistryTLSError
from ttb_cola.registry.retry import RetryPolicy

PACKAGE = Path(tls.__file__).parent
DETAIL = (Path(__file__).parents[1] / "fixtures" / "detail_24011001000462.html").read_bytes()


def _certs_in(pem: bytes) -> list[x509.Certificate]:
    with warnings.catch_warnings():
        # certifi still carries a root or two with a non-positive serial number.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_pem_x509_certificates(pem)


def test_shipped_intermediate_is_the_registry_ca() -> None:
    cert = x509.load_pem_x509_certificate(tls.shipped_intermediate_pem())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "Entrust OV TLS Issuing RSA CA 2"


def test_shipped_intermediate_chains_to_a_certifi_root() -> None:
    """If certifi ever drops the issuing root, the built bundle stops working: fail loudly here."""
    cert = x509.load_pem_x509_certificate(tls.shipped_intermediate_pem())
    issuers = [root for root in _certs_in(Path(certifi.where()).read_bytes()) if root.subject == cert.issuer]
    assert issuers, f"issuer {cert.issuer.rfc4514_string()} not in certifi"
    issuers[0].public_key()  # parses
    cert.verify_directly_issued_by(issuers[0])


def test_shipped_intermediate_loads_with_ssl() -> None:
    context = ssl.create_default_context(cadata=tls.shipped_intermediate_pem().decode("ascii"))
    assert context.cert_store_stats()["x509_ca"] == 1


def test_build_appends_intermediate_to_certifi(tmp_path: Path) -> None:
    path = tls.build_ca_bundle(cache_dir=tmp_path)
    content = path.read_bytes()
    assert path.parent == tmp_path
    assert content.startswith(Path(certifi.where()).read_bytes().rstrip())
    assert content.rstrip().endswith(tls.shipped_intermediate_pem().rstrip())
    certs = _certs_in(content)
    assert len(certs) == len(_certs_in(Path(certifi.where()).read_bytes())) + 1
    ssl.create_default_context(cafile=str(path))  # OpenSSL accepts the file


def test_bundle_file_is_content_addressed(tmp_path: Path) -> None:
    ca = trustme.CA()
    other = ca.cert_pem.bytes()
    first = tls.build_ca_bundle(cache_dir=tmp_path)
    again = tls.build_ca_bundle(cache_dir=tmp_path)
    different = tls.build_ca_bundle(extra_pems=[other], cache_dir=tmp_path)
    assert first == again
    assert different != first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({first.name, different.name})


def test_concurrent_builds_agree(tmp_path: Path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(tls.build_ca_bundle(cache_dir=tmp_path))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    pool = [threading.Thread(target=build) for _ in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [results[0].name]  # no temp files left behind


def test_rejects_a_non_pem_extra(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        tls.build_ca_bundle(extra_pems=[b"not a certificate"], cache_dir=tmp_path)


def test_default_cache_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TTB_COLA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tls.default_cache_dir() == tmp_path / "xdg" / "ttb-cola"
    monkeypatch.setenv("TTB_COLA_CACHE_DIR", str(tmp_path / "mine"))
    assert tls.default_cache_dir() == tmp_path / "mine"


def test_resolve_prefers_configured_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine.pem"
    mine.write_bytes(trustme.CA().cert_pem.bytes())
    assert tls.resolve_ca_bundle(mine) == str(mine)
    with pytest.raises(FileNotFoundError):
        tls.resolve_ca_bundle(tmp_path / "missing.pem")
    monkeypatch.setenv("TTB_COLA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(tls, "_default_bundle", None)
    built = Path(tls.resolve_ca_bundle(None))
    assert built.parent == tmp_path / "cache"
    assert tls.resolve_ca_bundle("") == str(built)


def test_nothing_switches_verification_off() -> None:
    for name in ("client.py", "tls.py"):
        source = (PACKAGE / name).read_text()
        for forbidden in ("verify=False", "verify = False", "CERT_NONE", "check_hostname = False"):
            assert forbidden not in source, f"{name} contains {forbidden}"


# -- a real TLS server that sends only its leaf, like www.ttbonline.gov ---------------------------


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server API
        body = DETAIL
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=iso-8859-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Chain:
    def __init__(self, tmp: Path) -> None:
        self.root = trustme.CA()
        self.intermediate = self.root.create_child_ca()
        leaf = self.intermediate.issue_cert("127.0.0.1", "localhost")
        self.root_file = tmp / "root.pem"
        self.root.cert_pem.write_to_path(str(self.root_file))
        self.leaf_file = tmp / "leaf.pem"
        leaf.cert_chain_pems[0].write_to_path(str(self.leaf_file))  # the leaf alone, no chain
        self.key_file = tmp / "leaf.key"
        leaf.private_key_pem.write_to_path(str(self.key_file))


@pytest.fixture
def leaf_only_server(tmp_path: Path) -> Iterator[tuple[str, Chain]]:
    chain = Chain(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(chain.leaf_file), str(chain.key_file))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", chain
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_server_really_omits_the_intermediate(leaf_only_server: tuple[str, Chain]) -> None:
    url, chain = leaf_only_server
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url, verify=str(chain.root_file), timeout=5)


def test_bundle_with_intermediate_verifies(leaf_only_server: tuple[str, Chain], tmp_path: Path) -> None:
    url, chain = leaf_only_server
    bundle = tls.build_ca_bundle(chain.root_file, [chain.intermediate.cert_pem.bytes()], tmp_path / "c")
    assert requests.get(url, verify=str(bundle), timeout=5).status_code == 200


def _client(base_url: str, bundle: Path | str) -> RegistryClient:
    return RegistryClient(
        base_url,
        requests_per_second=0,
        request_timeout=5,
        ca_bundle=bundle,
        retry_policy=RetryPolicy(initial_wait=0.01, max_wait=0.01, jitter=0),
    )


def test_client_fails_fast_without_the_intermediate(leaf_only_server: tuple[str, Chain]) -> None:
    url, chain = leaf_only_server
    with _client(url, chain.root_file) as client, pytest.raises(RegistryTLSError) as caught:
        client.get("hello")
    assert isinstance(caught.value.__cause__, requests.exceptions.SSLError)
    assert client.stats.requests == 1  # a certificate problem is not retried


def test_client_verifies_with_built_bundle(leaf_only_server: tuple[str, Chain], tmp_path: Path) -> None:
    url, chain = leaf_only_server
    bundle = tls.build_ca_bundle(chain.root_file, [chain.intermediate.cert_pem.bytes()], tmp_path / "c")
    with _client(url, bundle) as client:
        page = client.get("hello")
        assert page.status_code == 200
        assert page.body == DETAIL
        assert client.sessions.current().verify == str(bundle)


def test_client_ignores_requests_ca_bundle_env(
    leaf_only_server: tuple[str, Chain], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE must not silently replace the configured bundle (either way round)."""
    url, chain = leaf_only_server
    bundle = tls.build_ca_bundle(chain.root_file, [chain.intermediate.cert_pem.bytes()], tmp_path / "c")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(chain.root_file))
    with _client(url, bundle) as client:
        assert client.get("hello").status_code == 200
