"""Content-addressed storage of label images: ``<images_url>/<sha256[:2]>/<sha256>.<ext>``.

``images_url`` is a local directory or any fsspec URL (``s3://bucket/images``, ``file:///...``,
``memory://...``). Each distinct file is written once: a write first checks the path, and goes
through a temporary name then a move on local disks, so a crash never leaves a half file under
its final name.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import fsspec

DEFAULT_LOCAL_URL = "data/images"


def default_images_url(bucket_url: str | None = None) -> str:
    """``<bucket_url>/images`` on the lake, ``data/images`` locally."""
    if bucket_url:
        return bucket_url.rstrip("/") + "/images"
    return DEFAULT_LOCAL_URL


def sha256_hex(body: bytes) -> str:
    """The hex SHA-256 of a body."""
    return hashlib.sha256(body).hexdigest()


def relative_path(sha256: str, extension: str) -> str:
    """Where an image lives below the store root."""
    return f"{sha256[:2]}/{sha256}.{extension}"


class ImageStore:
    """Images stored by content under one URL; safe to share between threads."""

    def __init__(self, url: str, storage_options: dict[str, Any] | None = None) -> None:
        self.url = str(url).rstrip("/")
        self.fs, root = fsspec.core.url_to_fs(self.url, **(storage_options or {}))
        self.root = root.rstrip("/")
        self.local = "file" in _protocols(self.fs)
        self.writes = 0
        self._lock = threading.Lock()

    def path(self, sha256: str, extension: str) -> str:
        """The full path (in the store's filesystem) of an image."""
        return f"{self.root}/{relative_path(sha256, extension)}"

    def url_of(self, sha256: str, extension: str) -> str:
        """The image's URL (``images_url`` joined with its relative path)."""
        return f"{self.url}/{relative_path(sha256, extension)}"

    def exists(self, sha256: str, extension: str) -> bool:
        """True when the image is stored."""
        return bool(self.fs.exists(self.path(sha256, extension)))

    def put(self, body: bytes, extension: str, sha256: str | None = None) -> tuple[str, bool]:
        """Store a body unless already there; returns (sha256, written now)."""
        digest = sha256 or sha256_hex(body)
        path = self.path(digest, extension)
        if self.fs.exists(path):
            return digest, False
        if self.local:
            _write_local(Path(path), body)
        else:
            self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
            self.fs.pipe_file(path, body)
        with self._lock:
            self.writes += 1
        return digest, True

    def get(self, sha256: str, extension: str) -> bytes:
        """The stored bytes of an image."""
        return bytes(self.fs.cat_file(self.path(sha256, extension)))


def _write_local(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)
