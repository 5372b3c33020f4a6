"""Lab 21 harness (inside the sandbox): the student's preprocessing, generation, metrics and
fine-tuning code on the tiny pre-trained T5 from build_artifacts.py. Held-out targets are not here."""

import torch

from labkit.data import case_rng
from labkit.harness import case
from labkit.tinymodels import load_model_dir, loaded, model_dir, student_training, tensor_lists

FINETUNE = dict(steps=300, lr=3e-3, batch_size=16)
VISIBLE_PAIRS = [("the dog finds the ball .", "vako najde bolo ."),
                 ("the old cat hides the red key .", "mirel starn skryva kluz ruja .")]


def _fresh(ctx):
    return load_model_dir(ctx, "t5-tiny", "AutoModelForSeq2SeqLM")


def _pairs(ctx):
    return [tuple(line.split("\t")) for line in (ctx.data_dir / "train.tsv").read_text().splitlines()]


@case
def load(student, ctx):
    model, _, summary = loaded(student.load_model(model_dir(ctx, "t5-tiny")), "load_model")
    return {**summary, "decoder_start_token_id": model.config.decoder_start_token_id}


@case
def preprocess(student, ctx):
    _, tokenizer = _fresh(ctx)
    if ctx.visible:
        pairs = VISIBLE_PAIRS
        ctx.show(preprocess_sources=[s for s, _ in pairs], preprocess_targets=[t for _, t in pairs])
    else:
        pairs = case_rng(ctx, "preprocess").sample(_pairs(ctx), case_rng(ctx, "n").randint(3, 5))
    out = student.preprocess(tokenizer, [s for s, _ in pairs], [t for _, t in pairs])
    result = tensor_lists(out, "preprocess")
    return {**result, "extra_keys": sorted(k for k in out if k not in result)}


@case
def translate_base(student, ctx):
    model, tokenizer = _fresh(ctx)
    if ctx.visible:
        sentences = [s for s, _ in VISIBLE_PAIRS]
        ctx.show(translate_sentences=sentences, max_new_tokens=10)
    else:
        sentences = [s for s, _ in case_rng(ctx, "translate").sample(_pairs(ctx), 3)]
    out = student.translate(model, tokenizer, list(sentences), max_new_tokens=10)
    if not isinstance(out, list) or not all(isinstance(t, str) for t in out):
        raise TypeError("translate must return a list of str")
    return out


def _perturb(rng, words):
    words = list(words)
    kind = rng.randrange(4)
    if kind == 0 and len(words) > 1:
        words[rng.randrange(len(words))] = "xx"
    elif kind == 1:
        words = words[:-rng.randint(1, 2)] if len(words) > 2 else words
    elif kind == 2:
        words = words + ["extra"]
    return " ".join(words)


@case
def metrics(student, ctx):
    if ctx.visible:
        predictions = ["vako najde bolo .", "mirel skryva kluz .", "sowa vidi kasta ruja . ."]
        references = ["vako najde bolo .", "mirel starn skryva kluz ruja .", "sowa vidi kasta ruja ."]
        ctx.show(metric_predictions=predictions, metric_references=references)
    else:
        rng = case_rng(ctx, "metrics")
        references = [t for _, t in rng.sample(_pairs(ctx), 8)]
        predictions = [_perturb(rng, r.split()) for r in references]
    em = student.exact_match(list(predictions), list(references))
    acc = student.token_accuracy(list(predictions), list(references))
    for name, value in (("exact_match", em), ("token_accuracy", acc)):
        if isinstance(value, torch.Tensor):
            value = value.item()
        if not isinstance(value, (int, float)):
            raise TypeError(f"{name} must return a float, got {type(value).__name__}")
    return {"exact_match": float(em), "token_accuracy": float(acc)}


@torch.no_grad()
def _grader_translations(model, tokenizer, sentences, prefix):
    out = []
    for start in range(0, len(sentences), 50):
        batch = tokenizer([prefix + s for s in sentences[start:start + 50]], padding=True, return_tensors="pt")
        generated = model.generate(**batch, max_new_tokens=16, do_sample=False, num_beams=1)
        out += [t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True)]
    return out


@case
def finetune(student, ctx):
    model, tokenizer = _fresh(ctx)
    seed = ctx.seed % 2**31
    losses = student_training(student.train, model, tokenizer, _pairs(ctx), config=FINETUNE, seed=seed, what="train")
    sources = (ctx.data_dir / "test_sources.txt").read_text().splitlines()
    translations = _grader_translations(model, tokenizer, sources, "translate English to Toy : ")
    if ctx.visible:
        print(f"fine-tuning (seed {seed}): loss {float(losses[0]):.3f} -> {sum(map(float, losses[-20:])) / 20:.3f}; "
              f"{sources[0]!r} -> {translations[0]!r}")
    return {"losses": losses, "translations": translations}
