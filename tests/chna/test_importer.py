"""Places import: both layouts, the 5-row sample, a generated 1,000-row file, all-or-nothing refusal
with every bad line reported, re-import updates, priority marks."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grantflow.chna import importer
from grantflow.chna.models import Place
from grantflow.core.db import db
from tests import factories as F
from tests.chna.conftest import svi_rows, write_csv

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "places_sample.csv"


def _places(funder):
    return {p.geoid: p for p in db.session.execute(select(Place).where(Place.funder_id == funder.id)).scalars()}


def _import(funder, text, **kw):
    return importer.import_places(funder.id, io.StringIO(text, newline=""), **kw)


def test_sample_svi_file(any_app):
    funder = F.funder(slug="riverside")
    result = importer.import_bytes(funder.id, SAMPLE.read_bytes(), source="places_sample.csv")
    db.session.commit()
    assert (result.layout, result.created, result.updated) == ("svi", 5, 0)
    places = _places(funder)
    assert sorted(places) == ["36061000100", "36061018400", "36061019500", "36061024300", "36061031100"]
    p = places["36061018400"]
    assert p.name == "Census Tract 184; New York County; New York" and p.kind == "tract"
    assert p.need_index == pytest.approx(0.9012) and p.theme3 == pytest.approx(0.9342) and p.population == 6120
    # -999 means missing, never a number.
    empty = places["36061031100"]
    assert empty.need_index is None and empty.theme1 is None and empty.population == 0
    assert not any(p.is_priority for p in places.values())


def test_generated_1000_row_file_imports_and_reimports_quickly(any_app, svi_1000):
    funder = F.funder(slug="riverside")
    t0 = time.perf_counter()
    result = importer.import_bytes(funder.id, Path(svi_1000).read_bytes(), priority_threshold=0.75)
    db.session.commit()
    first = time.perf_counter() - t0
    rows = svi_rows()
    assert result.created == 1000
    expected_priority = sum(1 for r in rows if r["RPL_THEMES"] != "-999" and float(r["RPL_THEMES"]) >= 0.75)
    assert result.priority == expected_priority > 0
    places = _places(funder)
    assert len(places) == 1000
    r = rows[417]
    assert places[r["FIPS"]].name == r["LOCATION"]
    # Re-import updates existing geoids (no duplicates), here with new index values.
    for row in rows:
        if row["RPL_THEMES"] != "-999":
            row["RPL_THEMES"] = "0.5000"
    changed = write_csv(Path(svi_1000).with_name("svi_1000_v2.csv"), rows)
    t0 = time.perf_counter()
    result = importer.import_bytes(funder.id, Path(changed).read_bytes())
    db.session.commit()
    second = time.perf_counter() - t0
    assert (result.created, result.updated) == (0, 1000)
    assert db.session.execute(select(func.count()).select_from(Place)).scalar_one() == 1000
    db.session.expire_all()
    assert _places(funder)[r["FIPS"]].need_index == (None if r["RPL_THEMES"] == "-999" else 0.5)
    # Without a threshold or a priority column the marks are kept.
    assert result.priority == expected_priority
    assert first < 5 and second < 5, (first, second)


MALFORMED = """geoid,name,index,population
36061000100,Tract 1,0.5,1200
3606100010,Short tract,0.4,1000
36061000300,Too needy,1.7,900
36061000400,Wordy,high,800
36061000500,Short row
36061000100,Again,0.2,100
36061A00700,Letters,0.3,100
36061000800,Negative people,0.3,-5
36061000900,,0.3,10
"""


def test_malformed_rows_are_each_reported_by_line_and_nothing_is_imported(any_app):
    funder = F.funder(slug="riverside")
    F.place(funder, "36061099999", need_index=0.1)
    db.session.commit()
    with pytest.raises(importer.ImportRefused) as exc:
        _import(funder, MALFORMED)
    db.session.rollback()
    errors = {e.line: e.reason for e in exc.value.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "has 10 digits" in errors[3] and "write 036061000" in errors[3]
    assert errors[4] == "index 1.7 is outside 0 to 1"
    assert errors[5] == "index 'high' is not a number"
    assert errors[6].startswith("missing value(s) for")
    assert errors[7] == "geoid 36061000100 appears twice (first on line 2)"
    assert "digits only" in errors[8]
    assert "whole number of zero or more" in errors[9]
    assert errors[10] == "the name is empty"
    assert list(_places(funder)) == ["36061099999"]


def test_missing_columns_and_empty_files(app):
    funder = F.funder()
    for text, line, words in [
        ("FIPS,LOCATION,E_TOTPOP,RPL_THEMES\n36061000100,x,1,0.5\n", 1, "RPL_THEME1"),
        ("geoid,name\n36061000100,x\n", 1, "missing column(s): index"),
        ("", 1, "empty"),
        ("geoid,name,index\n", 2, "no rows"),
    ]:
        with pytest.raises(importer.ImportRefused) as exc:
            _import(funder, text)
        assert exc.value.errors[0].line == line and words in exc.value.errors[0].reason
    with pytest.raises(importer.ImportRefused) as exc:
        importer.import_bytes(funder.id, b"geoid,name,index\n36061000100,Caf\xe9,0.5\n")
    assert "UTF-8" in exc.value.errors[0].reason


def test_county_file_priority_column_and_simple_layout(app):
    funder = F.funder()
    svi_county = ("STCNTY,LOCATION,E_TOTPOP,RPL_THEME1,RPL_THEME2,RPL_THEME3,RPL_THEME4,RPL_THEMES,priority\n"
                  "36061,\"New York County, New York\",1694251,0.5,0.6,0.7,0.8,0.65,yes\n"
                  "36005,\"Bronx County, New York\",1472654,0.9,0.9,0.9,0.9,0.97,no\n")
    result = _import(funder, svi_county, priority_threshold=0.5)  # the column wins over the threshold
    assert result.layout == "svi"
    places = _places(funder)
    assert places["36061"].kind == "county" and places["36061"].is_priority
    assert not places["36005"].is_priority
    with pytest.raises(importer.ImportRefused) as exc:
        _import(funder, svi_county.replace("36061,", "3606100,").replace(",no\n", ",maybe\n"))
    assert [e.line for e in exc.value.errors] == [2, 3]
    assert "has 7 digits; use 5 digits" in exc.value.errors[0].reason and "yes or no" in exc.value.errors[1].reason

    simple = "\ufeffGeoid, Name ,Index\n100010001001,Block group 1,0.25\n10001,ZCTA 10001,0.8\n"
    result = _import(funder, simple, priority_threshold=0.8)
    places = _places(funder)
    assert result.layout == "simple" and places["100010001001"].kind == "block group"
    assert places["10001"].is_priority and not places["100010001001"].is_priority
    assert places["10001"].population is None


def test_marks_and_toggles(app):
    from grantflow.chna import services

    funder = F.funder()
    _import(funder, "geoid,name,index\n36061000100,A,0.9\n36061000200,B,0.5\n36061000300,C,0.1\n")
    assert services.mark_priority_at_least(funder.id, 0.5) == 2
    places = _places(funder)
    services.set_priority(funder.id, places["36061000300"].id, True)
    services.set_priority(funder.id, places["36061000100"].id, False)
    assert sorted(g for g, p in _places(funder).items() if p.is_priority) == ["36061000200", "36061000300"]
    other = F.funder()
    with pytest.raises(LookupError):
        services.set_priority(other.id, places["36061000100"].id, True)


LATIN1 = ("geoid,name,index\n36061000100,Café tract,0.5\n36061000200,Fine,0.4\n"
          "36061000300,Niño,0.3\n36061000400,Out of range,2\n").encode("latin-1")


def test_a_latin1_file_names_every_line_that_is_not_utf8_and_every_other_bad_row(any_app):
    funder = F.funder(slug="riverside")
    with pytest.raises(importer.ImportRefused) as exc:
        importer.import_bytes(funder.id, LATIN1)
    db.session.rollback()
    assert [str(e) for e in exc.value.errors] == [
        "line 2: not UTF-8 (byte 0xE9); save the file as “CSV UTF-8”",
        "line 4: not UTF-8 (byte 0xF1); save the file as “CSV UTF-8”",
        "line 5: index 2 is outside 0 to 1"]
    assert _places(funder) == {}


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(200)),
    b"geoid,name,index\n36061000100,Nul\x00name,0.5\n",
    b"\xff\xfeg\x00e\x00o\x00i\x00d\x00",  # UTF-16
])
def test_a_binary_file_is_refused_with_line_numbers_not_a_traceback(any_app, data):
    funder = F.funder(slug="riverside")
    with pytest.raises(importer.ImportRefused) as exc:
        importer.import_bytes(funder.id, data)
    db.session.rollback()
    assert exc.value.errors and all(e.line >= 1 and e.reason for e in exc.value.errors)
    assert any("not UTF-8" in e.reason or "NUL" in e.reason for e in exc.value.errors)
    assert _places(funder) == {}


def test_huge_and_odd_numbers_are_reported_by_line(any_app):
    funder = F.funder(slug="riverside")
    text = ("geoid,name,index,population\n36061000100,A,0.5," + "9" * 40 + "\n36061000200,B,1e309,10\n"
            "36061000300,C,NaN,1e400\n36061000400,D,0.5,²\n36061000500,E,0.5,3000000000\n")
    with pytest.raises(importer.ImportRefused) as exc:
        _import(funder, text)
    db.session.rollback()
    errors = {e.line: e.reason for e in exc.value.errors}
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert "population" in errors[2] and "too large" in errors[2]
    assert errors[3] == "index 1e309 is outside 0 to 1"
    assert "index NaN is outside 0 to 1" in errors[4] and "population" in errors[4]
    assert "population" in errors[5] and "population" in errors[6]
