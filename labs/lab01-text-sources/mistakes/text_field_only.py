"""Common mistake: parse_tweets() only reads the 'text' field (truncated for long tweets)."""
# overrides solution.py: only what differs from the reference solution is below


def _full_text(status: dict) -> str | None:
    return status.get("text")
