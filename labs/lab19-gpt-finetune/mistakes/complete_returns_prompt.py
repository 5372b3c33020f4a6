"""Common mistake (lab 19): complete decodes the whole output, prompt included."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def complete(model, tokenizer, prompt, max_new_tokens=12):
    """Greedy continuation of one prompt: only the new text, special tokens removed, stripped."""
    model.eval()
    encoded = tokenizer(prompt, return_tensors="pt")
    output = model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False,
                            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    new_tokens = output[0]
    return tokenizer.decode(new_tokens, skip_special_tokens=True).strip()
