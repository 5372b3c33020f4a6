"""Common mistake (lab 52): & escaped after < and >, which escapes the new entities a second time."""
# overrides solution.py: only what differs from the reference solution is below


def escape_delimiters(text):
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("&", "&amp;")
