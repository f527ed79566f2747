"""Who manages a funder's webhooks: its funder admins (anyone else: 404)."""
from __future__ import annotations

from grantflow.core import roles as R
from grantflow.core.policy import policy


@policy("webhook.manage")
def _webhook_manage(user, endpoint) -> bool:
    return R.FUNDER_ADMIN in user.roles_in(endpoint.funder_id)
