"""A realistic, deterministic 1,000-row SVI tract file, generated once per session."""
from __future__ import annotations

import csv
import random

import pytest

SVI_HEADER = ["ST", "STATE", "ST_ABBR", "STCNTY", "COUNTY", "FIPS", "LOCATION", "AREA_SQMI", "E_TOTPOP",
              "RPL_THEME1", "RPL_THEME2", "RPL_THEME3", "RPL_THEME4", "RPL_THEMES"]
COUNTIES = [("36005", "Bronx County"), ("36047", "Kings County"), ("36061", "New York County"),
            ("36081", "Queens County"), ("36085", "Richmond County")]


def svi_rows(n: int = 1000, seed: int = 20260323) -> list[dict]:
    rng = random.Random(seed)
    rows, used = [], set()
    while len(rows) < n:
        county, county_name = rng.choice(COUNTIES)
        tract = rng.randrange(100, 150_000)
        fips = f"{county}{tract:06d}"
        if fips in used:
            continue
        used.add(fips)
        missing = rng.random() < 0.02  # parks and airports: no population, no ranks
        themes = ["-999"] * 4 if missing else [f"{rng.random():.4f}" for _ in range(4)]
        overall = "-999" if missing else f"{sum(map(float, themes)) / 4:.4f}"
        name = f"Census Tract {tract / 100:g}; {county_name}; New York"
        rows.append({"ST": "36", "STATE": "New York", "ST_ABBR": "NY", "STCNTY": county, "COUNTY": county_name,
                     "FIPS": fips, "LOCATION": name, "AREA_SQMI": f"{rng.uniform(0.05, 2):.3f}",
                     "E_TOTPOP": "0" if missing else str(rng.randint(800, 9000)),
                     "RPL_THEME1": themes[0], "RPL_THEME2": themes[1], "RPL_THEME3": themes[2],
                     "RPL_THEME4": themes[3], "RPL_THEMES": overall})
    return rows


def write_csv(path, rows, header=SVI_HEADER):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def svi_1000(tmp_path_factory):
    path = tmp_path_factory.mktemp("svi") / "svi_1000.csv"
    return write_csv(path, svi_rows())
