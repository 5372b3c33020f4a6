"""The baseline every later choice must beat: a keyword rule per team."""
from __future__ import annotations

KEYWORDS = {"billing": ("charge", "charged", "refund", "invoice", "payment", "billed", "price"),
            "account": ("password", "email", "account", "login", "locked")}


def keyword_team(text: str) -> str:
    lowered = text.lower()
    for team, words in KEYWORDS.items():
        if any(word in lowered for word in words):
            return team
    return "technical"
