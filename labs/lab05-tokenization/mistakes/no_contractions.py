"""Common mistake: contractions and possessives are not split."""
# overrides solution.py: only what differs from the reference solution is below


# (pattern, replacement) applied in this order; see the README for the rules in words
TREEBANK_RULES = [
    (re.compile(r'^"'), r" `` "),                                   # 1. opening double quotes
    (re.compile(r'(?<=[\s(\[{<])"'), r" `` "),
    (re.compile(r"\.\.\."), r" ... "),                              # 2. punctuation
    (re.compile(r"[;@#$%&?!]"), r" \g<0> "),
    (re.compile(r"(?<!\d),|,(?!\d)"), r" , "),
    (re.compile(r"(?<!\d):|:(?!\d)"), r" : "),
    (re.compile(r"""([^.])\.([\])}>"']*)\s*$"""), r"\1 . \2 "),
    (re.compile(r"[\[\](){}<>]"), r" \g<0> "),                      # 3. brackets
    (re.compile(r"--"), r" -- "),                                   # 4. double dashes
    (re.compile(r'"'), r" '' "),                                    # 5. closing double quotes
]
