"""Common mistake: mojibake is repaired with latin-1 only."""
# overrides solution.py: only what differs from the reference solution is below


def fix_mojibake(text: str) -> str:
    fixed = []
    for line in text.split("\n"):
        if not line.isascii():
            try:
                line = line.encode("latin-1").decode("utf-8")
            except UnicodeError:
                pass
        fixed.append(line)
    return "\n".join(fixed)
