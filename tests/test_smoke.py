from sqlalchemy import select

from grantflow.organizations.models import Organization


def test_world_builds_on_both_backends(any_app):
    from tests.conftest import build_world

    w = build_world()
    names = {o.name for o in any_app.extensions["sqlalchemy"].session.execute(select(Organization)).scalars()}
    assert w.cbo.name in names
