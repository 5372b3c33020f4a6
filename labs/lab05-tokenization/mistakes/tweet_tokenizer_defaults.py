"""Common mistake: nltk_tokenize() builds TweetTokenizer() with its defaults (handles kept, elongated words
kept as they are) instead of TweetTokenizer(strip_handles=True, reduce_len=True)."""
# overrides solution.py: only what differs from the reference solution is below


def nltk_tokenize(text: str) -> dict[str, list[str]]:
    from nltk.tokenize import TreebankWordTokenizer, TweetTokenizer, WordPunctTokenizer

    return {"treebank": TreebankWordTokenizer().tokenize(text), "wordpunct": WordPunctTokenizer().tokenize(text),
            "tweet": TweetTokenizer().tokenize(text)}
