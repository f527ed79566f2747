"""The Alembic migrations and the models agree: after `upgrade`, autogenerate finds no difference."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from grantflow.core.db import db
from tests.conftest import make_app


def _diff_after_upgrade(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        db.engine.dispose()
    return diff


def test_migrations_match_models_on_sqlite(tmp_path):
    app = make_app(tmp_path)
    assert _diff_after_upgrade(app) == []


def test_migrations_match_models_on_postgresql(tmp_path, empty_pg_url):
    app = make_app(tmp_path, empty_pg_url)
    assert _diff_after_upgrade(app) == []


def test_downgrade_to_base_and_up_again(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        from sqlalchemy import inspect

        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "applications" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _memberships_made_before_consent_become_invitations(app):
    from sqlalchemy import text

    from grantflow.organizations.models import NetworkMembership

    with app.app_context():
        upgrade(revision="8f1a272efb94")  # the revision before consent
        with db.engine.begin() as conn:
            for oid, kind in ((1, "network"), (2, "cbo")):
                conn.execute(text("INSERT INTO organizations (id, kind, slug, name, tax_exempt, service_area, "
                                  "created_at, updated_at) VALUES (:id, :kind, :slug, :slug, false, '[]', "
                                  "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"id": oid, "kind": kind, "slug": f"o{oid}"})
            conn.execute(text("INSERT INTO network_members (network_id, member_id) VALUES (1, 2)"))
        upgrade()
        m = db.session.execute(db.select(NetworkMembership)).scalar_one()
        assert (m.network_id, m.member_id, m.status) == (1, 2, "invited")
        assert m.invited_at.tzinfo is not None and m.answered_at is None
        db.session.remove()
        db.engine.dispose()


def test_memberships_made_before_consent_become_invitations(tmp_path):
    _memberships_made_before_consent_become_invitations(make_app(tmp_path))


def test_memberships_made_before_consent_become_invitations_on_postgresql(tmp_path, empty_pg_url):
    _memberships_made_before_consent_become_invitations(make_app(tmp_path, empty_pg_url))


OLD_REASONS = (  # (source, reason as stored before codes) -> (source, code, args, text left)
    (("records", "Program officer of the applicant organization"),
     ("records", "member_of_applicant", {"role": "program_officer"}, "")),
    (("records", "board member of a network the applicant belongs to"),
     ("records", "member_of_network", {"title": "board member"}, "")),
    (("records", "Asesor comunitario de la organización solicitante"),
     ("records", "member_of_applicant", {"role": "community_advisor"}, "")),
    (("declared", "Declared a conflict with this applicant before reading (blind review)"),
     ("declared", "blind_declared", {}, "")),
    # Stored in Spanish before reasons were kept in English, and told apart by its English wording:
    # recorded as an affiliation; it was a declared conflict.
    (("affiliation", "Declaró un conflicto con esta organización solicitante antes de leer (evaluación anónima)"),
     ("declared", "blind_declared", {}, "")),
    (("affiliation", "Affiliation “Treasurer of the MVFC co-op” matches the applicant"),
     ("affiliation", "affiliation", {"line": "Treasurer of the MVFC co-op"}, "")),
    (("declared", "My sister chairs their board."), ("declared", "declared", {"reason": "My sister chairs their board."}, "")),
    (("recognized", "The reviewer thinks they know who the applicant is: It was in the news."),
     ("recognized", "recognized", {"note": "It was in the news."}, "")),
    (("recognized", "The reviewer thinks they know who the applicant is."), ("recognized", "recognized", {"note": ""}, "")),
    (("records", "Imported from the old system"), ("records", None, None, "Imported from the old system")),
)


def _old_conflict_reasons_become_codes(app):
    from sqlalchemy import text

    from grantflow.core.i18n import in_language
    from grantflow.reviews.models import ConflictOfInterest
    from tests.conftest import build_world

    with app.app_context():
        upgrade()
        from tests import factories as F

        w = build_world()
        reviewers = [F.user().id for _ in OLD_REASONS]  # one row per application, reviewer and source
        db.session.commit()
        app_id = w.application.id
        db.session.remove()
        downgrade(revision="e7a1c3f5b9d2")  # the schema that stored reasons as text
        # The reviewer of row 4 declared in English after a Spanish declaration stored as an affiliation.
        again = (reviewers[3], "affiliation", OLD_REASONS[4][0][1])
        with db.engine.begin() as conn:
            for i, (reviewer_id, source, reason) in enumerate(
                    [*((r, *old) for r, (old, _) in zip(reviewers, OLD_REASONS)), again], 1):
                conn.execute(text("INSERT INTO conflicts (id, application_id, reviewer_id, source, reason, created_at) "
                                  "VALUES (:id, :a, :r, :s, :reason, CURRENT_TIMESTAMP)"),
                             {"id": i, "a": app_id, "r": reviewer_id, "s": source, "reason": reason})
        upgrade()
        rows = {c.id: c for c in db.session.execute(db.select(ConflictOfInterest)).scalars()}
        assert len(OLD_REASONS) + 1 not in rows  # declared twice over: one row, not two alike
        for i, (old, expected) in enumerate(OLD_REASONS, 1):
            c = rows[i]
            assert (c.source, c.reason_code, c.reason_args, c.reason) == expected, old
        assert str(rows[1].why) == "Program officer of the applicant organization"
        assert str(rows[10].why) == "Imported from the old system"  # unmatched text, shown as written
        with in_language("es"):
            assert str(rows[1].why) == "Oficial de programa de la organización solicitante"
            assert str(rows[7].why) == "Declaró un conflicto: My sister chairs their board."
        db.session.remove()
        downgrade(revision="e7a1c3f5b9d2")  # and back: the English sentences again
        with db.engine.connect() as conn:
            back = dict(conn.execute(text("SELECT id, reason FROM conflicts")).all())
        english = {3: "Community advisor of the applicant organization", 5: OLD_REASONS[3][0][1]}
        assert back == {i: english.get(i, old[1]) for i, (old, _) in enumerate(OLD_REASONS, 1)}
        db.engine.dispose()


def test_old_conflict_reasons_become_codes(tmp_path):
    _old_conflict_reasons_become_codes(make_app(tmp_path))


def test_old_conflict_reasons_become_codes_on_postgresql(tmp_path, empty_pg_url):
    _old_conflict_reasons_become_codes(make_app(tmp_path, empty_pg_url))


def _recused_reviews_are_set_aside(app):
    from sqlalchemy import text

    from tests.conftest import build_world
    from tests.reviews.helpers import review

    with app.app_context():
        upgrade()
        w = build_world()
        recused = review(w.application, w.users["reviewer"], [4, 4, 4], assign=False)
        recused.assignment = w.assignment
        w.assignment.status = "recused"
        kept = review(w.application, w.users["other_reviewer"], [3, 3, 3])
        db.session.commit()
        ids = (recused.id, kept.id)
        db.session.remove()
        downgrade(revision="f3b8d1a6c2e4")
        with db.engine.begin() as conn:  # as recusing left them before
            conn.execute(text("UPDATE reviews SET status = 'submitted'"))
        upgrade()
        with db.engine.connect() as conn:
            status = dict(conn.execute(text("SELECT id, status FROM reviews")).all())
        assert (status[ids[0]], status[ids[1]]) == ("set_aside", "submitted")
        db.engine.dispose()


def test_recused_reviews_are_set_aside(tmp_path):
    _recused_reviews_are_set_aside(make_app(tmp_path))


def test_recused_reviews_are_set_aside_on_postgresql(tmp_path, empty_pg_url):
    _recused_reviews_are_set_aside(make_app(tmp_path, empty_pg_url))
