"""``ttb-cola digest``: what changed in a period, from the marts, as Markdown, HTML and a spreadsheet.

One job per file: ``paths`` (which warehouse file), ``period`` (which dates), ``watchlist`` (the
user's file, checked), ``queries`` (the figures), ``model`` (what a digest holds), ``markdown``,
``html`` and ``spreadsheet`` (the writers), ``command`` (the subcommand).
"""

from ttb_cola.digest.model import Digest, Section
from ttb_cola.digest.period import Period

__all__ = ["Digest", "Period", "Section"]
