"""Common mistake (lab 58): an I- that does not continue an entity is ignored (IOB2 strict), where
seqeval's default mode (the one everyone reports) starts an entity there."""
# overrides solution.py: only what differs from the reference solution is below


def get_entities(tags):
    entities, start, current = [], None, ""
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, kind = _split(tag)
        if start is not None and (prefix in ("O", "B") or kind != current):
            entities.append((current, start, i - 1))
            start = None
        if prefix == "B":
            start, current = i, kind
    return entities
