"""Common mistake: nltk_tokenize() builds TweetTokenizer() with its defaults (handles kept, elongated words
kept as they are) instead of TweetTokenizer(strip_handles=True, reduce_len=True). Below: the reference's
treebank and wordpunct results, with the default TweetTokenizer for "tweet"."""
# overrides solution.py: only what differs from the reference solution is below

_reference_nltk_tokenize = nltk_tokenize


def nltk_tokenize(text: str) -> dict[str, list[str]]:
    from nltk.tokenize import TweetTokenizer

    return {**_reference_nltk_tokenize(text), "tweet": TweetTokenizer().tokenize(text)}
