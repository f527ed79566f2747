"""Fixtures: the app on SQLite (default) or on the throwaway PostgreSQL server, clients, users of
every role, and a small world of two funders and two CBOs for scoping and authorization tests.

The suite runs in parallel (pytest-xdist): what a test must keep to for that (no fixed port, no
shared path, xdist_group for shared module fixtures) is in tests/README.md."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from flask_login import FlaskLoginClient

from grantflow import create_app
from grantflow.core import roles as R
from grantflow.core.db import db
from tests import factories as F
from tests import pgserver, servers

BACKENDS = ("sqlite", "postgresql")
STORAGES = ("local", "s3")


def pytest_configure(config):
    config.addinivalue_line("markers", "long: takes tens of seconds or more; run first (see below)")


def pytest_collection_modifyitems(items):
    """Tests marked `long` first: in parallel, a long test started last keeps one worker busy
    while the others have finished."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_runtest_setup(item):
    """On an xdist worker under `--dist loadgroup`, a test marked `xdist_group` carries its group in
    its node id: that is how xdist sends the group to one worker. pytest 9.2's structured node ids
    silently dropped it (pytest-xdist issue 1386), so each group's module fixtures (a stack of
    servers) were started on every worker: the grouped tests fail rather than lose it unseen."""
    config = item.config
    if (hasattr(config, "workerinput") and config.getvalue("loadgroup")
            and item.get_closest_marker("xdist_group") and "@" not in item.nodeid):
        pytest.fail("--dist loadgroup did not group this test marked xdist_group: this pytest and "
                    "pytest-xdist do not work together (pyproject.toml pins pytest below 9.2)", pytrace=False)


# --- PostgreSQL ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_server():
    base = Path(tempfile.mkdtemp(prefix="grantflow-pg-"))
    server, owner = pgserver.start(base)
    yield server
    pgserver.stop(server, owner)
    shutil.rmtree(base, ignore_errors=True)


def _admin(server):
    return psycopg.connect(host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True)


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """A database holding the current schema; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    with _admin(pg_server) as conn:
        conn.execute("CREATE DATABASE gf_template")
    app = create_app({"TESTING": True, "DATABASE_URL": pg_server.url("gf_template"), "SECRET_KEY": "t"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return "gf_template"


@pytest.fixture
def pg_url(pg_server, pg_template):
    name = "t_" + uuid.uuid4().hex[:12]
    with _admin(pg_server) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    yield pg_server.url(name)
    with _admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def empty_pg_url(pg_server):
    """A database with no tables, for migration tests."""
    name = "m_" + uuid.uuid4().hex[:12]
    with _admin(pg_server) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield pg_server.url(name)
    with _admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- Redis and an S3-compatible store, once per session -----------------------------------------

@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    proc, url = servers.start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    servers.stop(proc)


@pytest.fixture
def redis_url(redis_server):
    """The session's real redis-server, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    yield redis_server
    client.flushall()
    client.close()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3-compatible server on loopback (a real HTTP server, in its own process)."""
    for name, value in servers.S3_ENV.items():
        os.environ.setdefault(name, value)
    proc, endpoint = servers.start_s3(tmp_path_factory.mktemp("s3") / "moto.log")
    yield endpoint
    servers.stop(proc)


@pytest.fixture
def s3_config(s3_server):
    """The settings of a new, empty bucket of the session's S3 server."""
    bucket = "gf-" + uuid.uuid4().hex[:16]
    servers.s3_client(s3_server).create_bucket(Bucket=bucket)
    return {"STORAGE_URL": f"s3://{bucket}", "S3_ENDPOINT_URL": s3_server}


@pytest.fixture(params=STORAGES)
def storage_config(request):
    """Each file storage in turn: the local folder, then S3. A test that names this fixture runs
    on both (the default `app_config` applies it)."""
    return {} if request.param == "local" else request.getfixturevalue("s3_config")


# --- the app ---------------------------------------------------------------------------------------

def make_app(tmp_path, database_url=None, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "SERVER_NAME": "localhost",
        "MAIL_DELIVERY": "inline",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = LoginClient
    return app


class LoginClient(FlaskLoginClient):
    """``app.test_client(user=u)``: a client logged in as ``u`` through a real server-side session."""

    def __init__(self, *args, **kwargs):
        user = kwargs.get("user")
        if user is not None:
            from grantflow.accounts import sessions

            sessions.start(user)
            db.session.commit()
        super().__init__(*args, **kwargs)


@pytest.fixture
def app_config(request):
    """Override in a test module (or with indirect parametrization) to change the app's config.
    By default: the storage of `storage_config` when the test asks for it."""
    return request.getfixturevalue("storage_config") if "storage_config" in request.fixturenames else {}


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory):
    """The schema on SQLite, made once per worker: each test's database starts as a page-for-page
    copy of it (sqlite3's backup: about a millisecond, against 65 ms for `create_all`, which
    every SQLite test would otherwise spend). Returns the file and the tables it holds."""
    folder = tmp_path_factory.mktemp("sqlite-schema")
    app = make_app(folder)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return Path(app.instance_path) / "grantflow.sqlite", frozenset(db.metadata.tables)


def create_schema(sqlite_schema) -> None:
    """The app's empty database given the schema: on SQLite copied from `sqlite_schema`; made by
    `create_all` without one, on another database, or when the tables known now differ from the
    copy's (a test module's own table)."""
    if (sqlite_schema is None or db.engine.dialect.name != "sqlite"
            or frozenset(db.metadata.tables) != sqlite_schema[1]):
        db.create_all()
        return
    path = sqlite_schema[0]
    source, target = sqlite3.connect(path), db.engine.raw_connection()
    try:
        source.backup(target.driver_connection)
    finally:
        target.close()
        source.close()


def _app_for(tmp_path, url, app_config, sqlite_schema=None):
    app = make_app(tmp_path, url, **app_config)
    ctx = app.app_context()
    ctx.push()
    if url is None:
        create_schema(sqlite_schema)
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def app(tmp_path, app_config, sqlite_schema):
    """The app on a fresh SQLite file in a temporary instance folder, inside an app context."""
    yield from _app_for(tmp_path, None, app_config, sqlite_schema)


@pytest.fixture
def pg_app(tmp_path, pg_url, app_config):
    """The app on a fresh database of the real PostgreSQL server."""
    yield from _app_for(tmp_path, pg_url, app_config)


@pytest.fixture(params=BACKENDS)
def any_app(request, tmp_path, app_config):
    """The app on each backend in turn: tests using it run against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        yield from _app_for(tmp_path, None, app_config, request.getfixturevalue("sqlite_schema"))
    else:
        url = request.getfixturevalue("pg_url")
        yield from _app_for(tmp_path, url, app_config)


@pytest.fixture
def client(app):
    return app.test_client()


# --- people and a small world --------------------------------------------------------------------

@pytest.fixture
def world(app):
    return build_world()


def build_world(*, team: bool = False) -> SimpleNamespace:
    """Two funders and two CBOs, one user per role, and two submitted applications.

    `cbo` applied to `program` and its application is assigned to `reviewer`; `other_cbo` applied
    too, with no assignment. `other_officer` is staff of a different funder. `applicant` is the
    admin of `cbo`'s team; with `team`, the team also has an `editor` and a `viewer` (the
    authorization matrix and the fuzz act as every role).
    """
    w = SimpleNamespace()
    w.funder = F.funder(name="Riverside Health Foundation", slug="riverside")
    w.other_funder = F.funder(name="Hilltop Hospital", slug="hilltop")
    w.cbo = F.cbo(name="Eastside Tenants Union", slug="eastside")
    w.other_cbo = F.cbo(name="Northside Food Collective", slug="northside")
    w.program = F.program(w.funder, slug="health-2026", title="Community Health 2026")
    w.other_program = F.program(w.other_funder, slug="hilltop-2026", title="Hilltop Grants 2026")
    w.users = {
        "applicant": F.user("applicant@eastside.org", "Ana Applicant", org=w.cbo, role=R.APPLICANT),
        "other_applicant": F.user("applicant@northside.org", "Noor Other", org=w.other_cbo, role=R.APPLICANT),
        "funder_admin": F.user("admin@riverside.org", "Fran Admin", org=w.funder, role=R.FUNDER_ADMIN),
        "program_officer": F.user("po@riverside.org", "Pat Officer", org=w.funder, role=R.PROGRAM_OFFICER),
        "reviewer": F.user("rev@riverside.org", "Rae Reviewer", org=w.funder, role=R.REVIEWER),
        "other_reviewer": F.user("rev2@riverside.org", "Ola Reviewer", org=w.funder, role=R.REVIEWER),
        "community_advisor": F.user("adv@riverside.org", "Cam Advisor", org=w.funder, role=R.COMMUNITY_ADVISOR),
        "other_officer": F.user("po@hilltop.org", "Hal Hilltop", org=w.other_funder, role=R.PROGRAM_OFFICER),
    }
    if team:
        w.users["editor"] = F.team_member(w.cbo, R.TEAM_EDITOR, "editor@eastside.org", "Eli Editor")
        w.users["viewer"] = F.team_member(w.cbo, R.TEAM_VIEWER, "viewer@eastside.org", "Val Viewer")
    w.application = F.application(w.program, w.cbo)
    w.other_application = F.application(w.program, w.other_cbo)
    from grantflow.reviews.models import ReviewAssignment

    w.assignment = ReviewAssignment(application=w.application, reviewer=w.users["reviewer"])
    db.session.add(w.assignment)
    db.session.commit()
    return w


@pytest.fixture
def login(app):
    """login(user) -> a test client whose session is that user's."""
    def _login(user):
        return app.test_client(user=user)

    return _login
