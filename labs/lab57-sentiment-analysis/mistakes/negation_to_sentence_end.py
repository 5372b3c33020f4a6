"""Common mistake (lab 57): a negator flips every later sentiment word of the sentence."""
# overrides solution.py: only what differs from the reference solution is below


def lexicon_score(tokens, lexicon):
    words, boosts, negators = lexicon["words"], lexicon["intensifiers"], set(lexicon["negators"])
    total = 0.0
    for sentence in _sentences(tokens):
        weights = _but_weights(sentence, lexicon)
        negated, boost = False, 1.0
        for token, weight in zip(sentence, weights):
            if token in negators:
                negated = True
            elif token in boosts:
                boost *= boosts[token]
            elif token in words:
                value = words[token] * boost
                if negated:
                    value *= lexicon["negation_factor"]
                total += weight * value
                boost = 1.0
            else:
                boost = 1.0
    return float(total)
