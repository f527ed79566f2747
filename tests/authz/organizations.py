from tests.authz import route

# The world's CBOs ("eastside", "northside") are plain CBOs; "members" is a network's page, so a
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
]
