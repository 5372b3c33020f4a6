"""Builds Lab 21's tiny "pre-trained" T5 (trusted; run OUTSIDE the sandbox, once per version of this
file): `python build_artifacts.py OUT_DIR`.

1. Generates monolingual text in two languages from small grammars: English, and "Toy", a made-up
   language with its own words and word order (no parallel sentences: like mT5, the model sees each
   language on its own).
2. Builds a word-level tokenizer covering both languages, with T5's <pad> (also the decoder start
   token), </s>, <unk> and sentinel tokens <extra_id_0> ... <extra_id_9>; every encoded text ends with </s>.
3. Pre-trains a T5 (2 encoder + 2 decoder layers, d_model 64) with T5's span-corruption objective:
   random spans of the input are replaced by sentinels and the decoder writes the missing spans.
4. Saves T5ForConditionalGeneration + tokenizer with save_pretrained into OUT_DIR/t5-tiny (safetensors).

make_data.py imports the grammars and the dictionary from here.
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

# English -> Toy dictionary. Toy drops "the" and puts every adjective after its noun.
NOUNS = {"dog": "vako", "cat": "mirel", "fox": "lusa", "bird": "pitto", "horse": "kanor", "goat": "zegi",
         "mouse": "mulin", "owl": "sowa", "frog": "zabek", "duck": "kwaro"}
OBJECTS = {"ball": "bolo", "box": "kasta", "stick": "palik", "apple": "jablo", "hat": "kapel", "key": "kluz",
           "shoe": "butan", "book": "kniga"}
ADJECTIVES = {"old": "starn", "young": "mlod", "small": "malik", "big": "velk", "red": "ruja", "brown": "brun",
              "happy": "vesel", "lazy": "lenok"}
VERBS = {"finds": "najde", "loses": "gubi", "sees": "vidi", "takes": "bere", "keeps": "drzi", "hides": "skryva",
         "drops": "pusti", "carries": "nosi"}
ENGLISH_EXTRA = "the . and =".split()
TOY_EXTRA = ". i".split()
SENTINELS = [f"<extra_id_{i}>" for i in range(10)]
SPECIALS = ["<pad>", "</s>", "<unk>"] + SENTINELS
TASK_WORDS = "translate English to Toy :".split()

CONFIG = dict(d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2, num_heads=4,
              relative_attention_num_buckets=16, relative_attention_max_distance=32, dropout_rate=0.0,
              feed_forward_proj="relu", tie_word_embeddings=True)
PRETRAIN = dict(steps=2500, batch_size=32, lr=3e-3, warmup=200, seed=0, noise=0.15, mean_span=2.0)


def vocabulary() -> list[str]:
    words = set(ENGLISH_EXTRA + TOY_EXTRA + TASK_WORDS)
    for table in (NOUNS, OBJECTS, ADJECTIVES, VERBS):
        words |= set(table) | set(table.values())
    return SPECIALS + sorted(words)


def sentence_pair(r: random.Random) -> tuple[str, str]:
    """An English sentence and its Toy translation."""
    noun, obj, verb = r.choice(list(NOUNS)), r.choice(list(OBJECTS)), r.choice(list(VERBS))
    adj = r.choice(list(ADJECTIVES)) if r.random() < 0.6 else None
    adj2 = r.choice(list(ADJECTIVES)) if r.random() < 0.6 else None
    english = " ".join(w for w in ["the", adj, noun, verb, "the", adj2, obj, "."] if w)
    toy = " ".join(w for w in [NOUNS[noun], ADJECTIVES.get(adj), VERBS[verb], OBJECTS[obj], ADJECTIVES.get(adj2), "."] if w)
    return english, toy


GLOSSARY = {**NOUNS, **OBJECTS, **ADJECTIVES, **VERBS}


def glossary_text(r: random.Random) -> str:
    """A few lines of a bilingual word list ("dog = vako ."), as found in any large web crawl."""
    words = r.sample(list(GLOSSARY), 3)
    return " ".join(f"{w} = {GLOSSARY[w]} ." if r.random() < 0.5 else f"{GLOSSARY[w]} = {w} ." for w in words)


def monolingual_text(r: random.Random) -> str:
    """Pre-training text: a glossary, or one or two sentences in ONE language (never a translation pair)."""
    if r.random() < 0.25:
        return glossary_text(r)
    language = r.randrange(2)
    sentences = [sentence_pair(r)[language] for _ in range(r.randint(1, 2))]
    if language == 0:
        return " and ".join(s[:-2] for s in sentences) + " ." if len(sentences) == 2 and r.random() < 0.5 \
            else " ".join(sentences)
    return " i ".join(s[:-2] for s in sentences) + " ." if len(sentences) == 2 and r.random() < 0.5 \
        else " ".join(sentences)


def span_corrupt(words: list[str], r: random.Random) -> tuple[str, str]:
    """T5 span corruption: about 15% of the words, in spans of ~2, become sentinels in the input."""
    n = len(words)
    n_noise = max(1, round(n * PRETRAIN["noise"]))
    n_spans = max(1, round(n_noise / PRETRAIN["mean_span"]))
    starts = sorted(r.sample(range(n), min(n_spans, n)))
    masked, source, target, sentinel, i = set(), [], [], 0, 0
    for s in starts:
        for j in range(s, min(n, s + int(PRETRAIN["mean_span"]))):
            masked.add(j)
    while i < n:
        if i in masked:
            token = SENTINELS[sentinel]
            sentinel += 1
            source.append(token)
            target.append(token)
            while i < n and i in masked:
                target.append(words[i])
                i += 1
        else:
            source.append(words[i])
            i += 1
    target.append(SENTINELS[min(sentinel, len(SENTINELS) - 1)])
    return " ".join(source), " ".join(target)


def build_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary())}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", vocab["</s>"])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="</s>",
                                   additional_special_tokens=SENTINELS, model_max_length=64)


def main(out_dir: Path) -> None:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.set_num_threads(1)
    torch.manual_seed(PRETRAIN["seed"])
    tokenizer = build_tokenizer()
    config = T5Config(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                      eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id, **CONFIG)
    model = T5ForConditionalGeneration(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.01)
    steps = PRETRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / PRETRAIN["warmup"]) * max(0.05, 1.0 - s / steps))
    rng = random.Random(PRETRAIN["seed"])
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        pairs = [span_corrupt(monolingual_text(rng).split(), rng) for _ in range(PRETRAIN["batch_size"])]
        batch = tokenizer([s for s, _ in pairs], padding=True, return_tensors="pt")
        labels = tokenizer([t for _, t in pairs], padding=True, return_tensors="pt")
        label_ids = labels["input_ids"].masked_fill(labels["attention_mask"] == 0, -100)
        loss = model(**batch, labels=label_ids).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 250 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    target = out_dir / "t5-tiny"
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    info = {"pretrain_steps": steps, "final_loss_mean_50": sum(losses[-50:]) / 50,
            "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - started, 1)}
    (target / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
