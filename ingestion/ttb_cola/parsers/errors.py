"""The one exception every page parser raises, so callers can tell "bad page" from a bug."""

from __future__ import annotations


class ParseError(ValueError):
    """The page is not the kind the parser was asked to read, or lacks the content that kind must have."""
