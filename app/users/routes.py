"""Sign up, sign in, sign out, the account page and personal API tokens."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core import ratelimit
from app.core.deps import CsrfChecked, CurrentUser, Db, OptionalUser, csrf_token
from app.core.errors import AppError
from app.core.params import RowId
from app.core.proxies import client_address
from app.core.security import hash_token
from app.users import service, sessions
from app.users.models import User
from app.web.templating import is_htmx, render

router = APIRouter(dependencies=[CsrfChecked])


def _account_key(email: str) -> str:
    """The per-account limiter key: a digest of the email as typed, normalised (any length, any text)."""
    return hash_token((email or "").strip().lower())


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _sign_in(request: Request, db: Session, user: User) -> None:
    """A new server-side session; the cookie then holds only its token. The CSRF token the sign-in form was
    checked against (this browser's) moves into the session row, so it dies with the session."""
    csrf = csrf_token(request)
    previous = getattr(request.state, "user_session", None)
    if previous is not None:
        sessions.revoke(previous, "signed_in_again")
    token = sessions.start_session(db, user, csrf, request.headers.get("user-agent", ""))
    request.session.clear()
    request.session[sessions.COOKIE_KEY] = token


def _to_login(request: Request):
    """After the session ends: HTMX follows HX-Redirect, a plain form the 303."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


@router.get("/signup")
def signup_page(request: Request, user: OptionalUser, invite: str = ""):
    return render(request, "pages/signup.html", {"invite": invite})


@router.post("/signup")
def signup(request: Request, db: Db, email: str = Form(""), name: str = Form(""), password: str = Form(""),
           invite_code: str = Form("")):
    ratelimit.enforce(get_settings().signup_rate_limit, "signup", client_address(request))
    from app.cohorts import service as cohorts

    try:
        user = service.create_user(db, email, password, name)
        if invite_code.strip():
            cohorts.join_cohort(db, user, invite_code)
    except AppError as exc:
        db.rollback()
        return render(request, "pages/signup.html", {"error": exc.message, "email": email, "name": name,
                                                     "invite": invite_code}, status_code=exc.status_code)
    _sign_in(request, db, user)
    return RedirectResponse("/" if invite_code.strip() else "/join", status_code=303)


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "/"):
    return render(request, "pages/login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, db: Db, email: str = Form(""), password: str = Form(""), next: str = Form("/")):
    settings = get_settings()
    ratelimit.enforce(settings.login_rate_limit, "login", client_address(request))
    account = _account_key(email)
    ratelimit.refuse_if_spent(settings.login_account_rate_limit, "login-account", account,
                              message="Too many failed sign-ins for this account.")
    try:
        user = service.authenticate(db, email, password)
    except AppError as exc:
        ratelimit.record(settings.login_account_rate_limit, "login-account", account)
        return render(request, "pages/login.html", {"error": exc.message, "email": email, "next": _safe_next(next)},
                      status_code=exc.status_code)
    _sign_in(request, db, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, db: Db):
    """Ends the session on the server: a copy of the cookie taken before is worth nothing afterwards."""
    current = getattr(request.state, "user_session", None)
    if current is not None:
        sessions.revoke(current, "logout")
    request.session.clear()
    return _to_login(request)


def _security_context(request: Request, db: Session, user: User, **extra) -> dict:
    current = getattr(request.state, "user_session", None)
    return {"sessions": sessions.live_sessions(db, user), "current_session_id": current.id if current else None,
            **extra}


@router.get("/account")
def account(request: Request, db: Db, user: CurrentUser):
    return render(request, "pages/account.html",
                  {"tokens": service.list_tokens(db, user), **_security_context(request, db, user)})


@router.post("/account/password")
def change_password(request: Request, db: Db, user: CurrentUser, current_password: str = Form(""),
                    new_password: str = Form("")):
    """A new password signs out every other browser (whoever knew the old one may hold a session)."""
    try:
        service.change_password(db, user, current_password, new_password)
    except AppError as exc:
        context = _security_context(request, db, user, password_error=exc.message)
        return _render_security(request, db, user, context, status_code=exc.status_code)
    ended = sessions.revoke_all(db, user.id, "password_changed", keep=getattr(request.state, "user_session", None))
    context = _security_context(request, db, user, password_changed=True, ended_sessions=ended)
    return _render_security(request, db, user, context)


def _render_security(request: Request, db: Session, user: User, context: dict, status_code: int = 200):
    if is_htmx(request):
        return render(request, "partials/account_security.html", context, status_code=status_code)
    return render(request, "pages/account.html", {"tokens": service.list_tokens(db, user), **context},
                  status_code=status_code)


@router.post("/account/sessions/revoke-all")
def sign_out_everywhere(request: Request, db: Db, user: CurrentUser):
    """Every session of the account ends, this one included (a lost laptop, a shared computer)."""
    sessions.revoke_all(db, user.id, "signed_out_everywhere")
    request.session.clear()
    return _to_login(request)


@router.post("/account/tokens")
def create_token(request: Request, db: Db, user: CurrentUser, name: str = Form("personal token")):
    row, token = service.create_token(db, user, name)
    context = {"new_token": token, "new_token_row": row, "tokens": service.list_tokens(db, user)}
    if is_htmx(request):
        return render(request, "partials/tokens.html", context)
    return render(request, "pages/account.html", context)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, db: Db, user: CurrentUser, token_id: RowId):
    service.revoke_token(db, user, token_id)
    if is_htmx(request):
        return render(request, "partials/tokens.html", {"tokens": service.list_tokens(db, user)})
    return RedirectResponse("/account", status_code=303)
