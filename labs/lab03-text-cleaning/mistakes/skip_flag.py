"""Common mistake: skipped elements are tracked with a True/False flag instead of a depth counter, so the end
of a <style> inside a <noscript> turns skipping off while the <noscript> is still open. Below: the reference
extractor, with skip_depth set to 1 and 0 instead of counted up and down."""
# overrides solution.py: only what differs from the reference solution is below

_ReferenceExtractor = _TextExtractor


class _TextExtractor(_ReferenceExtractor):
    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if tag in SKIP_TAGS:
            self.skip_depth = 1

    def handle_endtag(self, tag):
        super().handle_endtag(tag)
        if tag in SKIP_TAGS:
            self.skip_depth = 0
