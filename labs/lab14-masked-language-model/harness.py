"""Lab 14 harness (runs inside the sandbox). Sentences come from a generator with known structure:
every sentence is about one topic and all its nouns, verbs and adjectives come from that topic, so a
masked content word can only be guessed well by reading the rest of the sentence. Seed 0 uses
data/train.txt and data/heldout.txt (topics = kitchen, space, sport, garden); hidden seeds shuffle
the words into new random topics. Accuracy is computed by the checks, outside the sandbox."""
import random

import torch

from labkit.harness import case

PAD, CLS, SEP, MASK = 0, 1, 2, 3
D_MODEL, HEADS, LAYERS, MAX_LEN = 48, 4, 2, 32
STEPS, BATCH, LR = 200, 48, 0.006

THEMES = {  # per kind: 4 themes (kitchen, space, sport, garden) of equal size, in order
    "nouns": ["chef", "soup", "bread", "knife", "oven", "astronaut", "rocket", "planet", "star", "moon", "player",
              "ball", "goal", "team", "coach", "gardener", "flower", "seed", "tree", "soil"],
    "verbs": ["cooks", "bakes", "cuts", "tastes", "launches", "orbits", "explores", "lands", "kicks", "throws",
              "scores", "trains", "plants", "waters", "grows", "picks"],
    "adjs": ["hot", "fresh", "salty", "bright", "distant", "cold", "fast", "strong", "tired", "green", "tall", "wet"],
}
FUNCTION = ["the", "a", "with", "near", "in", "."]
N_TOPICS = 4


def vocabulary() -> list[str]:
    return ["[PAD]", "[CLS]", "[SEP]", "[MASK]"] + sorted(FUNCTION) + sorted(w for ws in THEMES.values() for w in ws)


def generate(seed: int, n: int, shuffle: bool) -> list[list[str]]:
    rng = random.Random(seed)
    topics = [{kind: [] for kind in THEMES} for _ in range(N_TOPICS)]
    for kind, words in THEMES.items():
        words = list(words)
        size = len(words) // N_TOPICS
        if shuffle:
            rng.shuffle(words)
        for k in range(N_TOPICS):
            topics[k][kind] = words[k * size:(k + 1) * size]
    sentences = []
    for _ in range(n):
        topic = topics[rng.randrange(N_TOPICS)]

        def noun_phrase() -> list[str]:
            words = [rng.choice(["the", "a"])]
            if rng.random() < 0.4:
                words.append(rng.choice(topic["adjs"]))
            return words + [rng.choice(topic["nouns"])]

        words = noun_phrase() + [rng.choice(topic["verbs"])] + noun_phrase()
        if rng.random() < 0.5:
            words += [rng.choice(["with", "near", "in"])] + noun_phrase()
        sentences.append(words + ["."])
    return sentences


def corpus(ctx) -> tuple[list[str], list[list[int]], list[list[int]]]:
    """(vocab, train, heldout); sequences are [CLS] word ids [SEP]."""
    vocab = vocabulary()
    if ctx.visible:
        read = lambda name: [l.split() for l in (ctx.data_dir / name).read_text().splitlines() if l.strip()]  # noqa: E731
        train, heldout = read("train.txt"), read("heldout.txt")
    else:
        sentences = generate(ctx.seed, 2400, shuffle=True)
        train, heldout = sentences[:2000], sentences[2000:]
    index = {w: i for i, w in enumerate(vocab)}
    encode = lambda s: [CLS] + [index[w] for w in s] + [SEP]  # noqa: E731
    return vocab, [encode(s) for s in train], [encode(s) for s in heldout]


def pad(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in sequences], batch_first=True, padding_value=PAD)
    return ids, ids != PAD


def logits_of(model, ids, attention, vocab_size: int) -> torch.Tensor:
    out = model(ids, attention)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (*ids.shape, vocab_size):
        raise ValueError(f"TinyEncoder.forward(ids, attention_mask) must return logits of shape "
                         f"{(*ids.shape, vocab_size)} (batch, seq_len, vocab_size), got "
                         f"{tuple(getattr(out, 'shape', ())) or type(out).__name__}")
    return out


# ------------------------------------------------------------------ cases

@case
def masking(student, ctx):
    vocab, train, _ = corpus(ctx)
    ids, _ = pad(train[:512])
    ctx.show(masking_call=f"mask_tokens(ids, vocab_size={len(vocab)}, generator=torch.Generator().manual_seed("
                          f"{ctx.seed})) on {tuple(ids.shape)} padded [CLS] ... [SEP] sequences")
    results = []
    for seed in (ctx.seed, ctx.seed, ctx.seed + 1):
        out = student.mask_tokens(ids.clone(), len(vocab), torch.Generator().manual_seed(seed))
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("mask_tokens must return a tuple (masked_ids, labels)")
        for name, tensor in zip(("masked_ids", "labels"), out):
            if not isinstance(tensor, torch.Tensor) or tensor.dtype != torch.long or tensor.shape != ids.shape:
                raise TypeError(f"mask_tokens must return {name} as a torch.long tensor of shape {tuple(ids.shape)}, "
                                f"got {type(tensor).__name__} {getattr(tensor, 'dtype', '')} "
                                f"{tuple(getattr(tensor, 'shape', ()))}")
        results.append(out)
    (masked, labels), (masked2, labels2), (masked3, _) = results
    return {"ids": ids.numpy(), "masked": masked.numpy(), "labels": labels.numpy(), "vocab_size": len(vocab),
            "same_seed_equal": bool(torch.equal(masked, masked2) and torch.equal(labels, labels2)),
            "other_seed_equal": bool(torch.equal(masked, masked3))}


@case
def loss(student, ctx):
    g = torch.Generator().manual_seed(ctx.seed)
    b, t, v = (2, 5, 7) if ctx.visible else (4, 9, 13)
    logits = torch.randn(b, t, v, generator=g)
    labels = torch.randint(0, v, (b, t), generator=g)
    labels[torch.rand(b, t, generator=g) < 0.7] = -100
    labels[0, 0] = 3  # at least one position is scored
    ctx.show(loss_logits_shape=list(logits.shape), loss_labels=labels.tolist())
    value = student.mlm_loss(logits.clone().requires_grad_(), labels.clone())
    if not isinstance(value, torch.Tensor) or value.dim() != 0:
        raise TypeError("mlm_loss must return a 0-dim torch tensor")
    return float(value.detach())


@case
def model(student, ctx):
    vocab_size = 20
    net = student.TinyEncoder(vocab_size, 32, 4, 2, MAX_LEN)
    net.eval()
    g = torch.Generator().manual_seed(ctx.seed)
    short = [CLS] + torch.randint(4, vocab_size, (6,), generator=g).tolist() + [SEP]
    long = [CLS] + torch.randint(4, vocab_size, (10,), generator=g).tolist() + [SEP]
    ctx.show(model_call=f"TinyEncoder({vocab_size}, d_model=32, n_heads=4, n_layers=2, max_len={MAX_LEN}) on a "
                        "batch of an 8-token and a 12-token sequence (the first padded)")
    with torch.no_grad():
        ids, attention = pad([short, long])
        both = logits_of(net, ids, attention, vocab_size)
        alone = logits_of(net, *pad([short]), vocab_size)
        changed = ids.clone()
        changed[1, 8] = 4 + (changed[1, 8] - 3) % (vocab_size - 4)
        after = logits_of(net, changed, attention, vocab_size)
    return {"shape": list(both.shape), "finite": bool(torch.isfinite(both[attention]).all()),
            "padding_diff": float((both[0, :len(short)] - alone[0]).abs().max()),
            "bidirectional_diff": float((after[1, :8] - both[1, :8]).abs().max())}


@case
def mlm(student, ctx):
    vocab, train, heldout = corpus(ctx)
    ctx.show(training=f"TinyEncoder({len(vocab)}, d_model={D_MODEL}, n_heads={HEADS}, n_layers={LAYERS}, "
                      f"max_len={MAX_LEN}); train_mlm(model, train, {len(vocab)}, steps={STEPS}, batch_size={BATCH}, "
                      f"lr={LR}, generator) on {len(train)} sentences; then every content word of {len(heldout)} "
                      "held-out sentences is masked in turn and predicted")
    net = student.TinyEncoder(len(vocab), D_MODEL, HEADS, LAYERS, MAX_LEN)
    losses = student.train_mlm(net, [list(s) for s in train], len(vocab), STEPS, BATCH, LR,
                               torch.Generator().manual_seed(ctx.seed))
    if not isinstance(losses, (list, tuple)) or len(losses) != STEPS:
        raise TypeError(f"train_mlm must return the list of the {STEPS} training losses")
    # Held-out: one row per content word, that word replaced by [MASK].
    function_ids = {vocab.index(w) for w in FUNCTION}
    rows, positions, labels = [], [], []
    for seq in heldout:
        for p in range(1, len(seq) - 1):
            if seq[p] not in function_ids:
                masked = list(seq)
                masked[p] = MASK
                rows.append(masked)
                positions.append(p)
                labels.append(seq[p])
    net.eval()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(rows), 256):
            ids, attention = pad(rows[start:start + 256])
            logits = logits_of(net, ids, attention, len(vocab))
            where = torch.tensor(positions[start:start + 256])
            predictions += logits[torch.arange(len(where)), where].argmax(-1).tolist()
    return {"losses": [float(x) for x in losses], "predictions": predictions, "labels": labels}
