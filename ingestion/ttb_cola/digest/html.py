"""The digest as a self-contained HTML page (and the tables alone, for the report site)."""

from __future__ import annotations

from datetime import date
from html import escape

from ttb_cola.digest.cells import cell_text, change_text
from ttb_cola.digest.model import Digest, Section, detail_url

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.code, td.num { white-space: nowrap; }
.note { color: #666; font-size: 13px; }
"""


#: Columns whose values are identifiers or dates: never broken across lines (``BWN-OR-7590``).
CODE_COLUMNS = {"ttb_id", "permit", "permit_number", "receipt_method", "new_since", "week"}


def _cell(column: str, value: object) -> str:
    if column == "ttb_id" and value:
        return f'<td class="code"><a href="{escape(detail_url(str(value)))}">{escape(str(value))}</a></td>'
    text = change_text(value) if column.endswith("change") else cell_text(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric:
        return f'<td class="num">{escape(text)}</td>'
    if column in CODE_COLUMNS or column.endswith("_date") or isinstance(value, date):
        return f'<td class="code">{escape(text)}</td>'
    return f"<td>{escape(text)}</td>"


def render_section(section: Section) -> str:
    """One section as a heading and a table."""
    count = "" if section.key == "summary" else f" ({len(section.rows)})"
    parts = [f'<section id="{escape(section.key)}"><h2>{escape(section.title)}{count}</h2>']
    if not section.rows:
        parts.append("<p>None in this period.</p>")
    else:
        parts.append("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in section.columns)
                     + "</tr></thead><tbody>")
        for row in section.shown():
            parts.append("<tr>" + "".join(_cell(c, v) for c, v in zip(section.columns, row, strict=True)) + "</tr>")
        parts.append("</tbody></table>")
        if section.hidden_count:
            parts.append(f'<p class="note">... and {section.hidden_count} more (all in the spreadsheet).</p>')
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def render_tables(digest: Digest) -> str:
    """Every section, as HTML to put inside a page."""
    return "\n".join(render_section(s) for s in digest.sections)


def render_html(digest: Digest) -> str:
    """The digest as a complete HTML page (no external resources)."""
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(digest.title)}</title>'
        f"<style>{STYLE}</style></head><body>\n<h1>{escape(digest.title)}</h1>\n"
        f'<p class="note">{escape(digest.coverage_note)}</p>\n{render_tables(digest)}\n</body></html>\n'
    )
