"""Common mistake (lab 53): spans replaced left to right with offsets computed on the original text."""
# overrides solution.py: only what differs from the reference solution is below


def redact(text):
    for start, end, kind in find_pii(text):
        text = text[:start] + f"[{kind}]" + text[end:]
    return text
