"""Common mistake: strip_gutenberg() searches for the exact modern marker string."""
# overrides solution.py: only what differs from the reference solution is below


def strip_gutenberg(raw: str) -> str:
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n")
    start = raw.index("*** START OF THE PROJECT GUTENBERG EBOOK")
    start = raw.index("\n", start) + 1
    end = raw.index("*** END OF THE PROJECT GUTENBERG EBOOK")
    body = [line for line in raw[start:end].split("\n") if not OLD_END.match(line)]
    return "\n".join(body).strip()
