"""Selectolax parsers for registry pages: one module per page kind."""
