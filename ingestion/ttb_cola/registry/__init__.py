"""Talking to the registry: the HTTP client (:mod:`.client`) with its sessions, transport, retry policy,
errors and counters, the shared rate limiter, TLS with the missing intermediate, and the page classifier."""
