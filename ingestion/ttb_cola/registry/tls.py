"""The CA bundle used to verify the registry: certifi's roots plus the intermediate it fails to send.

www.ttbonline.gov serves only its leaf certificate and omits the "Entrust OV TLS Issuing RSA CA 2"
intermediate, so a stock bundle cannot build the chain (browsers paper over this with AIA
fetching; OpenSSL does not). We ship that intermediate as package data and append it to certifi's
bundle. Verification is never switched off: a configured ``ca_bundle`` replaces the built bundle,
nothing else.

The combined bundle is written once to a cache file named after a hash of its content, so
concurrent processes (and different certifi versions) never overwrite each other's file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import certifi

INTERMEDIATE_PEM_NAME = "entrust-ov-tls-issuing-rsa-ca-2.pem"
_PEM_BEGIN = b"-----BEGIN CERTIFICATE-----"
_PEM_END = b"-----END CERTIFICATE-----"

_lock = threading.Lock()
_default_bundle: Path | None = None


def shipped_intermediate_pem() -> bytes:
    """The registry's missing intermediate certificate (PEM), as shipped in ``ttb_cola/registry/certs``."""
    return resources.files("ttb_cola.registry").joinpath("certs").joinpath(INTERMEDIATE_PEM_NAME).read_bytes()


def default_cache_dir() -> Path:
    """Where built bundles go: ``$TTB_COLA_CACHE_DIR``, else ``$XDG_CACHE_HOME/ttb-cola``, else
    ``~/.cache/ttb-cola``."""
    explicit = os.environ.get("TTB_COLA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "ttb-cola"


def _as_pem_bytes(pem: bytes | str) -> bytes:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    if _PEM_BEGIN not in data or _PEM_END not in data:
        raise ValueError("not a PEM certificate (no BEGIN/END CERTIFICATE block)")
    return data.strip() + b"\n"


def _write_atomically(directory: Path, name: str, content: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.is_file() and target.read_bytes() == content:
        return target
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # atomic on POSIX and Windows: readers see old or new, never half
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def build_ca_bundle(
    base_bundle: str | os.PathLike[str] | None = None,
    extra_pems: Iterable[bytes | str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write ``base_bundle`` + ``extra_pems`` to a content-addressed file and return its path.

    Args:
        base_bundle: PEM file of trusted roots; certifi's bundle when None.
        extra_pems: PEM certificates to append; the shipped registry intermediate when None.
        cache_dir: directory for the combined file; :func:`default_cache_dir` when None, falling
            back to the system temp dir if that is not writable.

    Raises:
        ValueError: when an extra PEM holds no certificate.
    """
    base = Path(base_bundle) if base_bundle is not None else Path(certifi.where())
    extras: list[bytes | str] = [shipped_intermediate_pem()] if extra_pems is None else list(extra_pems)
    parts = [base.read_bytes().rstrip() + b"\n"]
    parts.extend(_as_pem_bytes(pem) for pem in extras)
    content = b"\n".join(parts)
    name = f"ca-bundle-{hashlib.sha256(content).hexdigest()[:24]}.pem"
    if cache_dir is not None:
        return _write_atomically(Path(cache_dir), name, content)
    try:
        return _write_atomically(default_cache_dir(), name, content)
    except OSError:
        return _write_atomically(Path(tempfile.gettempdir()) / "ttb-cola", name, content)


def default_ca_bundle() -> Path:
    """certifi + the shipped intermediate, built once per process."""
    global _default_bundle
    with _lock:
        if _default_bundle is None or not _default_bundle.is_file():
            _default_bundle = build_ca_bundle()
        return _default_bundle


def resolve_ca_bundle(ca_bundle: str | os.PathLike[str] | None = None) -> str:
    """The bundle path to verify with: a configured ``ca_bundle`` (must exist) or the built one.

    Raises:
        FileNotFoundError: when a configured ``ca_bundle`` does not exist.
    """
    if ca_bundle is not None and str(ca_bundle).strip():
        path = Path(ca_bundle).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"configured ca_bundle does not exist: {path}")
        return str(path)
    return str(default_ca_bundle())


__all__ = [
    "INTERMEDIATE_PEM_NAME",
    "build_ca_bundle",
    "default_ca_bundle",
    "default_cache_dir",
    "resolve_ca_bundle",
    "shipped_intermediate_pem",
]
