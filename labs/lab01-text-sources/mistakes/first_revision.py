"""Common mistake: parse_wiki_dump() takes the first <text> in the page (page.find('.//text')), i.e. the
oldest revision of a history dump instead of the latest."""
# overrides solution.py: only what differs from the reference solution is below


def _latest_text(page: ET.Element, ns: str) -> str | None:
    return page.findtext(f".//{ns}text")
