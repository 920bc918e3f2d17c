"""The company pool of a registry: applicants whose permit, names and address recur across many COLAs.

Drawn once per seed from its own generator, before any COLA: a COLA's detail picks its company by
rank (a few companies file most applications), and TTB's open files list the same permits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ttb_cola_sim import pools
from ttb_cola_sim.sampling import cumulative, pick

N_COMPANIES = 2500


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


def make_companies(seed: int) -> list[Company]:
    """The seed's :data:`N_COMPANIES` companies, in rank order (the first file the most COLAs)."""
    rng = random.Random(f"{seed}|companies")
    product_types = [pools.WINE, pools.SPIRITS, pools.MALT]
    foreign = pools.FOREIGN_ORIGINS
    foreign_cum = cumulative([w for _, _, w in foreign])
    domestic = pools.DOMESTIC_ORIGINS
    domestic_cum = cumulative([w for *_, w in domestic])
    companies = []
    used_permits: set[str] = set()
    for _ in range(N_COMPANIES):
        product_type = rng.choices(product_types, weights=(55, 25, 20))[0]
        imported = rng.random() < 0.3
        if imported:
            state = rng.choice(pools.IMPORTER_STATES)
            countries = {pick(rng, foreign, foreign_cum)[:2] for _ in range(rng.randint(1, 3))}
            origins = sorted(countries)
            permit = f"{state}-I-{rng.randint(100, 26000)}"
            suffix = rng.choice(pools.IMPORTER_SUFFIX)
        else:
            code, name, state, _ = pick(rng, domestic, domestic_cum)
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
        others: list[dict[str, str | None]] = []
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
