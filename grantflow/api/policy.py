"""Who may revoke a token: its owner only (another person's token is a 404)."""
from __future__ import annotations

from grantflow.core.policy import policy


@policy("api_token.revoke")
def _api_token_revoke(user, token) -> bool:
    return token.user_id == user.id
