"""Security headers on every response: no inline script, no framing, no MIME sniffing, HSTS over HTTPS."""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages load only their own scripts (static/); inline <script> and on* handlers are refused.
# Inline style attributes (progress bars) stay allowed: they cannot run code.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
])
# /docs runs the vendored Swagger UI (static/vendor) under the same policy: nothing from elsewhere.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY
HSTS = "max-age=31536000"
BASE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def security_headers(path: str, https: bool, docs_path: str | None = "/docs") -> dict[str, str]:
    headers = dict(BASE_HEADERS)
    headers["Content-Security-Policy"] = (DOCS_CONTENT_SECURITY_POLICY if docs_path and path == docs_path
                                          else CONTENT_SECURITY_POLICY)
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Adds the headers to every HTTP response (a route may set its own value for any of them).

    HSTS only where the site is served over HTTPS: the request came in as https (directly or through a
    trusted proxy's X-Forwarded-Proto), or the operator declared it with LLMCOURSE_SECURE_COOKIES. A local
    http://127.0.0.1 install never gets it."""

    def __init__(self, app: ASGIApp, served_over_https: bool, docs_path: str | None = "/docs") -> None:
        self.app = app
        self.served_over_https = served_over_https
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Read the scheme now: a trusted proxy's X-Forwarded-Proto has been applied to the scope by then.
                https = self.served_over_https or scope.get("scheme") == "https"
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(scope.get("path", ""), https, self.docs_path).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
