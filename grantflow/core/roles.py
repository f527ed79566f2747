"""The roles a membership can give, and which kind of organization each belongs to."""
from __future__ import annotations

FUNDER_ADMIN = "funder_admin"
PROGRAM_OFFICER = "program_officer"
REVIEWER = "reviewer"
COMMUNITY_ADVISOR = "community_advisor"
APPLICANT = "applicant"

FUNDER_ROLES = (FUNDER_ADMIN, PROGRAM_OFFICER, REVIEWER, COMMUNITY_ADVISOR)
ALL_ROLES = FUNDER_ROLES + (APPLICANT,)
# Funder staff who may configure programs and see everything of them.
FUNDER_STAFF = (FUNDER_ADMIN, PROGRAM_OFFICER)

LABELS = {
    FUNDER_ADMIN: "Funder admin",
    PROGRAM_OFFICER: "Program officer",
    REVIEWER: "Reviewer",
    COMMUNITY_ADVISOR: "Community advisor",
    APPLICANT: "Applicant",
}
