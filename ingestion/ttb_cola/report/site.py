"""The report page: Vega-Lite charts rendered by the inlined Vega JavaScript, then the digest's tables.

The page loads nothing from the network: the Vega, Vega-Lite and Vega-Embed libraries come from
``vl_convert.javascript_bundle()`` and every chart carries its data. Each chart's container gets
``data-rendered="true"`` once drawn; script errors and ``console.error`` calls are collected into
``#console-errors`` (so a headless browser's DOM dump shows them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from html import escape

import altair as alt
import vl_convert

from ttb_cola.digest.html import STYLE, render_tables
from ttb_cola.digest.model import Digest

_COLLECT_ERRORS = """
window.__reportErrors = [];
(function () {
  function note(text) {
    window.__reportErrors.push(String(text));
    var box = document.getElementById('console-errors');
    if (box) { box.textContent = window.__reportErrors.join('\\n'); }
  }
  var original = console.error.bind(console);
  console.error = function () { note(Array.prototype.join.call(arguments, ' ')); original.apply(null, arguments); };
  window.addEventListener('error', function (e) { note(e.message || e); });
  window.addEventListener('unhandledrejection', function (e) { note(e.reason || e); });
})();
"""

_EMBED = """
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  Promise.all(Object.keys(specs).map(function (id) {
    return vegaEmbed('#' + id, specs[id], {actions: false, renderer: 'svg'}).then(function () {
      document.getElementById(id).dataset.rendered = 'true';
    });
  })).then(function () { document.body.dataset.charts = 'rendered'; })
    .catch(function (e) { console.error('chart failed: ' + e); document.body.dataset.charts = 'failed'; });
})();
"""


@dataclass(frozen=True)
class ReportChart:
    """One chart of the page: its element id, a caption and the Altair chart."""

    element_id: str
    caption: str
    chart: alt.TopLevelMixin


@cache
def vega_bundle() -> str:
    """The Vega, Vega-Lite and Vega-Embed JavaScript, as one script (computed once per process)."""
    return vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the stub omits the snippet's default


def _script_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


def render_site(digest: Digest, charts: list[ReportChart]) -> str:
    """The complete ``index.html``."""
    specs = {c.element_id: c.chart.to_dict() for c in charts}
    figures = "\n".join(
        f'<figure><div class="chart" id="{escape(c.element_id)}"></div>'
        f"<figcaption>{escape(c.caption)}</figcaption></figure>"
        for c in charts
    )
    title = f"TTB COLA report: {digest.period.label}"
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>\n'
        f"<style>{STYLE} figure {{ margin: 1rem 0 2rem; }} figcaption {{ color: #666; font-size: 13px; }}"
        " #console-errors:empty { display: none; } #console-errors { color: #b00; }</style>\n"
        f"<script>{_COLLECT_ERRORS}</script>\n<script>{vega_bundle()}</script>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p class=\"note\">{escape(digest.coverage_note)}</p>\n"
        '<pre id="console-errors"></pre>\n'
        f"{figures}\n<h1>Digest</h1>\n{render_tables(digest)}\n"
        f'<script type="application/json" id="chart-specs">{_script_json(specs)}</script>\n'
        f"<script>{_EMBED}</script>\n</body></html>\n"
    )
