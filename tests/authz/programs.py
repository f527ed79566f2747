"""Programs: funder admin and program officer of the program's funder configure it; the public page of a
published program, the home page and the list of open programs are public."""
from tests.authz import FUNDER_STAFF, route


def _criterion(w):
    return w.program.current_rubric.criteria[0].id


def _question(w):
    from grantflow.core.db import db
    from grantflow.programs.models import CustomQuestion

    q = CustomQuestion(program=w.program, key="why", label="Why now?", kind="short_text", options=[])
    db.session.add(q)
    db.session.commit()
    return q.id


P = {"program": "health-2026"}
PROGRAM_DATA = {"title": "Renamed program", "description": "Still about health.", "timezone": "America/New_York",
                "budget_cents": "500,000", "min_award_cents": "10,000", "max_award_cents": "100,000",
                "reviewers_per_application": "3"}

ROUTES = [
    route("programs.home", public=True),
    route("programs.opportunities", public=True),
    route("programs.new", ok=FUNDER_STAFF | {"other_officer"}),
    route("programs.new", method="POST", ok=FUNDER_STAFF | {"other_officer"}, data=PROGRAM_DATA),
    route("programs.edit", P, ok=FUNDER_STAFF),
    route("programs.edit", P, method="POST", ok=FUNDER_STAFF, data=PROGRAM_DATA),
    route("programs.manage", P, ok=FUNDER_STAFF),
    route("programs.publish", P, method="POST", ok=FUNDER_STAFF),
    route("programs.close", P, method="POST", ok=FUNDER_STAFF),
    route("programs.public", P, public=True),
    route("programs.rubric", P, ok=FUNDER_STAFF),
    route("programs.rubric", P, method="POST", ok=FUNDER_STAFF,
          data={"label": "Community voice", "weight": "2", "scale_min": "1", "scale_max": "5"}),
    route("programs.criterion_edit", {**P, "criterion_id": _criterion}, ok=FUNDER_STAFF),
    route("programs.criterion_edit", {**P, "criterion_id": _criterion}, method="POST", ok=FUNDER_STAFF,
          data={"label": "Renamed", "weight": "1", "scale_min": "1", "scale_max": "5"}),
    route("programs.criterion_move", {**P, "criterion_id": _criterion}, method="POST", ok=FUNDER_STAFF,
          data={"direction": "down"}),
    route("programs.criterion_remove", {**P, "criterion_id": _criterion}, method="POST", ok=FUNDER_STAFF),
    route("programs.translations_page", P, ok=FUNDER_STAFF),
    route("programs.translations_page", P, method="POST", ok=FUNDER_STAFF, data={}),
    route("programs.questions", P, ok=FUNDER_STAFF),
    route("programs.questions", P, method="POST", ok=FUNDER_STAFF,
          data={"label": "How many volunteers?", "kind": "number"}),
    route("programs.question_edit", {**P, "question_id": _question}, ok=FUNDER_STAFF),
    route("programs.question_edit", {**P, "question_id": _question}, method="POST", ok=FUNDER_STAFF,
          data={"label": "Why this year?", "kind": "short_text"}),
    route("programs.question_move", {**P, "question_id": _question}, method="POST", ok=FUNDER_STAFF,
          data={"direction": "up"}),
    route("programs.question_remove", {**P, "question_id": _question}, method="POST", ok=FUNDER_STAFF),
]
