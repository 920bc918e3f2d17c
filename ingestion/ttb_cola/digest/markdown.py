"""The digest as Markdown (for e-mail or chat): a table per section, TTB IDs linking to the registry."""

from __future__ import annotations

from ttb_cola.digest.cells import cell_text, change_text
from ttb_cola.digest.model import Digest, Section, detail_url


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _cell(section: Section, column: str, value: object) -> str:
    if column == "ttb_id" and value:
        return f"[{value}]({detail_url(str(value))})"
    if column.endswith("change"):
        return _escape(change_text(value))
    return _escape(cell_text(value))


def render_section(section: Section) -> str:
    """One section: heading, count, table (or a line saying there is none), note."""
    lines = [f"## {section.title} ({len(section.rows)})" if section.key != "summary" else f"## {section.title}", ""]
    if not section.rows:
        lines += ["None in this period.", ""]
    else:
        lines.append("| " + " | ".join(section.columns) + " |")
        lines.append("|" + "|".join(" --- " for _ in section.columns) + "|")
        for row in section.shown():
            lines.append("| " + " | ".join(_cell(section, c, v) for c, v in zip(section.columns, row, strict=True))
                         + " |")
        lines.append("")
        if section.hidden_count:
            lines += [f"... and {section.hidden_count} more (all in the spreadsheet).", ""]
    if section.note:
        lines += [f"_{section.note}_", ""]
    return "\n".join(lines)


def render_markdown(digest: Digest) -> str:
    """The whole digest as Markdown."""
    head = [f"# {digest.title}", "", digest.coverage_note, ""]
    return "\n".join(head) + "\n" + "\n".join(render_section(s) for s in digest.sections)
