"""Common mistake: contractions and possessives are not split (rule 6 is missing): don't stays whole
instead of do n't, it's instead of it 's."""
# overrides solution.py: only what differs from the reference solution is below

TREEBANK_RULES = TREEBANK_RULES[:-2]
