"""Bad input from the user (a flag, a setting, a destination): one line, exit 2, nothing written."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from the user: reported as one line, nothing written."""
