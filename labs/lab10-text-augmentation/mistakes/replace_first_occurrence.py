"""Common mistake: synonym replacement changes only the first occurrence of the chosen word."""
# overrides solution.py: only what differs from the reference solution is below


def _replace_word(tokens, out, word, synonym):
    out = list(out)
    out[tokens.index(word)] = synonym
    return out
