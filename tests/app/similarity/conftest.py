from __future__ import annotations

import pytest

from tests.conftest import SENT


@pytest.fixture(autouse=True)
def sent() -> list[tuple[str, list, str]]:
    """Tasks sent after commit, (name, args, queue): the db fixture captures them instead of a broker."""
    return SENT
