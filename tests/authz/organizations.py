from tests.authz import route


def _invitation(w):
    """An open invitation to the eastside team."""
    from grantflow.core.db import db
    from grantflow.organizations import team

    inv = team.invite(w.cbo, "new.colleague@eastside.org", "viewer", w.users["applicant"])
    db.session.commit()
    return inv.id


def _editor_membership(w):
    from grantflow.core import roles as R

    return next(m.id for m in w.users["editor"].memberships if m.role == R.APPLICANT)


# The world's CBOs ("eastside", "northside") are plain CBOs; eastside's profile, networks and team
# are its admin's ("applicant"): its editor and viewer get 404 there. "members" is a network's page, so a
# CBO's own applicant gets 404 there too (only networks list members). "networks" is every
# organization's page of the networks that invited it.
ROUTES = [
    route("organizations.profile", {"slug": "eastside"}, ok={"applicant"}),
    route("organizations.profile", {"slug": "eastside"}, method="POST", ok={"applicant"},
          data={"name": "Eastside Tenants Union", "ein": "12-3456789", "tax_exempt": "yes"}),
    route("organizations.profile", {"slug": "riverside"}),  # a funder's page is not a CBO profile
    route("organizations.demographics", {"slug": "eastside"}, ok={"applicant"}),
    route("organizations.demographics", {"slug": "northside"}, method="POST", ok={"other_applicant"},
          data={"consent": "y", "board_total": "5", "board_poc": "3"}),
    route("organizations.practices", {"slug": "eastside"}, ok={"applicant"}),
    route("organizations.practices", {"slug": "eastside"}, method="POST", ok={"applicant"},
          data={"board_total": "5", "loops-0-method": "", "loops-0-frequency": ""}),
    route("organizations.members", {"slug": "eastside"}),
    route("organizations.members", {"slug": "eastside"}, method="POST",
          data=lambda w: {"action": "invite", "member_id": w.other_cbo.id}),
    # An organization's own people answer the invitations of networks (none here: a flash, then back).
    route("organizations.networks", {"slug": "eastside"}, ok={"applicant"}),
    route("organizations.networks", {"slug": "northside"}, method="POST", ok={"other_applicant"},
          data={"action": "accept", "network_id": "1"}),
    route("organizations.networks", {"slug": "riverside"}),
    # The team: its admins only.
    route("organizations.team_page", {"slug": "eastside"}, ok={"applicant"}),
    route("organizations.team_page", {"slug": "eastside"}, method="POST", ok={"applicant"},
          data={"email": "someone@eastside.org", "role": "editor"}),
    route("organizations.team_page", {"slug": "riverside"}),  # a funder's people are elsewhere
    route("organizations.team_member", {"slug": "eastside", "membership_id": _editor_membership}, method="POST",
          ok={"applicant"}, data=lambda w: {"action": "role", f"m{_editor_membership(w)}-team_role": "viewer"}),
    route("organizations.team_invitation", {"slug": "eastside", "invitation_id": _invitation}, method="POST",
          ok={"applicant"}, data={"action": "resend"}),
]
