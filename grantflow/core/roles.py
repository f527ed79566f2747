"""The roles a membership can give, and which kind of organization each belongs to."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
    FUNDER_ADMIN: _l("Funder admin"),
    PROGRAM_OFFICER: _l("Program officer"),
    REVIEWER: _l("Reviewer"),
    COMMUNITY_ADVISOR: _l("Community advisor"),
    APPLICANT: _l("Applicant"),
}

# What a person may do on their organization's team (an applicant membership's `team_role`):
# admins manage the team and the profile and withdraw; editors edit and submit drafts; viewers
# read the organization's applications, status, feedback and letters, and change nothing.
TEAM_ADMIN = "admin"
TEAM_EDITOR = "editor"
TEAM_VIEWER = "viewer"
TEAM_ROLES = (TEAM_ADMIN, TEAM_EDITOR, TEAM_VIEWER)
TEAM_EDITORS = (TEAM_ADMIN, TEAM_EDITOR)
TEAM_LABELS = {TEAM_ADMIN: _l("Admin"), TEAM_EDITOR: _l("Editor"), TEAM_VIEWER: _l("Viewer")}
TEAM_HELP = {
    TEAM_ADMIN: _l("manages the team and the profile, edits, submits and withdraws applications, signs agreements"),
    TEAM_EDITOR: _l("edits and submits drafts"),
    TEAM_VIEWER: _l("reads applications, their status, feedback and letters; changes nothing"),
}
