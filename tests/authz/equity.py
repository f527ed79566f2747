from tests.authz import FUNDER_STAFF, route

PROGRAM = {"program": "health-2026"}

ROUTES = [
    # The audit is for the funder's program officers and admins only: reviewers, community advisors,
    # applicants and another funder's staff get a 404 (the program's audit is not theirs to know of).
    route("equity.audit", PROGRAM, ok=FUNDER_STAFF),
    route("equity.audit_export", {**PROGRAM, "fmt": "json"}, ok=FUNDER_STAFF),
    route("equity.audit_export", {**PROGRAM, "fmt": "csv"}, ok=FUNDER_STAFF),
    route("equity.audit_export", {**PROGRAM, "fmt": "pdf"}, ok=FUNDER_STAFF),
    route("equity.audit_export", {**PROGRAM, "fmt": "csv-metadata.json"}, ok=FUNDER_STAFF),
    route("equity.audit_settings", PROGRAM, method="POST", ok=FUNDER_STAFF, data={"k": "12"}),
]
