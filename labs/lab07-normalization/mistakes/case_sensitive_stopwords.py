"""Common mistake: stop words are compared case-sensitively."""
# overrides solution.py: only what differs from the reference solution is below


def normalize_tokens(text: str, lowercase: bool = True, remove_punct: bool = True, remove_stopwords: bool = False,
                     reduce: str | None = None, stopwords: frozenset = frozenset(),
                     irregular: dict | None = None, lemmas: set | None = None) -> list[str]:
    tokens = TOKEN.findall(text)
    if lowercase:
        tokens = [t.lower() for t in tokens]
    if remove_punct:
        tokens = [t for t in tokens if any(c.isalnum() for c in t)]
    if remove_stopwords:
        tokens = [t for t in tokens if t not in stopwords]
    if reduce is not None:
        if reduce not in ("stem", "lemma"):
            raise ValueError(f"reduce must be None, 'stem' or 'lemma', not {reduce!r}")
        out = []
        for t in tokens:
            if re.fullmatch(r"[a-z]+", t.lower()):
                t = porter_stem(t.lower()) if reduce == "stem" else lemmatize(t, irregular or {}, lemmas or set())
            out.append(t)
        tokens = out
    return tokens
