"""Jinja2 environment and the page/fragment response helpers."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.config import get_settings
from app.core.deps import csrf_token
from app.core.markdown import render_inline, render_markdown
from app.web.assets import TEMPLATES_DIR

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
FILTERS = {
    "markdown": lambda text: Markup(render_markdown(text)),
    "inline_md": lambda text: Markup(render_inline(text)),
    "pct": lambda value: f"{round(100 * (value or 0))}%",
    "score": lambda value: "–" if value is None else f"{round(value, 2):g}",  # at most 2 decimals
    "dt": lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else "",
}


def configure_templates(template_globals: dict) -> None:
    """Called once by create_app(): the filters and the domains' template globals (each routes module's
    TEMPLATE_GLOBALS), registered in one place rather than as a side effect of importing a module."""
    templates.env.filters.update(FILTERS)
    templates.env.globals.update(template_globals)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None):
    ctx = {"request": request, "user": getattr(request.state, "user", None), "csrf_token": csrf_token(request),
           "insecure_sandbox": get_settings().insecure_sandbox, **(context or {})}
    return templates.TemplateResponse(request, template, ctx, status_code=status_code, headers=headers)
