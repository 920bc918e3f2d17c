"""Items 12 (net contents), 13 (alcohol content) and 15 (wine vintage date) of the printable form's edition
before mid-2016. No real page of that edition is captured: each form here is a real captured form
(tests/fixtures) with the three boxes filled in, as that edition printed them below item 11."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttb_cola.parsers.form import parse_form

FIXTURES = Path(__file__).parents[1] / "fixtures"
REAL = "form_20055001000188.html"  # a wine: item 11, WINE APPELLATION, is printed
ANCHOR = '<div class="label">11. WINE APPELLATION <I>(If on label)</I></div>'


def _old_edition(net: str, alcohol: str, vintage: str) -> str:
    page = (FIXTURES / REAL).read_text(encoding="latin-1")
    assert page.count(ANCHOR) == 1
    end = page.index("</tr>", page.index(ANCHOR)) + len("</tr>")
    rows = (
        '\n\t        \t<tr>\n\t          \t\t<td width="20%">\n'
        '\t            \t\t<div class="label">12. NET CONTENTS</div>\n'
        f'\t            \t\t<div class="data">{net}</div>\n'
        '\t          \t\t</td>\n\t          \t\t<td width="30%">\n'
        f'\t            \t\t<div class="label">13. ALCOHOL CONTENT</div>\n\t            \t\t<div class="data">{alcohol}'
        '</div>\n\t          \t\t</td>\n\t        \t</tr>\n\t        \t<tr>\n\t          \t\t<td colspan="2">\n'
        '\t            \t\t<div class="label">15. WINE VINTAGE DATE <I>(If on label)</I></div>\n'
        f'\t            \t\t<div class="data">{vintage}</div>\n\t          \t\t</td>\n\t        \t</tr>'
    )
    return page[:end] + rows + page[end:]


@pytest.mark.parametrize(("net", "alcohol", "vintage", "ml", "abv"), [
    ("750 ML", "13.5%", "2011", 750, 13.5),
    ("1.75 LITERS", "80 PROOF", "", 1750, 40),
    ("12 FL. OZ.", "5.2% ALC/VOL", "&nbsp;", 354.9, 5.2),
    ("1 LITER", "ALC. 12.5% BY VOL.", "2009", 1000, 12.5),
    ("&nbsp;", "&nbsp;", "&nbsp;", None, None),
    ("VARIOUS", "12-14%", "N/A", None, None),
])
def test_old_edition_items_12_13_15(net: str, alcohol: str, vintage: str, ml: float | None, abv: float | None) -> None:
    record = parse_form(_old_edition(net, alcohol, vintage))
    shown = lambda text: None if text == "&nbsp;" or not text else text  # noqa: E731
    assert record["net_contents"] == shown(net) and record["alcohol_content"] == shown(alcohol)
    assert record["net_contents_ml"] == ml and record["abv_percent"] == abv
    assert record["wine_vintage"] == shown(vintage)
    # the rest of the form reads as before
    assert record["ttb_id"] == "20055001000188" and record["wine_appellation"] == "BOURGOGNE"


def test_the_current_edition_has_no_such_items() -> None:
    record = parse_form((FIXTURES / REAL).read_text(encoding="latin-1"))
    assert [record[k] for k in ("net_contents", "alcohol_content", "net_contents_ml", "abv_percent")] == [None] * 4
