"""Developer tool: derive ``templates/*.html`` from the real captured pages in ``tests/fixtures``.

Each template is a capture with its values replaced by ``{{name}}`` markers (every replacement is
checked to happen exactly as often as expected), so the served markup is the registry's own.
Run ``python -m ttb_cola_sim.build_templates [FIXTURES_DIR]`` after changing the recipe; the
templates are committed, so nothing runs this at serve time.
"""

# ruff: noqa: E501 - the recipe quotes long runs of captured markup verbatim
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent / "templates"


def _read(fixtures: Path, name: str) -> str:
    return (fixtures / name).read_bytes().decode("iso-8859-1")


def _sub(text: str, old: str, new: str, count: int = 1) -> str:
    found = text.count(old)
    if found != count:
        raise SystemExit(f"expected {count} occurrence(s) of {old[:80]!r}, found {found}")
    return text.replace(old, new)


def _between(text: str, start: str, end: str) -> tuple[str, str, str]:
    """Split ``text`` into (up to and including start, middle, from end on)."""
    i = text.index(start) + len(start)
    j = text.index(end, i)
    return text[:i], text[i:j], text[j:]


def build_detail(fixtures: Path) -> dict[str, str]:
    text = _read(fixtures, "detail_21132001000620.html")
    wine = _read(fixtures, "detail_20055001000188.html")
    out: dict[str, str] = {}
    # The wine-only rows: lines 325-339 of the wine capture, which the other capture lacks.
    lines, wine_lines = text.splitlines(keepends=True), wine.splitlines(keepends=True)
    grape = "".join(wine_lines[324:339])
    assert "Grape Varietal(s)" in grape and lines[324:330] == wine_lines[339:345], "detail layouts drifted"
    text = "".join(lines[:324]) + "{{wine_rows}}" + "".join(lines[324:])
    text = _sub(text, "21132001000620", "{{ttb_id}}", 2)
    value = "                    &nbsp;\n                    {}\n                  </td>"
    for old, name in [("APPROVED", "status"), ("21009", "vendor_code"), ("210027", "serial_number"),
                      ("OLD POTRERO", "brand_name"), ("6 YO", "fanciful_name"),
                      ("LABEL APPROVAL", "type_of_application")]:
        text = _sub(text, value.format(old), value.format("{{" + name + "}}"))
    text = _sub(text, "                    STRAIGHT RYE WHISKY\n", "                    {{class_type_description}}\n")
    text = _sub(text, value.format("CALIFORNIA"), value.format("{{origin_description}}"))
    blank = value.format("")
    # For Sale In and Total Bottle Capacity are both blank in the capture: replace in order.
    i = text.index("For Sale In: </strong>")
    j = text.index(blank, i)
    text = text[:j] + value.format("{{for_sale_in}}") + text[j + len(blank):]
    i = text.index("Total Bottle Capacity: </strong>")
    j = text.index(blank, i)
    text = text[:j] + value.format("{{total_bottle_capacity}}") + text[j + len(blank):]
    grape = _sub(grape, "                    N/A\n", "                    {{value}}\n")
    out["detail_grape_row.html"] = grape
    # Wine Vintage: same row markup, its own label and help anchor (older pages show it).
    vintage = grape.replace("Grape Varietal(s): ", "Wine Vintage: ").replace("#grape_varietals", "#wine_vintage")
    out["detail_vintage_row.html"] = vintage.replace("Grape Varietal field", "Wine Vintage field")
    text = _sub(text, "                        &nbsp;\n                        \n",
                "                        &nbsp;\n                        {{formula}}\n")
    text = _sub(text, "                    05/14/2021\n", "                    {{approval_date}}\n")
    head, rows, tail = _between(text, '<table width="100%" border="0" cellspacing="0" cellpadding="2">\n',
                                "                    </table>")
    out["detail_qualification_row.html"] = _sub(
        rows, rows[rows.index('<td colspan="2">') + 16:rows.index("</td>")], "{{value}}")
    text = head + "{{qualification_rows}}" + tail
    head, plant, tail = _between(text, "                \n\n\n    \n", "    <tr> \n      <td colspan=\"2\">&nbsp;</td>")
    for old, name in [("DSP-CA-267", "permit"), ("Hotaling &amp; Co., LLC", "company"),
                      ("PIER 50, SHED B", "street"), ("San Francisco,&nbsp;CA&nbsp;94158", "city_line")]:
        plant = _sub(plant, f'<td colspan="2">{old}</td>', f'<td colspan="2">{{{{{name}}}}}</td>')
    spacer = "    <tr> \n      <td colspan=\"2\">&nbsp;</td>\n    </tr>\n"
    out["detail_plant.html"] = plant
    out["detail_plant_spacer.html"] = spacer
    text = head + "{{principal_plant}}" + tail
    other_label = "Brewers No (Other) field in a new window\"></a>\n                  </td>\n                </tr>\n            \n"
    text = _sub(text, other_label, other_label + "{{other_plants}}")
    text = _sub(text, "                    Contact\n                    &nbsp;\n                    Person\n",
                "                    {{contact_first}}\n                    &nbsp;\n                    {{contact_last}}\n")
    text = _sub(text, "                    (555) 555-0100\n", "                    {{phone}}\n")
    text = _sub(text, "                   \n                   &nbsp;\n", "                   {{email}}\n                   &nbsp;\n")
    out["detail.html"] = text
    return out


def build_form(fixtures: Path) -> dict[str, str]:
    text = _read(fixtures, "form_24011001000462.html")
    out: dict[str, str] = {}
    text = _sub(text, "24011001000462", "{{ttb_id}}", 2)
    text = _sub(text, '<div class="data">153</div>', '<div class="data">{{class_type_code}}</div>')
    text = _sub(text, '<div class="data">5K</div>', '<div class="data">{{origin_code}}</div>')
    head, permit, tail = _between(text, '<div class="data">            \n', "                      \t\t\t\t</div>")
    out["form_permit.html"] = _sub(permit, "IL-I-198", "{{value}}")
    text = head + "{{permit_lines}}" + tail
    for alt, name in [("Source of Product: Domestic", "domestic"), ("Source of Product: Imported", "imported"),
                      ("Type of Product: Wine", "wine"), ("Type of Product: Distilled Spirits", "spirits"),
                      ("Type of Product: Malt Beverage", "malt"), ("Certificate of label Approval", "app_b"),
                      ("Distinctive Liquor Bottle Approval", "app_c"), ("Previous TTB Id", "app_d")]:
        for state in ('value="" checked alt', 'value="" alt'):
            if f'{state}="{alt}"' in text:
                text = _sub(text, f'{state}="{alt}"', f'value=""{{{{{name}_checked}}}} alt="{alt}"')
    # Box a: the registry indents the unchecked variant one space further (seen on real forms).
    text = _sub(text, '                    \t\t\t\t\t<input type="checkbox" disabled="true" value="" checked alt="Type of Application">',
                '{{app_a_input}}')
    text = _sub(text, "\t   \n              \t\t\t\tJIM BEAM BRANDS CO.<br>\n              \t\t\t\t222 MERCHANDISE MART PLZ<br>\n",
                "\t   \n              \t\t\t\t{{company}}<br>\n              \t\t\t\t{{street}}<br>\n")
    text = _sub(text, "              \t\t\t\tCHICAGO\n              \t\t\t\tIL \n              \t\t\t\t60654<br>\n",
                "              \t\t\t\t{{city}}\n              \t\t\t\t{{state}} \n              \t\t\t\t{{zip}}<br>\n")
    text = _sub(text, "\t \n              \t\t\t\tBEAM SUNTORY IMPORT CO.&nbsp(Used on label)\n", "{{dba_block}}")
    out["form_dba.html"] = "\t \n              \t\t\t\t{{value}}&nbsp(Used on label)\n"
    text = _sub(text, '<div class="data">240003</div>', '<div class="data">{{serial_number}}</div>')
    text = _sub(text, '<div class="data">LAPHROAIG</div>', '<div class="data">{{brand_name}}</div>')
    text = _sub(text, '(If any)</I></div>\n            \t\t<div class="data"></div>',
                '(If any)</I></div>\n            \t\t<div class="data">{{fanciful_name}}</div>')
    formula_at = "                                  </div>\n                      \n"
    text = _sub(text, formula_at, formula_at + "{{formula_block}}")
    out["form_formula.html"] = '                                                              <div class="data">{{value}} </div>\n    \n'
    text = _sub(text, '<div class="data">N/A</div>', '<div class="data">{{grape_varietals}}</div>')
    text = _sub(text, '"For sale in ___<strong></strong>', '"For sale in ___<strong>{{for_sale_in}}</strong>')
    text = _sub(text, "BOTTLE CAPACITY BEFORE CLOSURE ____\n                    \t\t\t\t<strong></strong>",
                "BOTTLE CAPACITY BEFORE CLOSURE ____\n                    \t\t\t\t<strong>{{total_bottle_capacity}}</strong>")
    text = _sub(text, "TTB ID. NO. ___<strong></strong>", "TTB ID. NO. ___<strong>{{resubmission_id}}</strong>")
    text = _sub(text, '(If on label)</I></div>\n\t            \t\t<div class="data"></div>',
                '(If on label)</I></div>\n\t            \t\t<div class="data">{{wine_appellation}}</div>')
    text = _sub(text, '<div class="data">(555) 555-0100</div>', '<div class="data">{{phone}}</div>')
    text = _sub(text, '<div class="data">&nbsp;\n\t\t\t\t\t\n', '<div class="data">&nbsp;{{email}}\n\t\t\t\t\t\n')
    i = text.index("16. DATE OF APPLICATION")
    j = text.index("01/11/2024", i)
    text = text[:j] + "{{date_of_application}}" + text[j + 10:]
    i = text.index("19. DATE ISSUED")
    j = text.index("01/11/2024", i)
    text = text[:j] + "{{date_issued}}" + text[j + 10:]
    text = _sub(text, "            \t\t\tContact  \n            \t\t\tPerson\n",
                "            \t\t\t{{contact_first}} \n            \t\t\t{{contact_last}}\n")
    head, quals, tail = _between(text, '<div class="boldlabel">QUALIFICATIONS</div>\n           \t\t\t<div class="data">\n',
                                 "            \t\t\t<br>\n            \t\t</div>\n            \t\t<div class=\"boldlabel\">STATUS")
    row_end = quals.index("<br>\n") + 5
    row = quals[:row_end]
    out["form_qualification.html"] = _sub(row, row[row.index("\t\t\t\t\t") + 5:row.index("<br>")], "{{value}}")
    text = head + "{{qualifications}}" + quals[row_end:] + tail
    text = _sub(text, "              \t\t\tAPPROVED.<br><br>", "              \t\t\t{{status}}.<br><br>")
    text = _sub(text, "              \t\t\tSINGLE MALT SCOTCH WHISKY<br><br>", "              \t\t\t{{class_type_description}}<br><br>")
    text = _sub(text, '(If any)</div>\n            \t\t<div class="data"></div>',
                '(If any)</div>\n            \t\t<div class="data">{{expiration_date}}</div>')
    head, images, tail = _between(text, "<p class=\"data\"> AFFIX COMPLETE SET OF LABELS BELOW </p>\n  \n",
                                  "\t<br>\n\t<hr>\n")
    marker = "        \t<p class=\"data\">Image Type: </p>"
    first = images[:images.index(marker, 1)]
    first = _sub(first, "\tBrand (front) or keg collar\n", "\t{{image_type}}\n")
    first = _sub(first, "2.2 inches W X 2.6 inches H", "{{width_in}} inches W X {{height_in}} inches H")
    first = _sub(first, 'filename=BKL44 L01148.jpeg&filetype=l" width="212" height="250" alt="Label Image: Brand (front) or keg collar"',
                 'filename={{filename}}&filetype=l" width="{{width_px}}" height="{{height_px}}" alt="Label Image: {{image_type}}"')
    out["form_image.html"] = first
    reduced_src = _read(fixtures, "form_21132001000620.html")
    _, rimages, _ = _between(reduced_src, "<p class=\"data\"> AFFIX COMPLETE SET OF LABELS BELOW </p>\n  \n",
                             "\t<br>\n\t<hr>\n")
    reduced = rimages[:rimages.index(marker, 1)]
    reduced = _sub(reduced, "\tBrand (front) or keg collar\n", "\t{{image_type}}\n")
    reduced = _sub(reduced, "7.37 inches W X 4.8 inches H", "{{width_in}} inches W X {{height_in}} inches H")
    reduced = _sub(reduced, 'filename=op 6yo brand label NEW.jpg&filetype=l" width="650" alt="Label Image: Brand (front) or keg collar"',
                   'filename={{filename}}&filetype=l" width="650" alt="Label Image: {{image_type}}"')
    out["form_image_reduced.html"] = reduced
    text = head + "{{images}}" + tail
    out["form.html"] = text
    return out


def build_search(fixtures: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    text = _read(fixtures, "search_results_old_potrero_page1.html")
    counter = ("1 to 20 of 28 (Total Matching Records: 28) | "
               "<a href='publicPageBasicCola.do?action=page&pgfcn=nextset'>Next &gt;</a>")
    text = _sub(text, counter, "{{counter}}", 2)
    head, rows, tail = _between(text, "Class/Type Desc</a></th>              \n      \n            </tr>\n",
                                "          </table>")
    marker = "      \n            <tr class="
    first = rows[:rows.index(marker, 1)]
    for old, name in [('class="lt"', 'class="{{row_class}}"'), ("12172001000006", "{{ttb_id}}"),
                      (">BWN-CA-16509<", ">{{permit_number}}<"), (">12OP11<", ">{{serial_number}}<"),
                      (">07&#x2f;12&#x2f;2012<", ">{{completed_date}}<"), (">OLD POTRERO<", ">{{fanciful_name}}<"),
                      (">FIELD RECORDINGS<", ">{{brand_name}}<"), (">01<", ">{{origin_code}}<"),
                      (">CALIFORNIA<", ">{{origin_description}}<"), (">88<", ">{{class_type_code}}<"),
                      (">DESSERT &#x2f;PORT&#x2f;SHERRY&#x2f;&#x28;COOKING&#x29; WINE<", ">{{class_type_description}}<")]:
        first = _sub(first, old, name, 2 if name == "{{ttb_id}}" else 1)
    out["search_row.html"] = first
    out["search_results.html"] = head + "{{rows}}" + "      \n" + tail
    out["search_no_results.html"] = _read(fixtures, "search_results_noresults.html")

    form = _read(fixtures, "search_form_error_daterange15y.html")
    start = form.index('              \t\t\t<div class="errorbox">')
    end = form.index("<br> \n", start) + len("<br> \n")
    out["search_error_box.html"] = _sub(form[start:end], form[form.index("<li>", start) + 4:form.index("</li>", start)],
                                        "{{message}}")
    form = form[:start] + "{{error_box}}" + form[end:]
    form = _sub(form, 'value="01/01/1990"', 'value="{{date_from}}"')
    form = _sub(form, 'value="09/29/2026"', 'value="{{date_to}}"')
    form = _sub(form, 'value="OLD POTRERO%"', 'value="{{product_name}}"')
    form = _sub(form, 'value="B" checked="checked"', 'value="B"{{b_checked}}')
    form = _sub(form, 'value="F" id', 'value="F"{{f_checked}} id')
    form = _sub(form, 'value="E" id', 'value="E"{{e_checked}} id')
    form = _sub(form, 'value="" id="productclass"', 'value="{{class_from}}" id="productclass"')
    form = _sub(form, 'value="" id="productclassto"', 'value="{{class_to}}" id="productclassto"')
    form = _sub(form, 'value="" id="origincode"', 'value="{{origin_code}}" id="origincode"')
    out["search_form.html"] = form
    return out


def build_errors(fixtures: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    text = _read(fixtures, "notfound_99999999999999.html")
    out["not_found.html"] = text
    message = "Unable to process request.  If you continue having problems using the system, contact customer support."
    error = _sub(text, message, "{{message}}")
    error = _sub(error, "<p>An error has occurred in the system.</p>", "<p>{{intro}}</p>")
    out["error.html"] = error
    timeout = _sub(error, "{{message}}", "A session timeout has occurred. Your session has expired due to inactivity. "
                   "Please start a new search.")
    out["session_timeout.html"] = _sub(timeout, "{{intro}}", "Your session is no longer active.")
    captcha = _sub(text, "<title>TTB Online - COLAs Online - Error Message</title>", "<title>Request Rejected</title>")
    captcha = _sub(captcha, "<h1>Error</h1>", "<h1>Request Rejected</h1>")
    captcha = _sub(captcha, "<p>An error has occurred in the system.</p>",
                   "<p>This question is for testing whether you are a human visitor and to prevent automated "
                   "spam submission.</p>")
    captcha = _sub(
        captcha,
        f'<div class="errorbox"><h2 class="error">Information / Error Messages: </h2><div class="errortext"><ul class="errorList"><li>{message}</li></ul></div></div><br>',
        '<form method="post" action="/colasonline/captcha.do"><img src="/colasonline/captcha.do?id={{support_id}}" '
        'alt="CAPTCHA image"><br><label for="answer">What code is in the image?</label> '
        '<input type="text" name="answer" id="answer"> <input type="submit" value="Submit"></form>'
        "<p>Your support ID is: {{support_id}}</p><br>",
    )
    out["captcha.html"] = captcha
    return out


def main(argv: list[str] | None = None) -> int:
    """Write every template from the captures in ``argv[0]`` (default: the repository's fixtures)."""
    argv = sys.argv[1:] if argv is None else argv
    fixtures = Path(argv[0]) if argv else Path(__file__).resolve().parents[3] / "tests" / "fixtures"
    HERE.mkdir(exist_ok=True)
    for builder in (build_detail, build_form, build_search, build_errors):
        for name, text in builder(fixtures).items():
            (HERE / name).write_bytes(text.encode("iso-8859-1"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
