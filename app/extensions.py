"""Routers of the other domains (quizzes, instructor dashboard, review), included when present."""
from __future__ import annotations

import importlib

from fastapi import FastAPI

ROUTER_MODULES: list[str] = [
    "app.quizzes.routes",
    "app.quizzes.api",
    "app.dashboard.routes",
    "app.dashboard.api",
    "app.notifications.routes",
    "app.notifications.api",
    "app.review.routes",
    "app.review.api",
    "app.similarity.routes",
    "app.similarity.api",
]


def include_extensions(app: FastAPI) -> dict:
    """Include the domains' routers; returns their template globals for create_app to register."""
    template_globals: dict = {}
    for name in ROUTER_MODULES:
        module = importlib.import_module(name)
        for router in getattr(module, "routers", [module.router]):
            app.include_router(router)
        template_globals.update(getattr(module, "TEMPLATE_GLOBALS", {}))
    return template_globals
