"""Schemathesis, a client nobody here wrote, against the live app (a real HTTP server on
loopback) and the OpenAPI document it serves: every operation, with a read token and write
tokens, fails on any server error, undocumented status code or content type, and any response that
does not match its schema. Examples are bounded (CONTRACT_EXAMPLES per operation) to keep the run
fast enough for CI."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)
from werkzeug.serving import make_server

from grantflow.core.db import db
from tests.api.conftest import bearer, make_token
from tests.awards.builders import award, schedule
from tests.conftest import build_world

CONTRACT_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def live(app):
    """The app served over HTTP on loopback, with a small world (its first application awarded,
    released and scheduled, so the awards' answers hold data), a read token of a program officer,
    and write tokens of an applicant (whose drafts are saved) and of the officer (who records
    payments)."""
    world = build_world()
    award(world.application, 30_000_00)
    schedule(world.application, (10_000_00, dt.date(2026, 1, 15)), (20_000_00, dt.date(2027, 1, 15)))
    app.config["SERVER_NAME"] = None  # requests arrive as 127.0.0.1:<port>
    tokens = {"read": make_token(world.users["program_officer"], "read"),
              "write": make_token(world.users["applicant"], "write"),
              "staff write": make_token(world.users["program_officer"], "write")}
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tokens
    server.shutdown()
    thread.join()


@pytest.mark.long
def test_the_api_keeps_its_contract(live):
    """Every operation, valid and invalid input (Schemathesis' positive and negative modes)."""
    base, tokens = live
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=CONTRACT_EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                for token in tokens.values():
                    case.call_and_validate(base_url=base, headers=bearer(token), checks=CHECKS)

            run()
