"""The truth form of a simulated COLA: what the pipeline should load from its pages.

The registry keeps each COLA in the form its pages are rendered from; the truth form is that record
cleaned as the parsers clean text, under the field names of ``ttb_cola.records``.
"""

from __future__ import annotations

from typing import Any

from ttb_cola.text import clean


def truth_record(raw: dict[str, Any]) -> dict[str, Any]:
    """The cleaned truth form of an internal record: the field names of ttb_cola.records plus completed_date."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name.startswith("_") or name in ("contact_first", "contact_last"):
            continue
        if isinstance(value, str):
            value = clean(value)
        out[name] = value
    out["qualifications"] = "\n".join(clean(q) or "" for q in raw["qualifications"]) or None
    out["contact_name"] = clean(f"{raw['contact_first']} {raw['contact_last']}")
    out["completed_date"] = raw.get("completed_date") or raw["approval_date"]
    out["type_of_application"] = list(raw["type_of_application"])
    # As the form's checkbox labels name them ("Wine", "Distilled Spirits", "Malt Beverage").
    out["type_of_product"] = raw["type_of_product"].title()
    # Both pages print N/A when there is no varietal, and the parsers keep what is printed.
    out["grape_varietals"] = clean(raw["grape_varietals"]) or "N/A"
    out["other_permits"] = [
        {k: clean(v) if isinstance(v, str) else v for k, v in permit.items()} for permit in raw["other_permits"]
    ]
    out["label_images"] = [dict(i) for i in raw["label_images"]]
    return out
