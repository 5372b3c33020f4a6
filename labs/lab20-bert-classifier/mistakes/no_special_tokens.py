"""Common mistake (lab 20): no [CLS]/[SEP] tokens."""
# overrides solution.py: only what differs from the reference solution is below


def _tokenize(tokenizer, texts, max_length):
    return tokenizer(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt",
                     add_special_tokens=False)
