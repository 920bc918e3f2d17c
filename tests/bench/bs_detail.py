"""Baseline for the parse benchmark: the detail-page field extraction written plainly with
BeautifulSoup and ``html.parser``, as most peer scrapers do. Same fields as our parser."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup

from ttb_cola.text import clean

_LABELS = {
    "TTB ID": "ttb_id",
    "Status": "status",
    "Vendor Code": "vendor_code",
    "Serial #": "serial_number",
    "Class/Type Code": "class_type_description",
    "Origin Code": "origin_description",
    "Brand Name": "brand_name",
    "Fanciful Name": "fanciful_name",
    "Type of Application": "type_of_application",
    "For Sale In": "for_sale_in",
    "Total Bottle Capacity": "total_bottle_capacity",
    "Grape Varietal(s)": "grape_varietals",
    "Formula": "formula",
    "Approval Date": "approval_date",
}
_CITY = re.compile(r"^(.*),\s*([A-Z]{2})?\s*(\d{5}(?:-?\d{4})?)?$")


def parse_detail_bs(html: str) -> dict[str, Any]:
    """Extract the detail page's fields with BeautifulSoup."""
    soup = BeautifulSoup(html, "html.parser")
    boxes = soup.find_all("div", class_="box")
    record: dict[str, Any] = {}
    for strong in boxes[0].find_all("strong"):
        field = _LABELS.get(strong.get_text().strip().rstrip(" :"))
        if field:
            record[field] = clean(" ".join(s.get_text() for s in strong.next_siblings))
    record["qualifications"] = "\n".join(
        filter(None, (clean(td.get_text()) for td in boxes[0].find("table").find("table").find_all("td")))
    )
    rows = [clean(td.get_text()) for td in boxes[1].find_all("td") if not td.find("strong")]
    lines = [r for r in rows if r]
    if len(lines) >= 4:
        record["permit_number"], record["company_name"], record["address_street"] = lines[0:3]
        match = _CITY.match(lines[3])
        if match:
            record["address_city"], record["address_state"], record["address_zip"] = match.groups()
    for line in lines:
        if line.startswith("Phone Number:"):
            record["phone"] = line.split(":", 1)[1].strip()
    return record
