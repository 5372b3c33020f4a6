"""Common mistake (lab 58): only I- after O (or at the start) is repaired; I-ORG right after B-PER stays."""
# overrides solution.py: only what differs from the reference solution is below


def fix_bio(tags):
    fixed, previous = [], "O"
    for tag in tags:
        if tag.startswith("I-") and previous == "O":
            tag = "B-" + tag[2:]
        fixed.append(tag)
        previous = tag
    return fixed
