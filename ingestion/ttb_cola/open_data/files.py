"""Where TTB publishes its open files, and the tables each one becomes.

The List of Permittees ("FRL") is five per-type CSVs plus the permits issued since the previous weekly
publication, under ``/system/files/<folder>/`` (the folder has stayed ``2025-04`` while the content is
replaced weekly; it is configurable in case TTB moves it). The label and formula processing times are
daily files under ``/images/foia/``.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BASE_URL = "https://www.ttb.gov"
DEFAULT_FOLDER = "2025-04"


@dataclass(frozen=True)
class ListFile:
    """One FRL CSV: the dlt resource that loads it, TTB's file name and the table it lands in."""

    resource: str
    file_name: str
    table: str


#: The five per-type lists, each resource appending to ``permittee_lists`` (``list_name`` tells them apart).
PERMIT_LISTS = (
    ListFile("frl_importers", "FRL_Alcohol_Importer_Permit_List.csv", "permittee_lists"),
    ListFile("frl_wholesalers", "FRL_Alcohol_Wholesaler_Permit_List.csv", "permittee_lists"),
    ListFile("frl_spirits_producers", "FRL_Spirits_Producers_and_Bottlers_List.csv", "permittee_lists"),
    ListFile("frl_wine_producers", "FRL_Wine_Producer_and_Blender_Permit_List.csv", "permittee_lists"),
    ListFile("frl_puerto_rico", "FRL_Puerto_Rico_Basic_Permit_List.csv", "permittee_lists"),
)
#: The permits issued since the previous publication (every row flagged new).
ISSUED_SINCE = ListFile(
    "frl_issued_since", "FRL_Basic_Permits_Issued_Since_the_Last_Publication.csv", "permittee_new_permits"
)
WEEK_FILES = (*PERMIT_LISTS, ISSUED_SINCE)

#: Label (COLA) processing times by commodity, and formula processing times: replaced daily by TTB.
LABEL_TIMES_PATH = "/images/foia/cola_stats.xml"
FORMULA_TIMES_PATH = "/images/foia/form_stats.csv"


def list_url(base_url: str, folder: str, file_name: str) -> str:
    """The URL of one FRL file: ``<base_url>/system/files/<folder>/<file_name>``."""
    return f"{base_url.rstrip('/')}/system/files/{folder.strip('/')}/{file_name}"


def foia_url(base_url: str, path: str) -> str:
    """The URL of a file under ``/images/foia/``."""
    return f"{base_url.rstrip('/')}{path}"


def selected_files(names: list[str] | None) -> tuple[ListFile, ...]:
    """The week's files to load: all six, or those whose resource or file name is in ``names``."""
    if not names:
        return WEEK_FILES
    wanted = set(names)
    chosen = tuple(f for f in WEEK_FILES if f.resource in wanted or f.file_name in wanted)
    unknown = wanted - {f.resource for f in chosen} - {f.file_name for f in chosen}
    if unknown:
        from ttb_cola.errors import InputError

        raise InputError(f"unknown permittee file(s) {', '.join(sorted(unknown))}: expected resource or file names "
                         f"of {', '.join(f.resource for f in WEEK_FILES)}")
    return chosen
