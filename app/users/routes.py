"""Sign up, sign in, sign out, the account page and personal API tokens."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from app.config import get_settings
from app.core import ratelimit
from app.core.deps import CsrfChecked, CurrentUser, Db, OptionalUser
from app.core.errors import AppError
from app.users import service
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _sign_in(request: Request, user_id: int) -> None:
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update({"user_id": user_id, "csrf": csrf})


@router.get("/signup")
def signup_page(request: Request, user: OptionalUser, invite: str = ""):
    return render(request, "pages/signup.html", {"invite": invite})


@router.post("/signup")
def signup(request: Request, db: Db, email: str = Form(""), name: str = Form(""), password: str = Form(""),
           invite_code: str = Form("")):
    ratelimit.enforce(get_settings().signup_rate_limit, "signup", _client_key(request))
    from app.cohorts import service as cohorts

    try:
        user = service.create_user(db, email, password, name)
        if invite_code.strip():
            cohorts.join_cohort(db, user, invite_code)
    except AppError as exc:
        db.rollback()
        return render(request, "pages/signup.html", {"error": exc.message, "email": email, "name": name,
                                                     "invite": invite_code}, status_code=exc.status_code)
    _sign_in(request, user.id)
    return RedirectResponse("/" if invite_code.strip() else "/join", status_code=303)


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "/"):
    return render(request, "pages/login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, db: Db, email: str = Form(""), password: str = Form(""), next: str = Form("/")):
    ratelimit.enforce(get_settings().login_rate_limit, "login", _client_key(request))
    try:
        user = service.authenticate(db, email, password)
    except AppError as exc:
        return render(request, "pages/login.html", {"error": exc.message, "email": email, "next": _safe_next(next)},
                      status_code=exc.status_code)
    _sign_in(request, user.id)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/account")
def account(request: Request, db: Db, user: CurrentUser):
    return render(request, "pages/account.html", {"tokens": service.list_tokens(db, user)})


@router.post("/account/tokens")
def create_token(request: Request, db: Db, user: CurrentUser, name: str = Form("personal token")):
    row, token = service.create_token(db, user, name)
    context = {"new_token": token, "new_token_row": row, "tokens": service.list_tokens(db, user)}
    if is_htmx(request):
        return render(request, "partials/tokens.html", context)
    return render(request, "pages/account.html", context)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, db: Db, user: CurrentUser, token_id: int):
    service.revoke_token(db, user, token_id)
    if is_htmx(request):
        return render(request, "partials/tokens.html", {"tokens": service.list_tokens(db, user)})
    return RedirectResponse("/account", status_code=303)
