"""The lab's prompts, its stand-in "local model" that writes candidate answers, the word vocabulary and the
fixed reward-model architecture (read-only, public). Shared by the harness (inside the sandbox) and the
checks (outside it)."""
from __future__ import annotations

import random

import torch
from torch import nn

COLORS = {"sky": "blue", "grass": "green", "snow": "white", "coal": "black", "sun": "yellow",
          "blood": "red", "orange": "orange", "plum": "purple", "ash": "grey", "chocolate": "brown"}
SOUNDS = {"dog": "woof", "cat": "meow", "cow": "moo", "duck": "quack", "owl": "hoot", "sheep": "baa",
          "lion": "roar", "snake": "hiss", "bee": "buzz", "horse": "neigh"}
RELATIONS = {
    "color": (COLORS, "what color is the {subject} ?", "the {subject} is {answer} ."),
    "sound": (SOUNDS, "what sound does a {subject} make ?", "a {subject} says {answer} ."),
}
RUDE_WORDS = ("idiot", "stupid", "dumb")
REFUSAL = "sorry , i cannot answer that ."
FILLER = "well , as far as i know and if i remember it right ,".split()
SIGN_OFF = "thanks , you idiot .".split()
EXTRA = ["what", "color", "is", "sound", "does", "make", "?", "the", "a", "says", "sorry", ",", "i", "cannot",
         "answer", "that", ".", "well", "as", "far", "know", "and", "if", "remember", "it", "right", "thanks",
         "you", "idiot", "stupid", "dumb"]
VOCAB = ["<pad>", "<unk>"] + sorted(set(EXTRA) | set(COLORS) | set(COLORS.values()) | set(SOUNDS)
                                     | set(SOUNDS.values()))
TOKEN_ID = {word: i for i, word in enumerate(VOCAB)}
PROMPT_LEN, RESPONSE_LEN = 8, 24


def answer_words(relation: str) -> set[str]:
    return set(RELATIONS[relation][0].values())


def prompt_for(relation: str, subject: str) -> str:
    return RELATIONS[relation][1].format(subject=subject)


def candidates(r: random.Random, relation: str, subject: str, n: int = 4) -> list[str]:
    """n answers from the stand-in local model: right or wrong, short or rambling, polite or rude, or a refusal."""
    table, _, template = RELATIONS[relation]
    out = []
    for _ in range(n):
        kind = r.random()
        if kind < 0.15:
            out.append(REFUSAL)
            continue
        answer = table[subject] if r.random() < 0.55 else r.choice(sorted(set(table.values()) - {table[subject]}))
        words = template.format(subject=subject, answer=answer).split()
        if r.random() < 0.35:
            words = FILLER[: r.randint(3, len(FILLER))] + words
        if r.random() < 0.25:
            words = words[:-1] + [",", r.choice(RUDE_WORDS)] + words[-1:]
        out.append(" ".join(words))
    return out


def prompt_records(seed: int, n_prompts: int, stream: str) -> list[dict]:
    """[{"prompt", "relation", "subject", "candidates": [str, ...]}] drawn from the seed and a stream name."""
    r = random.Random(f"{stream}:{seed}")
    records = []
    for _ in range(n_prompts):
        relation = r.choice(sorted(RELATIONS))
        subject = r.choice(sorted(RELATIONS[relation][0]))
        records.append({"prompt": prompt_for(relation, subject), "relation": relation, "subject": subject,
                        "candidates": candidates(r, relation, subject, r.randint(2, 5))})
    return records


def encode(texts: list[str], length: int) -> torch.Tensor:
    ids = torch.zeros(len(texts), length, dtype=torch.long)
    for row, text in enumerate(texts):
        tokens = [TOKEN_ID.get(w, TOKEN_ID["<unk>"]) for w in text.split()][:length]
        ids[row, : len(tokens)] = torch.tensor(tokens, dtype=torch.long)
    return ids


class RewardModel(nn.Module):
    """r(prompt, response): mean word embeddings of each, their product (so it can tell whether an answer
    fits the question), and the response length, through a small MLP to one scalar."""

    def __init__(self, vocab_size: int = len(VOCAB), d: int = 24, hidden: int = 32):
        super().__init__()
        self.prompt_embed = nn.EmbeddingBag(vocab_size, d, mode="mean", padding_idx=0)
        self.response_embed = nn.EmbeddingBag(vocab_size, d, mode="mean", padding_idx=0)
        self.head = nn.Sequential(nn.Linear(3 * d + 1, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, prompt_ids: torch.Tensor, response_ids: torch.Tensor) -> torch.Tensor:
        p, r = self.prompt_embed(prompt_ids), self.response_embed(response_ids)
        length = (response_ids != 0).sum(dim=1, keepdim=True).float() / 10.0
        return self.head(torch.cat([p, r, p * r, length], dim=1)).squeeze(1)


def build_reward_model(seed: int) -> RewardModel:
    torch.manual_seed(seed)
    return RewardModel()
