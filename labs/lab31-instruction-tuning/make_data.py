"""Builds Lab 31's data (trusted, run once by the lab author: `python make_data.py`).

1. A small world: every animal has a home, a food and a colour (fixed seed).
2. Pre-trains the base model (data/tinychat.py) on plain sentences about ALL animals and writes
   data/base.safetensors. The base model never sees a chat template.
3. data/sft_train.jsonl: instruction conversations (system prompts, one or two turns). For every animal
   one kind of question (its home, its food or its colour) is held out: no conversation asks it, and no
   "tell me about" answer reveals it.
4. private/heldout.jsonl: exactly those held-out questions with their answers; they never enter the
   sandbox. The tuned model can answer them only by combining the chat format it learned from the SFT
   data with the facts it learned in pre-training.

The base model is pre-trained only when data/base.safetensors is missing or with --pretrain."""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "data"))

from tinychat import ANIMALS, COLOURS, EOS, FOODS, PLACES, WEIGHTS_FILE, build_model, vocabulary  # noqa: E402

N_SFT = 1500
PRETRAIN = dict(steps=3000, batch_size=32, block_size=48, lr=5e-3, warmup=100)
KINDS = ["place", "food", "colour", "about"]
SYSTEM_PROMPTS = ["you are a helpful assistant .", "answer briefly .", "you are a friendly assistant , please answer ."]


def world() -> dict[str, dict[str, str]]:
    r = random.Random("lab31-world")
    return {a: {"place": r.choice(PLACES), "food": r.choice(FOODS), "colour": r.choice(COLOURS)} for a in ANIMALS}


def split_questions() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(animal, kind) pairs for training and held out: one of place / food / colour per animal is held out,
    and "about" (colour and place) is held out with it unless the held-out kind is food."""
    r = random.Random("lab31-split")
    train, held = [], []
    for animal in ANIMALS:
        hidden = r.choice(["place", "food", "colour"])
        for kind in KINDS:
            out = kind == hidden or (kind == "about" and hidden in ("place", "colour"))
            (held if out else train).append((animal, kind))
    return train, held


def fact_sentences(animal: str, fact: dict[str, str]) -> list[str]:
    return [f"the {animal} lives in the {fact['place']} .", f"the {animal} eats {fact['food']} .",
            f"the {animal} is {fact['colour']} ."]


def question_answer(kind: str, animal: str, fact: dict[str, str]) -> tuple[str, str]:
    if kind == "place":
        return f"where does the {animal} live ?", f"the {animal} lives in the {fact['place']} ."
    if kind == "food":
        return f"what does the {animal} eat ?", f"the {animal} eats {fact['food']} ."
    if kind == "colour":
        return f"what colour is the {animal} ?", f"the {animal} is {fact['colour']} ."
    return (f"tell me about the {animal} .",
            f"the {animal} is {fact['colour']} . the {animal} lives in the {fact['place']} .")


def pretraining_document(r: random.Random, facts) -> str:
    animal = r.choice(ANIMALS)
    sentences = fact_sentences(animal, facts[animal])
    r.shuffle(sentences)
    return " ".join(sentences[: r.randint(1, 3)])


def pretrain(facts) -> torch.nn.Module:
    torch.set_num_threads(1)
    vocab = vocabulary()
    index = {w: i for i, w in enumerate(vocab)}
    r = random.Random("lab31-pretrain")
    stream: list[int] = []
    while len(stream) < 400_000:
        stream += [index[w] for w in pretraining_document(r, facts).split()] + [index[EOS]]
    data = torch.tensor(stream)
    model = build_model()
    cfg = PRETRAIN
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / cfg["warmup"]) * max(0.05, 1 - s / cfg["steps"]))
    gen = torch.Generator().manual_seed(0)
    for step in range(cfg["steps"]):
        starts = torch.randint(len(data) - cfg["block_size"], (cfg["batch_size"],), generator=gen)
        batch = torch.stack([data[s:s + cfg["block_size"]] for s in starts.tolist()])
        logits = model(batch)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 250 == 0 or step == cfg["steps"] - 1:
            print(f"step {step} loss {loss.item():.3f}", flush=True)
    return model


def conversation(r: random.Random, pairs: list[tuple[str, str]], facts) -> dict:
    messages = []
    if r.random() < 0.3:
        messages.append({"role": "system", "content": r.choice(SYSTEM_PROMPTS)})
    for _ in range(1 if r.random() < 0.7 else 2):
        animal, kind = r.choice(pairs)
        question, answer = question_answer(kind, animal, facts[animal])
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": messages}


def heldout(pairs: list[tuple[str, str]], facts) -> list[dict]:
    r = random.Random("lab31-heldout")
    items = []
    for animal, kind in pairs:
        question, answer = question_answer(kind, animal, facts[animal])
        messages = [{"role": "user", "content": question}]
        if r.random() < 0.25:
            messages.insert(0, {"role": "system", "content": r.choice(SYSTEM_PROMPTS)})
        items.append({"messages": messages, "answer": answer})
    return items


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    from safetensors.torch import save_file

    facts = world()
    train_pairs, heldout_pairs = split_questions()
    r = random.Random("lab31-sft")
    write_jsonl(HERE / "data" / "sft_train.jsonl", [conversation(r, train_pairs, facts) for _ in range(N_SFT)])
    write_jsonl(HERE / "private" / "heldout.jsonl", heldout(heldout_pairs, facts))
    weights = HERE / "data" / WEIGHTS_FILE
    if "--pretrain" in sys.argv or not weights.exists():
        model = pretrain(facts)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
        weights.chmod(0o644)


if __name__ == "__main__":
    main()
