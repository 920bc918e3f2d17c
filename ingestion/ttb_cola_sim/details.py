"""The detail layer of a public COLA: every field of its pages, independent of the clock.

Each record draws from its own generator, keyed by (seed, partition, sequence), so a search or a
detail page generates only the records it needs. Fields come from :mod:`pools` and from the
registry's company pool (permit numbers and addresses recur across many COLAs).
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from datetime import date, timedelta
from typing import Any

from ttb_cola.ids import format_ttb_id
from ttb_cola_sim import pools
from ttb_cola_sim.companies import Company
from ttb_cola_sim.sampling import cumulative, partition_salt, pick
from ttb_cola_sim.skeletons import APPROVED, EXPIRED


class Details:
    """The details of one seed's public COLAs, generated on demand and kept in a bounded cache.

    Args:
        seed: the registry's seed.
        companies: the registry's company pool, in rank order (the first ones file the most COLAs).
    """

    def __init__(self, seed: int, companies: list[Company], cache_size: int = 200_000) -> None:
        self.seed = seed
        self.companies = companies
        self._company_cum = cumulative([1.0 / (rank + 1) ** 1.05 for rank in range(len(companies))])
        self._class_by_type: dict[str, tuple[list, list[float]]] = {}
        for product_type in (pools.WINE, pools.SPIRITS, pools.MALT):
            items = [c for c in pools.CLASS_TYPES if c[2] == product_type]
            self._class_by_type[product_type] = (items, cumulative([c[3] for c in items]))
        self._cache: OrderedDict[tuple[date, str, int], dict[str, Any]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def get(self, receipt_date: date, method: str, sequence: int, approved: int,
            change: tuple[str, int] | None) -> dict[str, Any]:
        """The clock-independent fields of one public application (cached), approved on ordinal
        ``approved`` and with the later status change ``change`` its partition's skeleton gives it."""
        key = (receipt_date, method, sequence)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        salt = partition_salt(receipt_date, method) * 1_000_000 + sequence
        rng = random.Random(self.seed * 10_000_000_000_000 + salt)
        detail = self._make(rng, receipt_date, method, sequence, approved, change)
        with self._lock:
            self._cache[key] = detail
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return detail

    def _make(self, rng: random.Random, receipt_date: date, method: str, sequence: int,
              approved: int, change: tuple[str, int] | None) -> dict[str, Any]:
        rand = rng.random
        company = pick(rng, self.companies, self._company_cum)
        product_type = company.product_type
        classes, class_cum = self._class_by_type[product_type]
        class_code, class_desc, _, _ = pick(rng, classes, class_cum)
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
