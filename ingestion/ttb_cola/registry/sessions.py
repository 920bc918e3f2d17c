"""One ``requests.Session`` per thread, with the registry's headers, TLS bundle and no hidden retries.

Sessions are not thread-safe, and the registry keys search state on the session cookie, so every
worker thread of a :class:`~ttb_cola.registry.client.RegistryClient` has a session of its own.
"""

from __future__ import annotations

import threading
import weakref

import requests
from requests.adapters import HTTPAdapter


class ThreadSessions:
    """The calling thread's session, made on first use; every session closable at once."""

    def __init__(self, base_url: str, user_agent: str, ca_bundle: str) -> None:
        self.base_url = base_url
        self.user_agent = user_agent
        self.ca_bundle = ca_bundle
        self._local = threading.local()
        self._all: weakref.WeakSet[requests.Session] = weakref.WeakSet()
        self._lock = threading.Lock()

    def current(self) -> requests.Session:
        """This thread's session."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._new()
            self._local.session = session
        return session

    def drop(self, session: requests.Session) -> None:
        """Forget this thread's session (cookies and all) so the next attempt starts afresh."""
        if getattr(self._local, "session", None) is session:
            self._local.session = None
        with self._lock:
            self._all.discard(session)
        session.close()

    def close(self) -> None:
        """Close every thread's session (new ones are made on the next use)."""
        with self._lock:
            sessions = list(self._all)
            self._all.clear()
        for session in sessions:
            session.close()
        self._local = threading.local()

    def _new(self) -> requests.Session:
        session = requests.Session()
        session.headers.update(
            {
                "User-Agent": self.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "en-US,en;q=0.5",
            }
        )
        session.verify = self.ca_bundle
        # Proxy settings from the environment are read once here rather than on every request
        # (requests re-scans os.environ per request: a seventh of the client's time on loopback).
        session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        session.trust_env = False
        # Retries are ours (with classification and backoff); urllib3 must not retry underneath.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        with self._lock:
            self._all.add(session)
        return session
