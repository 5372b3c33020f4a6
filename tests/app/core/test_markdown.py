"""Markdown: sanitised, code blocks highlighted by Pygments, maths kept verbatim for KaTeX."""
from __future__ import annotations

from app.core.markdown import render_inline, render_markdown


def test_fenced_python_is_highlighted():
    html = render_markdown("```python\ndef f(x):\n    return x + 1  # one more\n```")
    assert html.startswith('<pre><code class="language-python">')
    assert '<span class="k">def</span>' in html and '<span class="nf">f</span>' in html
    assert '<span class="c1"># one more</span>' in html


def test_unknown_language_and_plain_blocks_stay_plain():
    assert render_markdown("```nosuchlang\nx = 1\n```") == '<pre><code class="language-nosuchlang">x = 1\n</code></pre>\n'
    assert render_markdown("```\n<b>x</b>\n```") == "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n"


def test_maths_survive_markdown_for_katex():
    html = render_markdown(r"Loss $$\mathcal{L} = -\sum_i y_i \log p_i$$ and \(a_1 < b_1\).")
    assert r'<span class="math math-display">\mathcal{L} = -\sum_i y_i \log p_i</span>' in html
    assert '<span class="math math-inline">a_1 &lt; b_1</span>' in html
    assert "<em>" not in html  # the underscores did not become emphasis


def test_maths_inside_code_is_code_and_dollars_are_money():
    html = render_markdown("Use `$$x$$` and \n\n```\n\\(y\\)\n```\n\nIt costs $0.50 or $3.")
    assert "<code>$$x$$</code>" in html and "\\(y\\)" in html and "math" not in html
    assert "$0.50 or $3." in html


def test_maths_cannot_smuggle_markup():
    html = render_markdown(r"\(</span><script>alert(1)</script>\) KATEXMATH0X KATEXMATH7X")
    assert "<script>" not in html
    assert '<span class="math math-inline">&lt;/span&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    assert "KATEXMATH7X" in html


def test_inline_markdown_keeps_maths_and_strips_tags():
    assert render_inline(r"pick \(x^2\) <b>bold</b>") == \
        'pick <span class="math math-inline">x^2</span> &lt;b&gt;bold&lt;/b&gt;'
