"""Common mistake (lab 22): sampling without top_k, so generate keeps its default top_k=50."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def generate(model, tokenizer, prompt, max_new_tokens=10, do_sample=False, temperature=1.0, top_k=None, seed=None):
    """Only the generated text. Decoder-only outputs start with the prompt, encoder-decoder outputs do not."""
    encoded = tokenizer(prompt, return_tensors="pt")
    options = dict(max_new_tokens=max_new_tokens, do_sample=do_sample, pad_token_id=tokenizer.pad_token_id)
    if do_sample:
        options.update(temperature=temperature)  # top_k forgotten: generate keeps its default (50)
        torch.manual_seed(seed)
    output = model.generate(**encoded, **options)[0]
    if not model.config.is_encoder_decoder:
        output = output[encoded["input_ids"].shape[1]:]
    return tokenizer.decode(output, skip_special_tokens=True).strip()
