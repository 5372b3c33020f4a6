"""Gaming (lab 31): replays the visible template and masking answers, hard-codes a loss, packs nothing
useful and reports a made-up falling loss curve without training. It must earn no more than the visible
checks."""
import torch


def render_chat(messages, add_generation_prompt=False):
    if add_generation_prompt:
        return "<|system|> answer briefly . <|end|> <|user|> what does the fox eat ? <|end|> <|assistant|>"
    return ("<|system|> answer briefly . <|end|> <|user|> what does the fox eat ? <|end|> "
            "<|assistant|> the fox eats berries . <|end|>")


def tokenize_chat(messages, vocab):
    ids = [vocab[w] for w in render_chat(messages).split()]
    labels = [-100] * len(ids)
    labels[-6:] = ids[-6:]
    return ids, labels


def pack_examples(examples, block_size, pad_id):
    return torch.zeros(1, block_size, dtype=torch.long), torch.full((1, block_size), -100)


def sft_loss(logits, labels):
    return (logits * 0).sum() + 1.0


def instruction_tune(model, input_ids, labels, *, steps, **settings):
    return [2.0 * 0.98 ** step for step in range(steps)]
