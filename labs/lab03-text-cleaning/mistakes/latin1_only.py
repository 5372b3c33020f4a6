"""Common mistake: mojibake is repaired with line.encode('latin-1') only. Characters that only windows-1252
has (the € and ™ of â€™) are not latin-1, so encoding fails and most broken lines are left as they are.
Below: the reference fix_mojibake, with latin-1 as the encoding."""
# overrides solution.py: only what differs from the reference solution is below


def _sloppy_cp1252(line: str) -> bytes:
    return line.encode("latin-1")
