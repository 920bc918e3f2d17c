"""``ttb-cola report``: a self-contained static site (``data/report/index.html``) of Vega-Lite charts
and the digest's tables, with the Vega JavaScript inlined so it opens with no network.

One job per file: ``data`` (the chart data, from the marts), ``charts`` (the Altair charts),
``site`` (the page), ``command`` (the subcommand).
"""
