"""Common mistake: wikitext_to_plain() unescapes HTML entities first (to "see" the real characters), so
escaped markup such as &lt;b&gt;, &#39;&#39; and &#91;&#91; turns into tags, italics and links that the
later steps remove. Below: html.unescape, then the reference's steps."""
# overrides solution.py: only what differs from the reference solution is below

_reference_wikitext_to_plain = wikitext_to_plain


def wikitext_to_plain(wikitext: str) -> str:
    return _reference_wikitext_to_plain(html.unescape(wikitext))
