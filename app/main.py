"""The FastAPI application: pages at /, JSON API at /api/v1, /healthz, OpenAPI at /docs."""
from __future__ import annotations

import gc
import logging
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import get_settings
from app.core.deps import Db, receive_body
from app.core.errors import AppError
from app.core.headers import SecurityHeaders
from app.core.params import is_out_of_range_path_id
from app.core.proxies import trust_configured_proxies
from app.core.secret_policy import refuse_insecure_defaults
from app.events import install_session_events
from app.web.assets import STATIC_DIR
from app.web.templating import configure_templates, is_htmx, render, templates

log = logging.getLogger(__name__)
STATUS_TITLES = {400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
                 405: "Not allowed", 409: "Conflict", 410: "Gone", 413: "Too large", 415: "Unsupported",
                 422: "Invalid input", 429: "Slow down", 500: "Something went wrong"}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz" or (
        "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", ""))


def _page_path(request: Request) -> str:
    """The page an HTMX request came from (HX-Current-URL), so that signing in returns there."""
    current = urlsplit(request.headers.get("hx-current-url", ""))
    path = current.path if current.netloc in ("", request.url.netloc) else ""
    return quote(path if path.startswith("/") and not path.startswith("//") else "/", safe="/")


def _signed_in_user(request: Request):
    """The session's user for an error page that no route's dependencies reached (detached, read-only)."""
    from app.core.deps import _session_user, get_db

    from app.users.models import User

    unit = get_db(request)  # the request's own unit of work (the test suite's session too)
    try:
        found = _session_user(request, next(unit))
        # A detached copy: closing the unit (a rollback, nothing here is meant to be written) expires `found`.
        user = None if found is None else User(id=found.id, email=found.email, name=found.name, role=found.role)
        unit.close()
        return user
    except Exception:  # an error page must render even when the database does not answer
        log.warning("could not read the signed-in user for an error page", exc_info=True)
        return None


def error_response(request: Request, status_code: int, message: str, code: str):
    if wants_json(request):
        return JSONResponse({"detail": message, "code": code}, status_code=status_code)
    # Signing in cannot cure a rejected API token: the sign-in page would meet the same header (a redirect loop).
    go_sign_in = status_code == 401 and code != "bad_token"
    if is_htmx(request):
        headers = {"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"}
        if go_sign_in:  # the session ended (signed out elsewhere, expired): go sign in, stop polling
            headers["HX-Redirect"] = f"/login?next={_page_path(request)}"
        return render(request, "partials/toast.html", {"message": message}, status_code=status_code, headers=headers)
    if go_sign_in:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not hasattr(request.state, "user"):  # no route ran (an unknown address): still show who is signed in
        request.state.user = _signed_in_user(request)
    return render(request, "pages/error.html", {"status_code": status_code, "message": message,
                                                "title": STATUS_TITLES.get(status_code, "Error")},
                  status_code=status_code)


def describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        field = ".".join(str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form"))
        parts.append(f"{field or 'input'}: {err.get('msg', 'invalid')}")
    return "Invalid input. " + "; ".join(parts)


class BodySizeLimit:
    """Refuses oversized request bodies before anything parses them (413, never a 500)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            response = JSONResponse({"detail": f"The request is larger than {self.max_bytes // 1024} KB.",
                                     "code": "too_large"}, status_code=413)
            return await response(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise AppError(413, f"The request is larger than {self.max_bytes // 1024} KB.", "too_large")
            return message

        return await self.app(scope, limited_receive, send)


class CourseApp(FastAPI):
    """The security headers wrap the whole stack, outside even the handler that renders 500 pages."""

    served_over_https = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), self.served_over_https, docs_path="/docs")


def create_app() -> FastAPI:
    settings = get_settings()
    refuse_insecure_defaults(settings)
    install_session_events()
    app = CourseApp(title="LLM Course Platform", version="0.1.0", docs_url=None, redoc_url=None,
                    dependencies=[Depends(receive_body)])
    app.served_over_https = settings.secure_cookies
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret, session_cookie="llmcourse_session",
                       same_site="lax", https_only=settings.secure_cookies, max_age=settings.session_lifetime_seconds)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_form_bytes)
    trust_configured_proxies(app, settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError):
        return error_response(request, exc.status_code, exc.message, exc.code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        if exc.errors() and all(is_out_of_range_path_id(error) for error in exc.errors()):
            return error_response(request, 404, "There is nothing at this address.", "not_found")
        return error_response(request, 422, describe_validation(exc), "invalid")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else STATUS_TITLES.get(exc.status_code, "Error")
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        return error_response(request, exc.status_code, message, "http_error")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "Something went wrong on our side. Please try again.", "internal")

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request):
        """Swagger UI, set up by a static script (the page has no inline script, as the CSP requires)."""
        return templates.TemplateResponse(request, "pages/api_docs.html", {"openapi_url": app.openapi_url})

    @app.get("/healthz", tags=["ops"])
    def healthz():
        """200 when the database and the broker answer; 503 "degraded" (with which one failed) otherwise."""
        from app.core.health import health

        status, body = health(settings)
        return JSONResponse(body, status_code=status)

    from app.core.metrics import render_web

    @app.get("/metrics", include_in_schema=False)
    def metrics(db: Db):
        """Prometheus text format: queue depth and running jobs per queue (docs/operations.md). The TLS
        proxy does not route it (deploy/Caddyfile); Prometheus scrapes the web service directly."""
        body, content_type = render_web(db)
        return Response(body, media_type=content_type)

    from app.cohorts.routes import router as cohorts_router
    from app.course.api import router as progress_api
    from app.course.routes import router as course_router
    from app.labs.api import router as labs_api
    from app.labs.routes import router as labs_router
    from app.users.api import router as users_api
    from app.users.routes import router as users_router

    for router in (course_router, users_router, cohorts_router, labs_router, labs_api, progress_api, users_api):
        app.include_router(router)
    from app.extensions import include_extensions

    configure_templates(include_extensions(app))
    # Everything imported so far lives as long as the process: keep it out of the garbage collector's
    # full passes, which otherwise add tens of milliseconds to the slowest requests.
    gc.collect()
    gc.freeze()
    return app
