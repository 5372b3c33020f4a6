"""Common mistake (lab 53): IBAN letters converted with A=1 (ord - 64) instead of A=10."""
# overrides solution.py: only what differs from the reference solution is below


def iban_valid(iban):
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(ch if ch.isdigit() else str(ord(ch) - 64) for ch in rearranged)) % 97 == 1


PII_PATTERNS = [(kind, pattern, iban_valid if kind == "IBAN" else valid) for kind, pattern, valid in PII_PATTERNS]
