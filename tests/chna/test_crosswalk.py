"""The ZIP–tract crosswalk import (HUD USPS layout): a good file, bad lines named with their numbers
and reasons (nothing imported), tracts outside the places named and left out; the CHNA page's
upload and the `grantflow import-crosswalk` command."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from grantflow.chna import crosswalk
from grantflow.chna.lines import ImportRefused
from grantflow.chna.models import ZipTract
from grantflow.core.db import db
from tests import factories as F

HEADER = "ZIP,TRACT,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO,BUS_RATIO,OTH_RATIO,TOT_RATIO,NEIGHBORHOOD\n"
GOOD = HEADER + (
    "10027,36061000100,NEW YORK,NY,0.6,0.5,0.4,0.58,Harlem\n"
    "10027,36061000200,NEW YORK,NY,0.4,0.5,0.6,0.42,Morningside Heights\n"
    "10030,36061000200,NEW YORK,NY,1,1,1,1,Morningside Heights\n"
    "11201,36047000100,BROOKLYN,NY,1,1,1,1,\n"  # not one of the funder's places
)
BAD = HEADER + (
    "10027,36061000100,NEW YORK,NY,0.6,0.5,0.4,0.58,Harlem\n"   # 2: good
    "1002,36061000100,NEW YORK,NY,0.6,0.5,0.4,0.58,\n"          # 3: ZIP of 4 digits
    "10027,3606100020,NEW YORK,NY,0.4,0.5,0.6,0.42,\n"          # 4: tract of 10 digits
    "10030,36061000200,NEW YORK,NY,1.5,1,1,1,\n"                # 5: ratio above 1
    "10030,36061000100,NEW YORK,NY,1,half,1,1,\n"               # 6: ratio not a number
    "10027,36061000100,NEW YORK,NY,0.6,0.5,0.4,0.58,Harlem\n"   # 7: the pair of line 2 again
    "10O27,36061000100,NEW YORK,New York,1,1,1,1,\n"            # 8: a letter O; a state name
    "10031,36061000200,NEW YORK,NY,1,1,1\n"                     # 9: a value short
)


@pytest.fixture
def funder(any_app):
    funder = F.funder(slug="riverside")
    F.place(funder, "36061000100")
    F.place(funder, "36061000200")
    db.session.commit()
    return funder


def _lines(funder):
    db.session.expire_all()
    return sorted((z.zip, z.geoid, z.city, z.neighborhood, z.res_ratio) for z in db.session.execute(
        select(ZipTract).where(ZipTract.funder_id == funder.id)).scalars())


def test_good_file_imports_and_names_the_tracts_it_left_out(funder):
    result = crosswalk.import_bytes(funder.id, ("\ufeff" + GOOD).encode(), source="ZIP_TRACT_122025.csv")
    db.session.commit()
    assert (result.lines, result.zips, result.unknown_total) == (3, 2, 1)
    assert "line 5: tract 36047000100 (ZIP 11201)" in result.unknown_text()
    assert _lines(funder) == [("10027", "36061000100", "NEW YORK", "Harlem", 0.6),
                              ("10027", "36061000200", "NEW YORK", "Morningside Heights", 0.4),
                              ("10030", "36061000200", "NEW YORK", "Morningside Heights", 1.0)]
    # A new import replaces the crosswalk.
    crosswalk.import_bytes(funder.id, (HEADER + "10030,36061000200,NEW YORK,NY,1,1,1,1,\n").encode())
    db.session.commit()
    assert _lines(funder) == [("10030", "36061000200", "NEW YORK", None, 1.0)]


def test_bad_lines_are_each_named_and_nothing_is_imported(funder):
    crosswalk.import_bytes(funder.id, GOOD.encode())
    db.session.commit()
    before = _lines(funder)
    with pytest.raises(ImportRefused) as exc:
        crosswalk.import_bytes(funder.id, BAD.encode())
    db.session.rollback()
    errors = {e.line: e.reason for e in exc.value.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "the ZIP '1002' has 4 digits; use 5 digits" in errors[3] and "write 01002" in errors[3]
    assert "the tract '3606100020' has 10 digits; use the 11-digit tract GEOID" in errors[4]
    assert errors[5] == "RES_RATIO 1.5 is outside 0 to 1"
    assert errors[6] == "BUS_RATIO 'half' is not a number"
    assert errors[7] == "ZIP 10027 and tract 36061000100 appear together twice (first on line 2)"
    assert "must contain digits only" in errors[8] and "two-letter abbreviation" in errors[8]
    assert errors[9].startswith("missing value(s) for")
    assert _lines(funder) == before


def test_missing_columns_not_text_and_no_known_tract(funder):
    for data, line, words in [
        (b"ZIPCODE,GEOID\n10027,36061000100\n", 1, "missing column(s): ZIP, TRACT"),
        (b"", 1, "the file is empty"),
        (HEADER.encode(), 2, "no rows"),
        ((HEADER + "11201,36047000100,BROOKLYN,NY,1,1,1,1,\n").encode(), 2, "no line names a tract among your"),
        ((HEADER + "10027,36061000100,NUEVA YOR\xcd,NY,1,1,1,1,\n").encode("latin-1"), 2, "not UTF-8"),
    ]:
        with pytest.raises(ImportRefused) as exc:
            crosswalk.import_bytes(funder.id, data)
        assert exc.value.errors[0].line == line and words in exc.value.errors[0].reason, exc.value.errors
    # Only ZIP and TRACT are needed.
    result = crosswalk.import_bytes(funder.id, b"zip,tract\n10027,36061000100\n")
    assert result.lines == 1 and result.unknown_text() == ""


def test_chna_page_upload_good_and_bad(app, world, login):
    F.place(world.funder, "36061000100")
    F.place(world.funder, "36061000200")
    db.session.commit()
    officer = login(world.users["program_officer"])
    r = officer.post("/funders/riverside/chna/crosswalk/import",
                     data={"cw-file": (io.BytesIO(BAD.encode()), "crosswalk.csv")})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nothing was imported: 7 rows have problems" in html
    assert "Line 5: RES_RATIO 1.5 is outside 0 to 1" in html and "Line 7: ZIP 10027 and tract 36061000100" in html
    assert db.session.execute(select(ZipTract)).first() is None
    r = officer.post("/funders/riverside/chna/crosswalk/import",
                     data={"cw-file": (io.BytesIO(GOOD.encode()), "crosswalk.csv")}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "3 lines for 2 ZIP codes" in html
    assert "line 5: tract 36047000100 (ZIP 11201)" in html and "The crosswalk has 3 lines for 2 ZIP codes." in html
    r = officer.post("/funders/riverside/chna/crosswalk/import", data={})
    assert r.status_code == 422 and "Choose a CSV file to import." in r.get_data(as_text=True)


def test_cli_import_crosswalk(app, world, tmp_path):
    F.place(world.funder, "36061000100")
    F.place(world.funder, "36061000200")
    db.session.commit()
    runner = app.test_cli_runner()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(BAD)
    r = runner.invoke(args=["import-crosswalk", str(bad), "--funder", "riverside"])
    assert r.exit_code == 1
    for line in ("Refused: nothing was imported. 7 bad rows", "line 3: the ZIP '1002' has 4 digits",
                 "line 6: BUS_RATIO 'half' is not a number"):
        assert line in r.output, r.output
    assert db.session.execute(select(ZipTract)).first() is None
    r = runner.invoke(args=["import-crosswalk", str(good), "--funder", "riverside"])
    assert r.exit_code == 0, r.output
    assert "3 lines for 2 ZIP codes" in r.output and "line 5: tract 36047000100 (ZIP 11201)" in r.output
    db.session.expire_all()
    assert len(db.session.execute(select(ZipTract)).scalars().all()) == 3
