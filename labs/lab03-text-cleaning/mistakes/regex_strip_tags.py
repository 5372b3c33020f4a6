"""Common mistake: tags are stripped with a regex."""
# overrides solution.py: only what differs from the reference solution is below


def html_to_text(html: str) -> str:
    import html as html_module
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", html))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
