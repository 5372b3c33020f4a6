"""JSON API for accounts: exchange an email and password for a personal API token (what `llmcourse login`
does). Rate-limited exactly like the sign-in form, per client address and per account."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.config import get_settings
from app.core import ratelimit
from app.core.deps import Db
from app.core.errors import AppError
from app.core.proxies import client_address
from app.core.security import hash_token
from app.users import service
from app.users.schemas import TokenOut

router = APIRouter(prefix="/api/v1", tags=["users"])


class TokenRequest(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    name: str = Field(default="terminal", max_length=80)


@router.post("/tokens", status_code=201, response_model=TokenOut)
def create_token(request: Request, db: Db, body: TokenRequest) -> TokenOut:
    """A new personal API token for the account (send it as `Authorization: Bearer <token>`); it is shown
    once and can be revoked on the account page. No cookie is involved, so no CSRF token either."""
    settings = get_settings()
    ratelimit.enforce(settings.login_rate_limit, "login", client_address(request))
    account = hash_token(body.email.strip().lower())
    ratelimit.refuse_if_spent(settings.login_account_rate_limit, "login-account", account,
                              message="Too many failed sign-ins for this account.")
    try:
        user = service.authenticate(db, body.email, body.password)
    except AppError:
        ratelimit.record(settings.login_account_rate_limit, "login-account", account)
        raise
    row, token = service.create_token(db, user, body.name)
    return TokenOut(id=row.id, name=row.name, token=token)
