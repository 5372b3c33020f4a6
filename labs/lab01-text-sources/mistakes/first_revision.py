"""Common mistake: parse_wiki_dump() takes the first <text> in the page, i.e. the oldest revision."""
# overrides solution.py: only what differs from the reference solution is below


def parse_wiki_dump(xml_text: str) -> list[dict]:
    root = ET.fromstring(xml_text)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    pages = []
    for page in root.iter(f"{ns}page"):
        if page.findtext(f"{ns}ns") != "0" or page.find(f"{ns}redirect") is not None:
            continue
        text = page.findtext(f".//{ns}text")
        pages.append({"id": int(page.findtext(f"{ns}id")), "title": page.findtext(f"{ns}title"),
                      "wikitext": text or ""})
    return pages
