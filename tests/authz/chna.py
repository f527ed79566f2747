"""CHNA: only the funder's admin and program officers see and change its needs and places."""
from tests.authz import FUNDER_STAFF, route

F = {"slug": "riverside"}


def _need(w):
    from tests import factories as fac

    n = fac.need(w.funder, "Housing stability", 1)
    fac.db.session.commit()
    return n.id


def _place(w):
    from tests import factories as fac

    p = fac.place(w.funder, "36061000100")
    fac.db.session.commit()
    return p.id


def _csv(w):
    import io
    return {"imp-file": (io.BytesIO(b"geoid,name,index\n36061000100,Tract 1,0.8\n"), "places.csv")}


def _crosswalk(w):
    import io
    from tests import factories as fac

    from sqlalchemy import select
    from grantflow.chna.models import Place

    if fac.db.session.execute(select(Place.id).where(Place.funder_id == w.funder.id,
                                                     Place.geoid == "36061000200")).first() is None:
        fac.place(w.funder, "36061000200")
        fac.db.session.commit()
    return {"cw-file": (io.BytesIO(b"ZIP,TRACT,USPS_ZIP_PREF_CITY,USPS_ZIP_PREF_STATE,RES_RATIO\n"
                                   b"10027,36061000200,NEW YORK,NY,1\n"), "crosswalk.csv")}


ROUTES = [
    route("chna.index", F, ok=FUNDER_STAFF),
    route("chna.need_add", F, method="POST", ok=FUNDER_STAFF, data={"name": "Food access"}),
    route("chna.need_edit", {**F, "need_id": _need}, ok=FUNDER_STAFF),
    route("chna.need_edit", {**F, "need_id": _need}, method="POST", ok=FUNDER_STAFF,
          data={"name": "Housing", "rank": "1"}),
    route("chna.need_move", {**F, "need_id": _need}, method="POST", ok=FUNDER_STAFF, data={"direction": "down"}),
    route("chna.need_remove", {**F, "need_id": _need}, method="POST", ok=FUNDER_STAFF),
    route("chna.import_places", F, method="POST", ok=FUNDER_STAFF, data=_csv),
    route("chna.import_crosswalk", F, method="POST", ok=FUNDER_STAFF, data=_crosswalk),
    route("chna.mark_priority", F, method="POST", ok=FUNDER_STAFF, data={"mark-threshold": "0.5"}),
    route("chna.place_priority", {**F, "place_id": _place}, method="POST", ok=FUNDER_STAFF, data={"priority": "1"}),
]
