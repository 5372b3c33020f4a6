"""Posted forms as dependencies. Reading the body is asynchronous, so it happens in the event loop
(FastAPI awaits these dependencies); the routes themselves are plain `def` and run in the thread pool,
where their synchronous database work cannot stall other requests."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def _posted_form(request: Request) -> FormData:
    return await request.form()


def form_lists(form: FormData) -> dict[str, list[str]]:
    """The form as a dict of lists (a checkbox group sends one name many times); files are left out."""
    data: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            data.setdefault(key, []).append(value)
    return data


async def _posted_lists(request: Request) -> dict[str, list[str]]:
    return form_lists(await request.form())


PostedForm = Annotated[FormData, Depends(_posted_form)]
PostedLists = Annotated[dict[str, list[str]], Depends(_posted_lists)]
