"""Common mistake (lab 22): the mask position comes from the words of the text."""
# overrides solution.py: only what differs from the reference solution is below


def _mask_position(tokenizer, encoded, text):
    return text.split().index("[MASK]")             # forgets the [CLS] in front of the words
