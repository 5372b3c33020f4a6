"""Common mistake: a True/False flag instead of a depth counter for skipped elements."""
# overrides solution.py: only what differs from the reference solution is below


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip_depth = 1
        elif tag in BLOCK_TAGS:
            self.parts.append(BREAK)
        elif tag in CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip_depth = 0
        elif tag in BLOCK_TAGS:
            self.parts.append(BREAK)

    def handle_data(self, data):
        if not self.skip_depth:
            self.parts.append(data.replace(BREAK, ""))
