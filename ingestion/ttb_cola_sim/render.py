"""Render registry pages from the templates derived from real captures (see build_templates.py).

Templates are split once into literal pieces and ``{{name}}`` slots, so rendering a page is one
``str.join``. Values are escaped the way the real pages escape each field: Struts ``bean:write``
(``&#39;``) for brand/fanciful names, OWASP ESAPI (``&#x27;``, ``&#x2f;``...) for company, address,
qualifications and every search-results cell, and not at all for class/type and origin descriptions
(a real page prints "OTHER SPECIALTIES & PROPRIETARIES" with a bare ``&``). Characters outside
ISO-8859-1 become ``?``, as on the real registry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

ENCODING = "iso-8859-1"
_SLOT = re.compile(r"\{\{(\w+)\}\}")
MAX_IMAGE_PX = 650
PX_PER_INCH = 96.25


class Template:
    """A template split into literal pieces and named slots."""

    def __init__(self, text: str) -> None:
        parts = _SLOT.split(text)
        self.literals = parts[0::2]
        self.slots = parts[1::2]

    def render(self, values: dict[str, str]) -> str:
        """Fill every slot (a missing value is a bug, so it raises KeyError)."""
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            out.append(values[slot])
            out.append(literal)
        return "".join(out)


@cache
def template(name: str) -> Template:
    """Load ``templates/<name>.html`` (ISO-8859-1) once."""
    raw = resources.files("ttb_cola_sim").joinpath("templates", f"{name}.html").read_bytes()
    return Template(raw.decode(ENCODING))


@cache
def _static_text(name: str) -> str:
    return _static(name).decode(ENCODING)


def _static(name: str) -> bytes:
    return resources.files("ttb_cola_sim").joinpath("templates", f"{name}.html").read_bytes()


_STRUTS = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
_ESAPI_IMMUNE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-_")
_ESAPI_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def struts(value: str | None) -> str:
    """Escape like Struts ``bean:write filter="true"``."""
    return value.translate(_STRUTS) if value else ""


@lru_cache(maxsize=65536)
def esapi(value: str | None) -> str:
    """Escape like OWASP ESAPI ``encodeForHTML`` (hex references for all but alphanumerics and `` ,.-_``)."""
    if not value:
        return ""
    return "".join(
        ch if ch in _ESAPI_IMMUNE else _ESAPI_NAMED.get(ch) or f"&#x{ord(ch):x};" for ch in value
    )


def us(iso: str | None) -> str:
    """ISO date -> MM/DD/YYYY (blank stays blank)."""
    if not iso:
        return ""
    return f"{iso[5:7]}/{iso[8:10]}/{iso[0:4]}"


def encode(text: str) -> bytes:
    """The page bytes as served: ISO-8859-1, unencodable characters as ``?``."""
    return text.encode(ENCODING, errors="replace")


def _inches(value: float) -> str:
    return f"{value:g}"


# ----------------------------------------------------------------------------- detail page
def _plant(plant: dict[str, Any]) -> str:
    city_line = f"{esapi(plant['address_city'])},&nbsp;{plant['address_state'] or ''}&nbsp;{plant['address_zip'] or ''}"
    return template("detail_plant").render({
        "permit": plant["permit_number"] or "",
        "company": esapi(plant["company_name"]),
        "street": esapi(plant["address_street"]),
        "city_line": city_line,
    })


def _qualification_rows(texts: list[str]) -> str:
    row = template("detail_qualification_row")
    closing = row.literals[-1][row.literals[-1].rindex("</tr>\n") + 6:]
    rendered = [row.render({"value": esapi(text)}) for text in texts]
    # Each row template ends with the separator line the next row starts with: keep it once.
    return "".join(r[: len(r) - len(closing)] for r in rendered) + closing


def detail_page(record: dict[str, Any]) -> bytes:
    """The COLA detail page (``action=publicDisplaySearchBasic``) of an internal record."""
    wine_rows = ""
    if record["type_of_product"] == "WINE":
        wine_rows = template("detail_grape_row").render({"value": struts(record["grape_varietals"]) or "N/A"})
        if record["wine_vintage"]:
            wine_rows += template("detail_vintage_row").render({"value": record["wine_vintage"]})
    principal = {k: record[k] for k in ("permit_number", "company_name", "address_street", "address_city",
                                        "address_state", "address_zip")}
    values = {
        "ttb_id": record["ttb_id"],
        "status": record["status"],
        "vendor_code": struts(record["vendor_code"]),
        "serial_number": struts(record["serial_number"]),
        "class_type_description": record["class_type_description"] or "",
        "origin_description": record["origin_description"] or "",
        "brand_name": struts(record["brand_name"]),
        "fanciful_name": struts(record["fanciful_name"]),
        "type_of_application": ", ".join(record["type_of_application"]),
        "for_sale_in": record["for_sale_in"] or "",
        "total_bottle_capacity": record["total_bottle_capacity"] or "",
        "wine_rows": wine_rows,
        "formula": record["formula"] or "",
        "approval_date": us(record["approval_date"]),
        "qualification_rows": _qualification_rows(record["qualifications"]),
        "principal_plant": _plant(principal),
        "other_plants": "".join(_plant(p) + _static_text("detail_plant_spacer") for p in record["other_permits"]),
        "contact_first": struts(record["contact_first"]),
        "contact_last": struts(record["contact_last"]),
        "phone": record["phone"] or "",
        "email": struts(record["email"]),
    }
    return encode(template("detail").render(values))


# ----------------------------------------------------------------------------- printable form
_APP_A_INPUT = '\t\t\t\t\t<input type="checkbox" disabled="true" value=""{} alt="Type of Application">'
_APP_A_CHECKED = " " * 20 + _APP_A_INPUT.format(" checked")
# The registry indents the unchecked box one space further (seen on a real form).
_APP_A_UNCHECKED = " " * 21 + _APP_A_INPUT.format("")


def _image(image: dict[str, Any]) -> str:
    width_px = round(image["width_in"] * PX_PER_INCH)
    height_px = round(image["height_in"] * PX_PER_INCH)
    values = {
        "image_type": image["image_type"],
        "width_in": _inches(image["width_in"]),
        "height_in": _inches(image["height_in"]),
        "filename": image["filename"],
        "width_px": str(width_px),
        "height_px": str(height_px),
    }
    return template("form_image_reduced" if width_px > MAX_IMAGE_PX else "form_image").render(values)


def form_page(record: dict[str, Any]) -> bytes:
    """The printable form (``action=publicFormDisplay``) of an internal record."""
    applications = set(record["type_of_application"])
    product = record["type_of_product"]
    checked = " checked"
    values = {
        "ttb_id": record["ttb_id"],
        "class_type_code": record["class_type_code"] or "",
        "origin_code": record["origin_code"] or "",
        "permit_lines": template("form_permit").render({"value": record["permit_number"] or ""}),
        "domestic_checked": checked if record["source_of_product"] == "Domestic" else "",
        "imported_checked": checked if record["source_of_product"] == "Imported" else "",
        "company": esapi(record["company_name"]),
        "street": esapi(record["address_street"]),
        "city": esapi(record["address_city"]),
        "state": record["address_state"] or "",
        "zip": record["address_zip"] or "",
        "dba_block": template("form_dba").render({"value": esapi(record["dba_name"])}) if record["dba_name"] else "",
        "serial_number": struts(record["serial_number"]),
        "wine_checked": checked if product == "WINE" else "",
        "spirits_checked": checked if product == "DISTILLED SPIRITS" else "",
        "malt_checked": checked if product == "MALT BEVERAGE" else "",
        "brand_name": struts(record["brand_name"]),
        "fanciful_name": struts(record["fanciful_name"]),
        "formula_block": template("form_formula").render({"value": record["formula"]}) if record["formula"] else "",
        "grape_varietals": struts(record["grape_varietals"]) or "N/A",
        "app_a_input": _APP_A_CHECKED if "LABEL APPROVAL" in applications else _APP_A_UNCHECKED,
        "app_b_checked": checked if "EXEMPTION" in applications else "",
        "app_c_checked": checked if "DISTINCTIVE LIQUOR BOTTLE APPROVAL" in applications else "",
        "app_d_checked": checked if "RESUBMISSION AFTER REJECTION" in applications else "",
        "for_sale_in": record["for_sale_in"] or "",
        "total_bottle_capacity": record["total_bottle_capacity"] or "",
        "resubmission_id": record["previous_ttb_id"] or "",
        "wine_appellation": struts(record["wine_appellation"]),
        "phone": record["phone"] or "",
        "email": struts(record["email"]),
        "date_of_application": us(record["date_of_application"]),
        "contact_first": struts(record["contact_first"]),
        "contact_last": struts(record["contact_last"]),
        "date_issued": us(record["date_issued"]),
        "qualifications": "".join(template("form_qualification").render({"value": esapi(q)})
                                  for q in record["qualifications"]),
        "status": record["status"],
        "class_type_description": record["class_type_description"] or "",
        "expiration_date": us(record["expiration_date"]),
        "images": "".join(_image(image) for image in record["label_images"]),
    }
    return encode(template("form").render(values))


# ----------------------------------------------------------------------------- error and blocking pages
@lru_cache(maxsize=1)
def not_found_page() -> bytes:
    """The "Unable to process request" page served (HTTP 200) for unknown or non-public IDs."""
    return _static("not_found")


@lru_cache(maxsize=1)
def session_timeout_page() -> bytes:
    """The page served when the session cookie is missing or has expired."""
    return _static("session_timeout")


def captcha_page(support_id: str) -> bytes:
    """The image-CAPTCHA blocking page."""
    return encode(template("captcha").render({"support_id": support_id}))


def error_page(message: str, intro: str = "An error has occurred in the system.") -> bytes:
    """The registry's generic error page with one message."""
    return encode(template("error").render({"message": esapi(message), "intro": intro}))


# ----------------------------------------------------------------------------- search pages
def search_form_page(criteria: dict[str, str] | None = None, error: str | None = None) -> bytes:
    """The Basic Search form, with the submitted criteria and an error box when validation failed."""
    criteria = criteria or {}
    name_type = criteria.get("searchCriteria.productNameSearchType") or "B"
    checked = ' checked="checked"'
    values = {
        "error_box": template("search_error_box").render({"message": error}) if error else "",
        "date_from": struts(criteria.get("searchCriteria.dateCompletedFrom", "")),
        "date_to": struts(criteria.get("searchCriteria.dateCompletedTo", "")),
        "product_name": struts(criteria.get("searchCriteria.productOrFancifulName", "")),
        "b_checked": checked if name_type == "B" else "",
        "f_checked": checked if name_type == "F" else "",
        "e_checked": checked if name_type == "E" else "",
        "class_from": struts(criteria.get("searchCriteria.classTypeFrom", "")),
        "class_to": struts(criteria.get("searchCriteria.classTypeTo", "")),
        "origin_code": struts(criteria.get("searchCriteria.originCode", "")),
    }
    return encode(template("search_form").render(values))


def counter_text(first: int, last: int, total: int, has_prev: bool, has_next: bool) -> str:
    """The pagination line, e.g. "1 to 20 of 28 (Total Matching Records: 28) | Next >" with links."""
    text = f"{first} to {last} of {total} (Total Matching Records: {total})"
    if has_prev:
        text = f"<a href='publicPageBasicCola.do?action=page&pgfcn=prevset'>&lt; Prev</a> | {text}"
    if has_next:
        text += " | <a href='publicPageBasicCola.do?action=page&pgfcn=nextset'>Next &gt;</a>"
    return text


def search_results_page(rows: list[dict[str, Any]], first: int, total: int, has_prev: bool,
                        has_next: bool) -> bytes:
    """One page of search results (rows are internal records with their completed date)."""
    if not rows:
        return _static("search_no_results")
    row = template("search_row")
    rendered = []
    for index, record in enumerate(rows):
        rendered.append(row.render({
            "row_class": "lt" if index % 2 == 0 else "dk",
            "ttb_id": record["ttb_id"],
            "permit_number": esapi(record["permit_number"]),
            "serial_number": esapi(record["serial_number"]),
            "completed_date": esapi(us(record["completed_date"])),
            "fanciful_name": esapi(record["fanciful_name"]),
            "brand_name": esapi(record["brand_name"]),
            "origin_code": esapi(record["origin_code"]),
            "origin_description": esapi(record["origin_description"]),
            "class_type_code": esapi(record["class_type_code"]),
            "class_type_description": esapi(record["class_type_description"]),
        }))
    counter = counter_text(first, first + len(rows) - 1, total, has_prev, has_next)
    return encode(template("search_results").render({"rows": "".join(rendered), "counter": counter}))


EXPORT_HEADER = ("TTB ID,Permit No.,Serial Number,Completed Date,Fanciful Name,Brand Name,Origin,"
                 "Origin Desc,Class/Type,Class/Type Desc\n")


def export_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """The CSV export, with the registry's quirks: IDs in apostrophes, nothing quoted or escaped."""
    lines = [EXPORT_HEADER]
    for r in rows:
        lines.append(
            f"'{r['ttb_id']}',{r['permit_number'] or ''},{r['serial_number'] or ''},{us(r['completed_date'])},"
            f"{r['fanciful_name'] or ''},{r['brand_name'] or ''},{r['origin_code'] or ''},"
            f"{r['origin_description'] or ''},{r['class_type_code'] or ''},{r['class_type_description'] or ''}\n"
        )
    return encode("".join(lines))


def signature_image() -> bytes:
    """The authorized-signature image (a tiny valid GIF)."""
    return _GIF


_GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def today_us(day: date) -> str:
    """A date as MM/DD/YYYY."""
    return day.strftime("%m/%d/%Y")
