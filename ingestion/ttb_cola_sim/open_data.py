"""TTB's open files as the simulator serves them: the weekly List of Permittees and the daily processing times.

Built in the real files' formats (``reference/ttb_open_data/FORMATS.md``): TTB's 10-column header, minimal
quoting, CRLF, UTF-8, ZIP codes as text, rows sorted by permit number as a string. The permits agree with
the simulated COLAs, so matching can be checked against truth:

- every importer company's COLA permit (``XX-I-n``) is in the importer list under that very number, its
  owner the legal name, its DBA the operating name;
- a spirits or wine company's COLA carries a plant registry number (``DSP-ST-n``, ``BWN-ST-n``); the list
  holds its basic permit (``ST-S-m``, ``ST-W-m``, another serial) under the same owner name (punctuation
  differs), street, state and ZIP. A few owners are listed under a holding name no name match can find
  (the recall below 100%), and some owner names reappear on a permit in another state (never a match);
- breweries (``BR-``) are not in the list, as at TTB;
- Puerto Rico's permits only in the Puerto Rico list (its columns are not known: TTB's header here);
- permits no COLA uses (new ones every week: the leads), wholesalers, and weekly changes: some lead
  permits move (a new street and ZIP) three weeks after they are issued and some are gone after five.

A handful of companies are permitted late (:data:`NEW_COMPANY_FIRST_WEEK` on, one every week), so a
"first label from a new permittee" exists; their earlier COLAs in the registry are a simplification.
The files of a date are those of the Monday on or before it; ``damage`` breaks a file on purpose.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from ttb_cola_sim import pools
from ttb_cola_sim.registry import Registry

FOLDER = "2025-04"
FILES_PREFIX = "/system/files/"
FOIA_PREFIX = "/images/foia/"
HEADER = ("Permit_Number,Owner_Name,Operating_Name,Street,City,State,Prem_Zip,Prem_County,Industry_Type,"
          "New_Permit_Flag")
INDUSTRY = {"I": "Importer (Alcohol)", "P": "Wholesaler (Alcohol)", "S": "Distilled Spirits Plant",
            "W": "Wine Producer"}
LIST_FILES = {
    "I": "FRL_Alcohol_Importer_Permit_List.csv",
    "P": "FRL_Alcohol_Wholesaler_Permit_List.csv",
    "S": "FRL_Spirits_Producers_and_Bottlers_List.csv",
    "W": "FRL_Wine_Producer_and_Blender_Permit_List.csv",
    "PR": "FRL_Puerto_Rico_Basic_Permit_List.csv",
}
ISSUED_SINCE_FILE = "FRL_Basic_Permits_Issued_Since_the_Last_Publication.csv"
#: Permits listed from the start (no COLA ever uses them: old permittees that never filed a label).
LISTED_SINCE = date(2000, 1, 3)
#: New lead permits are issued weekly from this Monday on; late-permitted companies from the next.
LEADS_FROM = date(2025, 1, 6)
NEW_COMPANY_FIRST_WEEK = date(2025, 6, 16)
NEW_LEADS_PER_WEEK = 12
NEW_WHOLESALERS_PER_WEEK = 8
#: Every ``NEW_COMPANY_EVERY``-th company (from ``NEW_COMPANY_OFFSET``) is permitted late, a week apart.
NEW_COMPANY_EVERY, NEW_COMPANY_OFFSET = 50, 7
COUNTIES = ["", "", "", "LOS ANGELES", "NAPA", "KINGS", "COOK", "TRAVIS", "JEFFERSON", "KING", "MONTGOMERY COUNTY",
            "SAN DIEGO COUNTY", "MIAMI-DADE", "MULTNOMAH"]
_LEGAL = re.compile(r",?\s*(?:&\s*)?(?:CO\.,\s*LLC|CO\.,|LLC|INC\.|CORP\.|LTD)$")
PUERTO_RICO = (["SAN JUAN", "BAYAMON", "PONCE", "CAGUAS"], "00")
_PRODUCER_KINDS = {"DSP": "S", "BWN": "W", "BW": "W"}
DAMAGES = ("cut", "short", "empty", "header", "bom", "one_line", "cp1252", "lf")


@dataclass(frozen=True)
class Permit:
    """One permit of the list, and when it is listed, moved and removed."""

    number: str
    owner: str
    operating: str
    street: str
    city: str
    state: str
    zip: str
    county: str
    kind: str  # I, P, S, W
    listed_from: date
    registry_permit: str | None = None  # the plant registry or importer permit COLAs carry
    matchable: bool = True  # a name match can find it (False: listed under a holding name)
    moved_on: date | None = None
    moved_street: str = ""
    moved_zip: str = ""
    removed_on: date | None = None

    def at(self, monday: date) -> Permit | None:
        """The permit as the list of ``monday`` shows it; None when not listed then."""
        if monday < self.listed_from or (self.removed_on and monday >= self.removed_on):
            return None
        if self.moved_on and monday >= self.moved_on:
            return replace(self, street=self.moved_street, zip=self.moved_zip)
        return self


def monday_of(day: date) -> date:
    """The Monday on or before ``day``: the week's publication."""
    return day - timedelta(days=day.weekday())


class OpenDataFiles:
    """The open files of one simulated registry (its seed and companies), at any date."""

    def __init__(self, registry: Registry, folder: str = FOLDER) -> None:
        self.registry = registry
        self.folder = folder
        #: file name -> one of :data:`DAMAGES`, applied when served.
        self.damage: dict[str, str] = {}
        self._used: set[str] = set()
        self._base = self._company_permits() + self._old_permits()
        self._weekly: dict[date, list[Permit]] = {}

    # ------------------------------------------------------------------ permits
    def _company_permits(self) -> list[Permit]:
        rng = random.Random(f"{self.registry.seed}|frl|companies")
        permits = []
        used = self._used
        companies = self.registry.companies
        for index, company in enumerate(companies):
            kind = "I" if "-I-" in company.permit_number else _PRODUCER_KINDS.get(company.permit_number.split("-")[0])
            if kind is None:  # breweries hold no basic permit of the list
                continue
            late = index % NEW_COMPANY_EVERY == NEW_COMPANY_OFFSET
            listed_from = NEW_COMPANY_FIRST_WEEK + timedelta(weeks=index // NEW_COMPANY_EVERY) if late else LISTED_SINCE
            owner, operating = _owner_and_operating(company.company_name, company.dba_name)
            matchable = True
            if kind == "I":
                number = company.permit_number
            else:
                number = _serial(rng, f"{company.state}-{kind}-", used)
                owner = _listed_spelling(owner)
                if rng.random() < 0.08:  # listed under a holding company: no name match can find it
                    owner, operating, matchable = f"{rng.choice(pools.OWNER_NAMES)} HOLDINGS GROUP LLC", "", False
            used.add(number)
            permits.append(Permit(number, owner, operating, _upper(company.street), company.city.upper(),
                                  company.state, company.zip, rng.choice(COUNTIES), kind, listed_from,
                                  registry_permit=company.permit_number, matchable=matchable))
            if kind != "I" and rng.random() < 0.1:  # the same owner name on a plant in another state
                other = rng.choice([s for s in pools.STATE_CITIES if s != company.state])
                cities, prefix = pools.STATE_CITIES[other]
                permits.append(Permit(_serial(rng, f"{other}-{kind}-", used), owner, operating,
                                      f"{rng.randint(1, 9999)} {rng.choice(pools.STREET_NAMES)}",
                                      rng.choice(cities).upper(), other, f"{prefix}{rng.randint(0, 999):03d}", "",
                                      kind, LISTED_SINCE))
            if rng.random() < 0.3:  # importers and producers often also hold a wholesaler permit
                permits.append(Permit(_serial(rng, f"{company.state}-P-", used), owner, operating,
                                      _upper(company.street), company.city.upper(), company.state, company.zip, "",
                                      "P", LISTED_SINCE))
        return permits

    def _old_permits(self) -> list[Permit]:
        rng = random.Random(f"{self.registry.seed}|frl|old")
        return [self._lead(rng, kind, LISTED_SINCE) for kind in "ISWPPP" * 60] + [
            self._lead(rng, kind, LISTED_SINCE, "PR") for kind in "IISWPPPP" * 3]

    def _lead(self, rng: random.Random, kind: str, listed_from: date, state: str = "") -> Permit:
        state = state or rng.choice(sorted(pools.STATE_CITIES))
        cities, prefix = pools.STATE_CITIES.get(state) or PUERTO_RICO
        words = " ".join(rng.sample(pools.NAME_WORDS, 2))
        suffix = {"I": pools.IMPORTER_SUFFIX, "P": ["DISTRIBUTING", "BEVERAGE CO", "WHOLESALE"],
                  "S": pools.COMPANY_SUFFIX[pools.SPIRITS], "W": pools.COMPANY_SUFFIX[pools.WINE]}[kind]
        owner = f"{words} {rng.choice(suffix)} {rng.choice(['LLC', 'INC', 'LLC'])}".upper()
        operating = f"{words} {rng.choice(suffix)}".title() if rng.random() < 0.4 else ""
        number = _serial(rng, f"{state}-{kind}-", self._used)
        street = f"{rng.randint(1, 39999)} {rng.choice(pools.STREET_NAMES)}"
        zip_code = f"{prefix}{rng.randint(0, 999):03d}"
        moved = removed = None
        if listed_from > LISTED_SINCE and rng.random() < 0.2:
            moved = listed_from + timedelta(weeks=3)
        if listed_from > LISTED_SINCE and rng.random() < 0.15:
            removed = listed_from + timedelta(weeks=5)
        return Permit(number, owner, operating, street, rng.choice(cities).upper(), state, zip_code,
                      rng.choice(COUNTIES), kind, listed_from, moved_on=moved,
                      moved_street=f"{rng.randint(1, 39999)} {rng.choice(pools.STREET_NAMES)}",
                      moved_zip=f"{prefix}{rng.randint(0, 999):03d}", removed_on=removed)

    def _week_leads(self, monday: date) -> list[Permit]:
        if monday < LEADS_FROM:
            return []
        if monday not in self._weekly:
            rng = random.Random(f"{self.registry.seed}|frl|week|{monday.isoformat()}")
            kinds = rng.choices("ISW", k=NEW_LEADS_PER_WEEK) + ["P"] * NEW_WHOLESALERS_PER_WEEK
            self._weekly[monday] = [self._lead(rng, kind, monday) for kind in kinds]
        return self._weekly[monday]

    def permits(self, day: date) -> list[Permit]:
        """Every permit the list of ``day``'s week holds, as it shows it."""
        monday = monday_of(day)
        candidates = list(self._base)
        week = LEADS_FROM
        while week <= monday:
            candidates.extend(self._week_leads(week))
            week += timedelta(weeks=1)
        return [shown for permit in candidates if (shown := permit.at(monday)) is not None]

    def truth(self) -> list[dict[str, Any]]:
        """The permit behind each COLA-filing company: ``registry_permit`` (on its COLAs), ``list_permit``,
        ``kind`` (importer or producer), ``matchable`` and ``listed_from``."""
        return [{"registry_permit": p.registry_permit, "list_permit": p.number,
                 "kind": "importer" if p.kind == "I" else "producer", "matchable": p.matchable,
                 "listed_from": p.listed_from.isoformat(), "state": p.state}
                for p in self._base if p.registry_permit]

    # ------------------------------------------------------------------ files
    def list_file(self, file_name: str, day: date) -> bytes:
        """One FRL CSV as of ``day`` (the Monday before it), damaged when asked."""
        monday = monday_of(day)
        permits = self.permits(day)
        if file_name == ISSUED_SINCE_FILE:
            rows = [p for p in permits if p.listed_from == monday]
        else:
            kind = next(k for k, name in LIST_FILES.items() if name == file_name)
            rows = [p for p in permits if (p.state == "PR") == (kind == "PR") and kind in (p.kind, "PR")]
        rows.sort(key=lambda p: p.number)
        out = io.StringIO(newline="")
        out.write(HEADER + "\r\n")
        for p in rows:
            fields = [p.number, p.owner, p.operating, p.street, p.city, p.state, p.zip, p.county, INDUSTRY[p.kind],
                      "1" if p.listed_from == monday else "0"]
            out.write(",".join(_quoted(f) for f in fields) + "\r\n")
        return _damaged(out.getvalue(), self.damage.get(file_name))

    def label_times(self, day: date) -> bytes:
        """``cola_stats.xml`` of ``day``: one ``FOR_XML2`` per commodity."""
        rng = random.Random(f"{self.registry.seed}|cola_stats|{day.isoformat()}")
        parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<dataroot>"]
        for commodity in ("DS", "MB", "Wine"):
            days = rng.randint(1, 9)
            received = day - timedelta(days=days)
            parts.append(f"<FOR_XML2><commodity>{commodity}</commodity><Turnaround_Time_Median> {days} "
                         f"</Turnaround_Time_Median><month>{received.month}</month><day>{received.day}</day>"
                         f"<year>{received.year}</year><now_time>{day.isoformat()} 06:00:00</now_time></FOR_XML2>")
        parts.append("</dataroot>")
        return _damaged("\r\n".join(parts) + "\r\n", self.damage.get("cola_stats.xml"))

    def formula_times(self, day: date) -> bytes:
        """``form_stats.csv`` of ``day``."""
        rng = random.Random(f"{self.registry.seed}|form_stats|{day.isoformat()}")
        lines = ["application_type,processing_time,processing_new,creation_date"]
        for kind in ("Distilled Spirit Formulas", "Malt Beverage Formulas", "Wine Formulas",
                     "All Formulas that require Sample Analysis"):
            days = rng.randint(3, 30)
            lines.append(f"{kind},{days},{(day - timedelta(days=days)).strftime('%m/%d/%Y')},"
                         f"{day.strftime('%m/%d/%Y')} 06:00:00")
        return _damaged("\r\n".join(lines) + "\r\n", self.damage.get("form_stats.csv"))

    def serve(self, path: str, if_none_match: str | None) -> tuple[int, bytes, str, list[tuple[str, str]]] | None:
        """(status, body, content type, headers) of an open-data path; None when it is not one."""
        day = self.registry.as_of
        prefix = f"{FILES_PREFIX}{self.folder}/"
        if path.startswith(prefix) and (name := path[len(prefix):]) in (*LIST_FILES.values(), ISSUED_SINCE_FILE):
            body, content_type, modified = self.list_file(name, day), "text/csv", monday_of(day)
        elif path == f"{FOIA_PREFIX}cola_stats.xml":
            body, content_type, modified = self.label_times(day), "text/xml", day
        elif path == f"{FOIA_PREFIX}form_stats.csv":
            body, content_type, modified = self.formula_times(day), "text/csv", day
        elif path.startswith((FILES_PREFIX, FOIA_PREFIX)):
            return 404, b"<html><body><h1>Page not found</h1></body></html>", "text/html", []
        else:
            return None
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        stamp = format_datetime(datetime(modified.year, modified.month, modified.day, 12, tzinfo=UTC), usegmt=True)
        headers = [("ETag", etag), ("Last-Modified", stamp)]
        if if_none_match and if_none_match == etag:
            return 304, b"", content_type, headers
        return 200, body, content_type, headers


def _owner_and_operating(company_name: str, dba: str | None) -> tuple[str, str]:
    """The list's owner (legal) and operating (DBA) names of a company whose COLAs read ``company_name``
    ("Operating, Owner" when it has a trade name, as on real COLAs)."""
    name = " ".join(company_name.split())
    head, sep, tail = name.partition(", ")
    if sep and not _LEGAL.fullmatch(", " + tail.upper()) and " " in tail:
        return tail.upper(), head
    return name.upper(), (dba or "").title()


def _listed_spelling(owner: str) -> str:
    """The owner as the list spells it: TTB's punctuation differs from the COLA's."""
    return owner.replace("CO., LLC", "CO LLC").replace("INC.", "INC").replace("CORP.", "CORPORATION")


def _upper(street: str) -> str:
    return street.upper().replace(", ", " ")


def _serial(rng: random.Random, prefix: str, used: set[str]) -> str:
    while (number := f"{prefix}{rng.randint(1, 29999)}") in used:
        pass
    used.add(number)
    return number


def _quoted(value: str) -> str:
    """Minimal quoting, doubled quotes: as TTB's files."""
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _damaged(text: str, damage: str | None) -> bytes:
    """The file's bytes, broken the way ``damage`` says (None: intact, UTF-8, CRLF)."""
    if damage is None:
        return text.encode("utf-8")
    if damage == "cut":
        data = text.encode("utf-8")
        return data[: len(data) * 2 // 3]
    if damage == "short":  # cut between two records: a third of the list, every line whole
        lines = text.split("\r\n")
        return "\r\n".join(lines[: max(2, len(lines) // 3)]).encode("utf-8") + b"\r\n"
    if damage == "empty":
        return b""
    if damage == "header":
        return text.replace("Prem_Zip", "Zip", 1).encode("utf-8")
    if damage == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if damage == "cp1252":
        return text.encode("cp1252", errors="replace")
    if damage == "lf":
        return text.replace("\r\n", "\n").encode("utf-8")
    if damage == "one_line":
        header, _, body = text.partition("\r\n")
        return (header + "\r\n" + ",".join(line for line in body.split("\r\n") if line)).encode("utf-8")
    raise ValueError(f"unknown damage {damage!r}: expected one of {', '.join(DAMAGES)}")
