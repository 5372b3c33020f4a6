"""Common mistake: encoding merges the leftmost known pair instead of the earliest-learned one."""
# overrides solution.py: only what differs from the reference solution is below


def bpe_encode(word: str, merges: list[tuple[str, str]]) -> list[str]:
    rank = {pair: i for i, pair in enumerate(merges)}
    symbols = word_to_symbols(word)
    while len(symbols) > 1:
        pairs = [p for p in zip(symbols, symbols[1:]) if p in rank]
        if not pairs:
            break
        symbols = _merge(symbols, pairs[0])
    return list(symbols)
