"""The deterministic synthetic registry: every COLA of every receipt date, seen "as of" a date.

Everything is a pure function of the seed. A partition (receipt date x method) is generated in two
layers, each from its own ``random.Random`` keyed by (seed, partition):

- the *skeleton*: how many applications were received (the highest sequence), which of them are
  never public (rejected/withdrawn: holes), each one's approval date, and any later status change
  (SURRENDERED/EXPIRED/REVOKED with its date). Cheap; used by search and statistics;
- the *details*: every field of each public COLA, drawn from :mod:`pools` and from a company pool
  shared by the whole registry (permit numbers and addresses recur across many COLAs).

Neither layer depends on the clock. "As of D" only decides what is visible: an application is public
iff its approval date <= D, and its status is the latest change dated <= D; ``completed_date`` is
that latest status date. So moving the clock forward makes late approvals and status changes appear
while everything already seen keeps its values.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ttb_cola.ids import RECEIPT_METHODS, format_ttb_id, parse_ttb_id
from ttb_cola_sim import pools

APPROVED = "APPROVED"
SURRENDERED = "SURRENDERED"
EXPIRED = "EXPIRED"
REVOKED = "REVOKED"
STATUSES = (APPROVED, SURRENDERED, EXPIRED, REVOKED)

# Upper bounds the search relies on to know which partitions can hold a completed date.
MAX_APPROVAL_LAG = 120
MIN_CHANGE_DELAY = 30
MAX_CHANGE_DELAY = 540

DEFAULT_START = date(2000, 1, 1)
N_COMPANIES = 2500
_METHOD_SALT = {"001": 1, "002": 2, "003": 3, "000": 4}
# e-filed weekday means (Mon..Sun), from the real whiskey ID list: ~1,000 Mon-Thu, ~800 Fri, ~80 weekends.
_EFILED_MEAN = (990, 1010, 1020, 990, 810, 85, 80)
_EFILED_HOLIDAY_MEAN = 40
_OTHER_WEEKDAY_MEAN = {"002": 3.0, "003": 1.5, "000": 1.0}
_HOLE_RATE = {"001": 0.11, "002": 0.15, "003": 0.15, "000": 0.15}
_CHANGE_RATES = ((SURRENDERED, 0.03), (EXPIRED, 0.015), (REVOKED, 0.004))


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _pick(rng: random.Random, items: list, cumulative: list[float]) -> Any:
    """Weighted choice with precomputed cumulative weights (faster than rng.choices per call)."""
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    if n > 0:
        return first + timedelta(days=offset + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


_HOLIDAYS: dict[int, frozenset[date]] = {}


def federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays of a year (observed dates), when e-filing slows to a trickle."""
    if year not in _HOLIDAYS:
        days = {
            _observed(date(year, 1, 1)),
            _nth_weekday(year, 1, 0, 3),
            _nth_weekday(year, 2, 0, 3),
            _nth_weekday(year, 5, 0, -1),
            _observed(date(year, 7, 4)),
            _nth_weekday(year, 9, 0, 1),
            _nth_weekday(year, 10, 0, 2),
            _observed(date(year, 11, 11)),
            _nth_weekday(year, 11, 3, 4),
            _observed(date(year, 12, 25)),
        }
        if year >= 2021:
            days.add(_observed(date(year, 6, 19)))
        _HOLIDAYS[year] = frozenset(days)
    return _HOLIDAYS[year]


@dataclass(frozen=True, slots=True)
class Skeleton:
    """What was received in one partition, independent of the clock.

    ``approval[i]`` is the approval date ordinal of sequence ``i + 1`` (0: never public);
    ``change[i]`` is ``(status, date ordinal)`` of its later status change, or None.
    """

    receipt_date: date
    method: str
    approval: tuple[int, ...]
    change: tuple[tuple[str, int] | None, ...]

    @property
    def received(self) -> int:
        """The highest sequence received that day (public or not)."""
        return len(self.approval)


@dataclass(slots=True)
class Company:
    """An applicant: permit, names and address reused across many COLAs."""

    permit_number: str
    company_name: str
    street: str
    city: str
    state: str
    zip: str
    vendor_code: str
    product_type: str
    imported: bool
    origins: list[tuple[str, str]]
    brands: list[str]
    contacts: list[tuple[str, str, str, str | None]]
    dba_name: str | None
    other_plants: list[dict[str, str | None]]


class Registry:
    """The synthetic registry of one seed, with a movable clock.

    Args:
        seed: everything is a pure function of it.
        as_of: the clock; defaults to today. What is public and each COLA's status depend on it.
        start: the first receipt date that holds applications (earlier IDs are never public).
        business_days: count approval lags in business days and move status changes to business
            days, so that no COLA is completed on a weekend or federal holiday and the weekdays
            share the week's work evenly (the default keeps the calendar lags: weekend approvals
            fall on Mondays, and status changes on any day).
    """

    def __init__(self, seed: int = 1, as_of: date | None = None, start: date = DEFAULT_START,
                 business_days: bool = False) -> None:
        self.seed = int(seed)
        self._as_of = as_of or date.today()
        self.start = start
        self.business_days = business_days
        self._business: list[int] = _business_ordinals(start) if business_days else []
        #: Candidate completed dates -> packed (receipt ordinal, method, sequence) of the skeleton
        #: entries approved or changed on them, and beside each the ordinal of its later change (0:
        #: none; -1: indexed under the change itself), for every receipt date in ``_indexed``.
        self._by_completed: dict[int, tuple[array, array]] = {}
        self._indexed: set[int] = set()
        #: Status changes set at run time (``change_status``), by TTB ID: (status, completed ordinal).
        self._changes: dict[str, tuple[str, int]] = {}
        self._lock = threading.RLock()
        self._skeletons: OrderedDict[tuple[date, str], Skeleton] = OrderedDict()
        self._details: OrderedDict[tuple[date, str, int], dict[str, Any]] = OrderedDict()
        self._skeleton_cache_size = 20_000
        self._detail_cache_size = 200_000
        self._companies = self._make_companies()
        self._company_cum = _cumulative([1.0 / (rank + 1) ** 1.05 for rank in range(len(self._companies))])
        self._class_by_type: dict[str, tuple[list, list[float]]] = {}
        for product_type in (pools.WINE, pools.SPIRITS, pools.MALT):
            items = [c for c in pools.CLASS_TYPES if c[2] == product_type]
            self._class_by_type[product_type] = (items, _cumulative([c[3] for c in items]))

    # ----------------------------------------------------------------- clock
    @property
    def as_of(self) -> date:
        """The date the registry is seen at."""
        return self._as_of

    def set_as_of(self, as_of: date) -> None:
        """Move the clock (forward or back); generated data is kept, only visibility changes."""
        self._as_of = as_of

    def change_status(self, ttb_id: str, status: str, on: date) -> None:
        """Give a public COLA a new status completed ``on`` (e.g. surrendered later the day it was
        fetched): from then on its pages show the status and the search lists it under ``on``."""
        self._changes[ttb_id] = (status, on.toordinal())

    def _status(self, ttb_id: str, approved: int, change: tuple[str, int] | None, day: int) -> tuple[str, int]:
        """(status, completed ordinal) of a public COLA as of ordinal ``day``."""
        status, completed = APPROVED, approved
        if change is not None and change[1] <= day:
            status, completed = change
        late = self._changes.get(ttb_id)
        if late is not None and late[1] <= day:
            status, completed = late
        return status, completed

    # ----------------------------------------------------------------- skeleton
    def _rng(self, receipt_date: date, method: str, layer: str) -> random.Random:
        salt = receipt_date.toordinal() * 10 + _METHOD_SALT[method]
        return random.Random(f"{self.seed}|{salt}|{layer}")

    def expected_volume(self, receipt_date: date, method: str) -> float:
        """Mean number of applications received on a day by a method (before noise)."""
        weekday = receipt_date.weekday()
        holiday = receipt_date in federal_holidays(receipt_date.year)
        if method == "001":
            return _EFILED_HOLIDAY_MEAN if holiday else _EFILED_MEAN[weekday]
        if holiday or weekday >= 5:
            return 0.05
        return _OTHER_WEEKDAY_MEAN[method]

    def skeleton(self, receipt_date: date, method: str) -> Skeleton:
        """The clock-independent skeleton of a partition (cached)."""
        key = (receipt_date, method)
        with self._lock:
            cached = self._skeletons.get(key)
            if cached is not None:
                self._skeletons.move_to_end(key)
                return cached
        skeleton = self._make_skeleton(receipt_date, method)
        with self._lock:
            self._skeletons[key] = skeleton
            if len(self._skeletons) > self._skeleton_cache_size:
                self._skeletons.popitem(last=False)
        return skeleton

    def _make_skeleton(self, receipt_date: date, method: str) -> Skeleton:
        if receipt_date < self.start or method not in RECEIPT_METHODS:
            return Skeleton(receipt_date, method, (), ())
        rng = self._rng(receipt_date, method, "skeleton")
        mean = self.expected_volume(receipt_date, method)
        # e-filed: several hundred a weekday with normal noise; the other methods: a Poisson handful.
        efiled = method == "001"
        count = max(0, round(mean * max(0.3, rng.gauss(1.0, 0.12)))) if efiled else _poisson(rng, mean)
        hole_rate = _HOLE_RATE[method]
        base = receipt_date.toordinal()
        approvals: list[int] = []
        changes: list[tuple[str, int] | None] = []
        rand = rng.random
        for _ in range(count):
            if rand() < hole_rate:
                approvals.append(0)
                changes.append(None)
                continue
            roll = rand()
            if roll < 0.45:
                lag = 1 + int(rand() * 7)
            elif roll < 0.82:
                lag = 8 + int(rand() * 14)
            elif roll < 0.96:
                lag = 22 + int(rand() * 24)
            else:
                lag = 46 + int(rand() * (MAX_APPROVAL_LAG - 45))
            if self._business:
                approved = self._business_after(base, max(1, round(lag * 5 / 7)))
            else:
                approved = base + lag
                weekday = (approved - 1) % 7  # date.fromordinal(1) is a Monday
                if weekday >= 5:
                    approved += 7 - weekday
            approvals.append(approved)
            roll = rand()
            change = None
            for status, rate in _CHANGE_RATES:
                if roll < rate:
                    delay = MIN_CHANGE_DELAY + int(rand() * (MAX_CHANGE_DELAY - MIN_CHANGE_DELAY))
                    changed = approved + delay
                    if self._business:
                        changed = self._business_after(changed - 1, 1)
                    change = (status, changed)
                    break
                roll -= rate
            changes.append(change)
        return Skeleton(receipt_date, method, tuple(approvals), tuple(changes))

    def _business_after(self, ordinal: int, count: int) -> int:
        """The ``count``-th business day after ``ordinal``."""
        return self._business[bisect.bisect_right(self._business, ordinal) + count - 1]

    # ----------------------------------------------------------------- completed-date index
    def _index_receipts(self, first: date, last: date) -> None:
        """Index the skeletons of receipt dates ``first``..``last`` by candidate completed date."""
        for ordinal in range(first.toordinal(), last.toordinal() + 1):
            if ordinal in self._indexed:
                continue
            receipt_date = date.fromordinal(ordinal)
            for m, method in enumerate(RECEIPT_METHODS):
                skeleton = self.skeleton(receipt_date, method)
                packed = (ordinal * 10 + m) * 1_000_000
                for index, approved in enumerate(skeleton.approval):
                    if not approved:
                        continue
                    change = skeleton.change[index]
                    ids, later = self._by_completed.setdefault(approved, (array("q"), array("q")))
                    ids.append(packed + index)
                    later.append(0 if change is None else change[1])
                    if change is not None:
                        ids, later = self._by_completed.setdefault(change[1], (array("q"), array("q")))
                        ids.append(packed + index)
                        later.append(-1)
            self._indexed.add(ordinal)

    def _index_keys(self, ttb_ids: Iterable[str]) -> list[int]:
        """The packed index keys of TTB IDs that name a received application."""
        methods = list(RECEIPT_METHODS)
        keys = []
        for ttb_id in ttb_ids:
            parsed = parse_ttb_id(ttb_id)
            if parsed.receipt_method in methods and parsed.sequence > 0:
                keys.append((parsed.receipt_date.toordinal() * 10 + methods.index(parsed.receipt_method)) * 1_000_000
                            + parsed.sequence - 1)
        return keys

    # ----------------------------------------------------------------- companies
    def _make_companies(self) -> list[Company]:
        rng = random.Random(f"{self.seed}|companies")
        product_types = [pools.WINE, pools.SPIRITS, pools.MALT]
        foreign = pools.FOREIGN_ORIGINS
        foreign_cum = _cumulative([w for _, _, w in foreign])
        domestic = pools.DOMESTIC_ORIGINS
        domestic_cum = _cumulative([w for *_, w in domestic])
        companies = []
        used_permits: set[str] = set()
        for _ in range(N_COMPANIES):
            product_type = rng.choices(product_types, weights=(55, 25, 20))[0]
            imported = rng.random() < 0.3
            if imported:
                state = rng.choice(pools.IMPORTER_STATES)
                countries = {_pick(rng, foreign, foreign_cum)[:2] for _ in range(rng.randint(1, 3))}
                origins = sorted(countries)
                permit = f"{state}-I-{rng.randint(100, 26000)}"
                suffix = rng.choice(pools.IMPORTER_SUFFIX)
            else:
                code, name, state, _ = _pick(rng, domestic, domestic_cum)
                origins = [(code, name)]
                prefix = {pools.WINE: rng.choice(["BWN", "BWN", "BW"]), pools.SPIRITS: "DSP", pools.MALT: "BR"}
                permit = f"{prefix[product_type]}-{state}-{rng.randint(1, 25000)}"
                suffix = rng.choice(pools.COMPANY_SUFFIX[product_type])
            while permit in used_permits:
                permit += str(rng.randint(0, 9))
            used_permits.add(permit)
            words = rng.sample(pools.NAME_WORDS, rng.randint(1, 2))
            if rng.random() < 0.12:
                words = [f"{rng.choice(['MR.', 'MRS.', 'DR.', 'MAISON'])} {rng.choice(pools.OWNER_NAMES)}"]
            short = " ".join(words)
            legal = f"{short} {suffix} {rng.choice(pools.LEGAL_SUFFIX)}"
            style = rng.random()
            if style < 0.35:
                company_name = legal.title().replace("'S", "'s").replace("Llc", "LLC")
            elif style < 0.55:
                trade = f"{short} {suffix}".title()
                company_name = f"{trade}, {legal.title().replace('Llc', 'LLC')}"
            else:
                company_name = legal
            if rng.random() < 0.08:
                company_name = company_name.replace(" ", "  ", 1)  # the registry keeps double spaces
            cities, zip_prefix = pools.STATE_CITIES.get(state, (["SPRINGFIELD"], "6"))
            street = f"{rng.randint(1, 39999)} {rng.choice(pools.STREET_NAMES)}{rng.choice(pools.STREET_SUFFIXES)}"
            brands = [short] if rng.random() < 0.5 else []
            for _ in range(rng.randint(1, 10)):
                brands.append(" ".join(rng.sample(pools.NAME_WORDS, rng.randint(1, 3))))
            contacts = []
            for _ in range(rng.randint(1, 3)):
                first, last = rng.choice(pools.FIRST_NAMES), rng.choice(pools.LAST_NAMES)
                phone = f"({rng.choice(pools.AREA_CODES)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
                email = None
                if rng.random() < 0.3:
                    domain = "".join(ch for ch in short.lower() if ch.isalnum())[:16] or "example"
                    email = f"{first[0].lower()}{last.split()[0].lower().replace(chr(39), '')}@{domain}.com"
                contacts.append((first, last, phone, email))
            dba = None
            if rng.random() < (0.45 if imported else 0.2):
                dba = f"{' '.join(rng.sample(pools.NAME_WORDS, 2))} {suffix}"
            others = []
            if rng.random() < 0.08:
                for _ in range(rng.randint(1, 2)):
                    other_state = state if rng.random() < 0.6 else rng.choice(list(pools.STATE_CITIES))
                    other_cities, other_zip = pools.STATE_CITIES[other_state]
                    other_permit = f"{permit.split('-')[0]}-{other_state}-{rng.randint(1, 25000)}"
                    others.append({
                        "permit_number": other_permit,
                        "company_name": company_name,
                        "address_street": f"{rng.randint(1, 9999)} {rng.choice(pools.STREET_NAMES)}",
                        "address_city": rng.choice(other_cities),
                        "address_state": other_state,
                        "address_zip": f"{other_zip}{rng.randint(0, 999):03d}",
                    })
            companies.append(Company(
                permit_number=permit, company_name=company_name, street=street, city=rng.choice(cities),
                state=state, zip=f"{zip_prefix}{rng.randint(0, 999):03d}", vendor_code=f"{rng.randint(10000, 99999)}",
                product_type=product_type, imported=imported, origins=origins, brands=brands,
                contacts=contacts, dba_name=dba, other_plants=others,
            ))
        return companies

    # ----------------------------------------------------------------- details
    def _detail(self, receipt_date: date, method: str, sequence: int) -> dict[str, Any]:
        """The clock-independent fields of one public application (cached).

        Each record has its own generator, keyed by (seed, partition, sequence), so a search or a
        detail page generates only the records it needs.
        """
        key = (receipt_date, method, sequence)
        with self._lock:
            cached = self._details.get(key)
            if cached is not None:
                return cached
        skeleton = self.skeleton(receipt_date, method)
        salt = (receipt_date.toordinal() * 10 + _METHOD_SALT[method]) * 1_000_000 + sequence
        rng = random.Random(self.seed * 10_000_000_000_000 + salt)
        detail = self._make_detail(rng, receipt_date, method, sequence, skeleton.approval[sequence - 1],
                                   skeleton.change[sequence - 1])
        with self._lock:
            self._details[key] = detail
            if len(self._details) > self._detail_cache_size:
                self._details.popitem(last=False)
        return detail

    def _make_detail(self, rng: random.Random, receipt_date: date, method: str, sequence: int,
                     approved: int, change: tuple[str, int] | None) -> dict[str, Any]:
        rand = rng.random
        company = _pick(rng, self._companies, self._company_cum)
        product_type = company.product_type
        classes, class_cum = self._class_by_type[product_type]
        class_code, class_desc, _, _ = _pick(rng, classes, class_cum)
        origin_code, origin_desc = company.origins[int(rand() * len(company.origins))]
        brand = company.brands[int(rand() * len(company.brands))]
        yy = receipt_date.year % 100
        fanciful = None
        if rand() < 0.55:
            words = pools.FANCIFUL_WORDS[product_type]
            fanciful = words[int(rand() * len(words))]
            if product_type == pools.WINE and rand() < 0.5:
                fanciful = pools.VARIETALS[int(rand() * len(pools.VARIETALS))].upper() + (
                    "" if rand() < 0.7 else f" {fanciful}")
            if rand() < 0.01:
                fanciful = f"{fanciful}\r\n{origin_desc}"  # entered on two lines, as some are
        is_wine = product_type == pools.WINE
        grape = vintage = appellation = None
        if is_wine:
            if class_code in ("80", "81", "80A", "84") and rand() < 0.6:
                picks = rng.sample(pools.VARIETALS, 1 if rand() < 0.8 else 2)
                grape = ", ".join(picks) if rand() < 0.5 else ", ".join(p.upper() for p in picks)
                if rand() < 0.1:
                    grape = f"100% {grape.upper()}"
            if rand() < 0.45:
                vintage = str(receipt_date.year - 1 - int(rand() * 4))
            if rand() < 0.7:
                if company.imported:
                    options = pools.FOREIGN_APPELLATIONS.get(origin_desc)
                else:
                    options = pools.DOMESTIC_APPELLATIONS.get(company.state, [origin_desc])
                if options:
                    appellation = options[int(rand() * len(options))]
        formula = None
        formula_rate = 0.5 if class_code in ("641", "699", "720", "149", "82M", "86", "956") else 0.03
        if rand() < formula_rate:
            formula = str(1_000_000 + int(rand() * 400_000))
        roll = rand()
        for_sale_in = capacity = None
        if roll < 0.05 and not company.imported:
            application = ["EXEMPTION"]
            for_sale_in = company.state
        elif roll < 0.07 and product_type == pools.SPIRITS:
            application = ["LABEL APPROVAL", "DISTINCTIVE LIQUOR BOTTLE APPROVAL"]
            capacity = pools.BOTTLE_CAPACITIES[int(rand() * len(pools.BOTTLE_CAPACITIES))]
        else:
            application = ["LABEL APPROVAL"]
        previous = None
        if rand() < 0.02:
            application = application + ["RESUBMISSION AFTER REJECTION"]
            earlier = receipt_date - timedelta(days=7 + int(rand() * 60))
            previous = format_ttb_id(max(earlier, date(1970, 1, 1)), "001", 1 + int(rand() * 800))
        qualifications = [pools.STANDARD_QUALIFICATION]
        if rand() < 0.06:
            extra = pools.EXTRA_QUALIFICATIONS[int(rand() * len(pools.EXTRA_QUALIFICATIONS))]
            qualifications.insert(0, extra)
        first, last, phone, email = company.contacts[int(rand() * len(company.contacts))]
        others = company.other_plants if company.other_plants and rand() < 0.4 else []
        if rand() < 0.15:
            serial = f"{yy:02d}" + "".join(
                "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"[int(rand() * 33)] for _ in range(4))
        else:
            serial = f"{yy:02d}{int(rand() * 10000):04d}"
        applied = receipt_date if method == "001" else receipt_date - timedelta(days=1 + int(rand() * 9))
        images = []
        n_images = 1 + (rand() < 0.65) + (rand() < 0.25) + (rand() < 0.1)
        brand_slug = brand.title() if rand() < 0.5 else brand
        for i in range(n_images):
            image_type = pools.IMAGE_TYPES[0] if i == 0 else pools.IMAGE_TYPES[1 if i == 1 else 1 + int(rand() * 4)]
            stem = pools.IMAGE_FILE_STEMS[int(rand() * len(pools.IMAGE_FILE_STEMS))].format(
                brand=brand_slug, fanciful=(fanciful or "label").split("\r")[0].title(), n=sequence % 97 + i)
            ext = pools.IMAGE_EXTENSIONS[int(rand() * len(pools.IMAGE_EXTENSIONS))]
            filename = f"{stem.strip()} {i + 1}{ext}" if i and rand() < 0.5 else f"{stem}{ext}"
            width = round(0.8 + rand() * 8.2, int(rand() * 3))
            height = round(0.8 + rand() * 6.2, int(rand() * 3))
            images.append({"image_type": image_type, "filename": filename,
                           "width_in": float(width), "height_in": float(height)})
        expiration = None
        if change is not None and change[0] == EXPIRED:
            expiration = date.fromordinal(change[1]).isoformat()
        ttb_id = format_ttb_id(receipt_date, method, sequence)
        return {
            "ttb_id": ttb_id,
            "status": APPROVED,
            "vendor_code": company.vendor_code,
            "serial_number": serial,
            "class_type_description": class_desc,
            "origin_description": origin_desc,
            "class_type_code": class_code,
            "origin_code": origin_code,
            "brand_name": brand,
            "fanciful_name": fanciful,
            "type_of_application": application,
            "for_sale_in": for_sale_in,
            "total_bottle_capacity": capacity,
            "previous_ttb_id": previous,
            "grape_varietals": grape,
            "wine_vintage": vintage,
            "wine_appellation": appellation,
            "formula": formula,
            "approval_date": date.fromordinal(approved).isoformat(),
            "qualifications": qualifications,
            "permit_number": company.permit_number,
            "company_name": company.company_name,
            "address_street": company.street,
            "address_city": company.city,
            "address_state": company.state,
            "address_zip": company.zip,
            "other_permits": others,
            "dba_name": company.dba_name,
            "contact_first": first,
            "contact_last": last,
            "phone": phone,
            "email": email,
            "source_of_product": "Imported" if company.imported else "Domestic",
            "type_of_product": product_type,
            "date_of_application": applied.isoformat(),
            "date_issued": date.fromordinal(approved).isoformat(),
            "expiration_date": expiration,
            "label_images": images,
            "receipt_date": receipt_date.isoformat(),
            "receipt_method": method,
            "sequence": sequence,
            "completed_date": date.fromordinal(approved).isoformat(),
            "_completed": approved,
            "_change": change,
        }

    # ----------------------------------------------------------------- public views
    def raw(self, ttb_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        """The internal record (rendering form, shared, do not mutate) with status as of the clock.

        Returns None when the ID is malformed, was never received, is a hole or is not yet approved.
        """
        try:
            parsed = parse_ttb_id(ttb_id)
        except ValueError:
            return None
        return self._raw(parsed.receipt_date, parsed.receipt_method, parsed.sequence, as_of)

    def _raw(self, receipt_date: date, method: str, sequence: int, as_of: date | None) -> dict[str, Any] | None:
        day = (as_of or self._as_of).toordinal()
        if receipt_date.toordinal() >= day or sequence < 1:
            return None
        skeleton = self.skeleton(receipt_date, method)
        if sequence > skeleton.received:
            return None
        approved = skeleton.approval[sequence - 1]
        if not approved or approved > day:
            return None
        detail = self._detail(receipt_date, method, sequence)
        ttb_id = format_ttb_id(receipt_date, method, sequence) if self._changes else ""
        status, completed = self._status(ttb_id, approved, skeleton.change[sequence - 1], day)
        if detail["status"] == status and detail.get("_completed") == completed:
            return detail
        view = dict(detail)
        view["status"] = status
        view["_completed"] = completed
        view["completed_date"] = date.fromordinal(completed).isoformat()
        return view

    def record(self, ttb_id: str, as_of: date | None = None) -> dict[str, Any] | None:
        """The truth record of a public COLA as of the clock (the field names of ttb_cola.records), or None."""
        raw = self.raw(ttb_id, as_of)
        return truth_record(raw) if raw is not None else None

    def partition_records(self, receipt_date: date, method: str, as_of: date | None = None) -> list[dict[str, Any]]:
        """Truth records of one partition's public COLAs as of the clock, by sequence."""
        skeleton = self.skeleton(receipt_date, method)
        out = []
        for sequence in range(1, skeleton.received + 1):
            raw = self._raw(receipt_date, method, sequence, as_of)
            if raw is not None:
                out.append(truth_record(raw))
        return out

    def records(self, start: date, end: date, methods: list[str] | None = None,
                as_of: date | None = None) -> Iterator[dict[str, Any]]:
        """Truth records of every public COLA received from ``start`` to ``end`` inclusive."""
        day = start
        methods = methods or ["001", "002", "003", "000"]
        while day <= end:
            for method in methods:
                yield from self.partition_records(day, method, as_of)
            day += timedelta(days=1)

    def stats(self, receipt_date: date, method: str, as_of: date | None = None) -> dict[str, Any]:
        """Counts of a partition: received, public as of the clock, holes, pending, highest public sequence."""
        skeleton = self.skeleton(receipt_date, method)
        day = (as_of or self._as_of).toordinal()
        public = [i + 1 for i, a in enumerate(skeleton.approval) if a and a <= day]
        holes = sum(1 for a in skeleton.approval if not a)
        return {
            "received": skeleton.received,
            "public": len(public),
            "holes": holes,
            "pending": skeleton.received - holes - len(public),
            "highest_public": public[-1] if public else 0,
        }

    def completed_between(self, first: date, last: date, as_of: date | None = None) -> Iterator[dict[str, Any]]:
        """Raw records whose completed date (latest status date as of the clock) is in [first, last],
        by receipt date, method and sequence."""
        clock = as_of or self._as_of
        lo, hi = first.toordinal(), min(last, clock).toordinal()
        for key in self._completed_keys(first, last, clock):
            raw = self.raw_by_key(key, clock)
            if raw is not None and lo <= raw["_completed"] <= hi:
                yield raw

    def completed_ids(self, first: date, last: date, as_of: date | None = None) -> list[tuple[str, int]] | None:
        """(TTB ID, index key) of every record completed in [first, last], sorted by TTB ID, without
        generating a record (:meth:`raw_by_key` reads one); None when status changes set at run time
        make the index inexact (then use :meth:`completed_between`)."""
        if self._changes:
            return None
        methods = list(RECEIPT_METHODS)
        out = []
        for key in self._completed_keys(first, last, as_of or self._as_of):
            receipt, m, index = _unpack(key)
            out.append((format_ttb_id(date.fromordinal(receipt), methods[m], index + 1), key))
        out.sort()
        return out

    def raw_by_key(self, key: int, as_of: date | None = None) -> dict[str, Any] | None:
        """The raw record of an index key (see :meth:`raw`)."""
        receipt, m, index = _unpack(key)
        return self._raw(date.fromordinal(receipt), list(RECEIPT_METHODS)[m], index + 1, as_of)

    def _completed_keys(self, first: date, last: date, clock: date) -> list[int]:
        """Index keys of the records completed in [first, last] as of ``clock``, in key order (exact
        unless status changes were set at run time: those are included, to be checked on reading)."""
        last = min(last, clock)
        lo, hi = first.toordinal(), last.toordinal()
        if lo > hi:
            return []
        scan_from = max(self.start, first - timedelta(days=MAX_APPROVAL_LAG + MAX_CHANGE_DELAY + 7))
        now = clock.toordinal()
        found: set[int] = set()
        with self._lock:
            self._index_receipts(scan_from, last)
            for ordinal in range(lo, hi + 1):
                ids, later = self._by_completed.get(ordinal, ((), ()))
                # listed on this date unless a later change, already effective, moved it
                found.update(packed for packed, change in zip(ids, later, strict=True) if change <= 0 or change > now)
        if self._changes:  # changed at run time: their own date counts (checked as the record is read)
            found.update(self._index_keys(self._changes))
        return sorted(found)


def _unpack(key: int) -> tuple[int, int, int]:
    """(receipt ordinal, method index, sequence index) of an index key."""
    rest, index = divmod(key, 1_000_000)
    receipt, m = divmod(rest, 10)
    return receipt, m, index


def _business_ordinals(start: date) -> list[int]:
    """Ordinals of the business days (not weekends, not federal holidays) from a year before
    ``start`` to 2100."""
    out = []
    day = date(start.year - 1, 1, 1)
    end = date(2100, 12, 31)
    while day <= end:
        if day.weekday() < 5 and day not in federal_holidays(day.year):
            out.append(day.toordinal())
        day += timedelta(days=1)
    return out


def truth_record(raw: dict[str, Any]) -> dict[str, Any]:
    """The cleaned truth form of an internal record: the field names of ttb_cola.records plus completed_date."""
    from ttb_cola.text import clean

    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name.startswith("_") or name in ("contact_first", "contact_last"):
            continue
        if isinstance(value, str):
            value = clean(value)
        out[name] = value
    out["qualifications"] = "\n".join(clean(q) for q in raw["qualifications"]) or None
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
