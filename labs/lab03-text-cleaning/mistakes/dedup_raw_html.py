"""Common mistake: duplicates are removed on the raw HTML, before cleaning."""
# overrides solution.py: only what differs from the reference solution is below


def clean_corpus(docs: list[str], min_words: int = 5) -> list[str]:
    kept, seen = [], set()
    for doc in docs:
        if doc in seen:
            continue
        seen.add(doc)
        text = clean_document(doc)
        if len(text.split()) >= min_words:
            kept.append(text)
    return kept
