"""Common mistake (lab 53): card numbers detected by shape alone, without the Luhn check."""
# overrides solution.py: only what differs from the reference solution is below

PII_PATTERNS = [(kind, pattern, None if kind == "CREDIT_CARD" else valid) for kind, pattern, valid in PII_PATTERNS]
