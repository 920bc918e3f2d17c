"""Watchlist alerts (``ttb-cola alerts``): each new match delivered once per channel (webhook, e-mail, Atom
feed), what was sent kept in a sent log beside the published file that publishing never replaces."""
