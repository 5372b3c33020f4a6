"""The SQLAlchemy session listeners the app relies on, registered in one place rather than as a side
effect of importing a module: tasks sent after commit (app/core/db.py) and the dashboard's summaries
refreshed with the change that moved them (app/dashboard/summary.py). Called by create_app(), the worker
at start, the command line and the session factory; registering twice is harmless."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session


def install_session_events() -> None:
    from app.core.db import SESSION_EVENTS as CORE
    from app.dashboard.summary import SESSION_EVENTS as DASHBOARD

    for name, listener in (*CORE, *DASHBOARD):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
