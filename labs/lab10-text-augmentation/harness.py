"""Lab 10 harness (runs inside the sandbox): calls the student's EDA operations on the visible
sentences (seed 0) or on generated sentences (hidden seeds), each call with a fresh random.Random."""
import functools
import random

from labkit.data import case_rng, read_lines, read_tsv
from labkit.harness import case
from labkit.returns import str_list

NEGATIONS = ["not", "never", "no"]
FUNCTION_WORDS = ["the", "a", "was", "is", "and", "but", "it", "this", "i", "to", "of", "with", "were", "so"]


def load_lexicon(ctx) -> dict[str, list[str]]:
    return {word: synonyms.split(",") for word, synonyms in read_tsv(ctx, "synonyms.tsv", columns=2)}


def sentences(ctx, salt: int, count: int) -> list[tuple[list[str], list[str]]]:
    """(tokens, protected) pairs. Protected: the negations plus, in hidden sentences, one or two
    lexicon words of the sentence (think of an aspect term that must survive augmentation)."""
    if ctx.visible:
        return [(line.split(), list(NEGATIONS)) for line in read_lines(ctx, "sentences.txt")]
    rng = case_rng(ctx, f"sentences {salt}")
    words = sorted(load_lexicon(ctx))
    out = []
    for _ in range(count):
        tokens = [rng.choice(words) if rng.random() < 0.45 else rng.choice(FUNCTION_WORDS)
                  for _ in range(rng.randint(5, 14))]
        if rng.random() < 0.5:
            tokens.insert(rng.randrange(len(tokens)), rng.choice(NEGATIONS))
        content = [t for t in tokens if t in words]
        if content and rng.random() < 0.6:  # a repeated content word
            tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(content))
        protected = list(NEGATIONS)
        if content and rng.random() < 0.7:
            protected += rng.sample(sorted(set(content)), min(len(set(content)), rng.randint(1, 2)))
        out.append((tokens, protected))
    return out


def token_list(value, what: str) -> list[str]:
    return str_list(value, what, allow_tuple=True)


def call(student, op: str, tokens, amount, lexicon, seed: int, protected):
    rng = random.Random(seed)
    protected = frozenset(protected)
    if op == "synonym_replacement":
        result = student.synonym_replacement(list(tokens), amount, lexicon, rng, protected)
    elif op == "random_insertion":
        result = student.random_insertion(list(tokens), amount, lexicon, rng, protected)
    elif op == "random_swap":
        result = student.random_swap(list(tokens), amount, rng, protected)
    elif op == "random_deletion":
        result = student.random_deletion(list(tokens), amount, rng, protected)
    else:
        result = student.eda(list(tokens), lexicon, rng, amount, 4, protected)
        if not isinstance(result, list) or len(result) != 4:
            raise TypeError(f"eda(..., n_aug=4) must return a list of 4 augmented token lists, got {result!r:.100}")
        return [token_list(r, "eda (each augmented sentence)") for r in result]
    return token_list(result, op)


def run_op(student, ctx, op: str, salt: int, amounts) -> dict:
    lexicon = load_lexicon(ctx)
    rng = case_rng(ctx, op)
    items = sentences(ctx, salt, 60)
    inputs = [{"tokens": t, "protected": p, "amount": rng.choice(amounts), "seed": rng.randrange(10**6)}
              for t, p in items]
    ctx.show(**{f"{op}_calls": [f"{op}({' '.join(i['tokens'])!r}.split(), {i['amount']}, "
                                f"rng=random.Random({i['seed']}), protected={set(i['protected'])})"
                                for i in inputs[:3]] + [f"... {len(inputs)} calls in all"]})

    def calls(items, seed_shift=0):
        return [call(student, op, i["tokens"], i["amount"], {k: list(v) for k, v in lexicon.items()},
                     i["seed"] + seed_shift, i["protected"]) for i in items]

    # outputs, the same calls again (same seeds: same results) and calls with other seeds (other results)
    outputs, repeat, other = calls(inputs), calls(inputs[:8]), calls(inputs[:20], seed_shift=1)
    return {"op": op, "inputs": inputs, "outputs": outputs, "repeat": repeat, "other": other}


# case: (the student's operation, salt of its sentences, amounts drawn for its calls: n or p or alpha)
OPERATION_CASES = {"replacement": ("synonym_replacement", 1, [1, 2, 3]),
                   "insertion": ("random_insertion", 2, [1, 2, 3]),
                   "swap": ("random_swap", 3, [1, 2, 3]),
                   "deletion": ("random_deletion", 4, [0.1, 0.2, 0.3]),
                   "eda": ("eda", 5, [0.1, 0.2])}
for _name, (_op, _salt, _amounts) in OPERATION_CASES.items():
    case(functools.partial(run_op, op=_op, salt=_salt, amounts=_amounts), name=_name)


@case
def exact(student, ctx):
    """Fixed calls whose result is fully determined by the algorithm in README.md."""
    lexicon = load_lexicon(ctx)
    items = sentences(ctx, 6, 6)
    rng = case_rng(ctx, "exact")
    plan = [("synonym_replacement", 2), ("random_insertion", 2), ("random_swap", 2), ("random_deletion", 0.3),
            ("eda", 0.2)]
    out = []
    for index, (op, amount) in enumerate(plan):
        tokens, protected = items[index % len(items)]
        seed = rng.randrange(1000)
        rng_text, prot_text = f"random.Random({seed})", f"frozenset({sorted(protected)})"
        if op in ("synonym_replacement", "random_insertion"):
            text = f"{op}({tokens}, {amount}, lexicon, {rng_text}, {prot_text})"
        elif op == "eda":
            text = f"eda({tokens}, lexicon, {rng_text}, alpha={amount}, n_aug=4, protected={prot_text})"
        else:
            text = f"{op}({tokens}, {amount}, {rng_text}, {prot_text})"
        lexicon_copy = {k: list(v) for k, v in lexicon.items()}
        out.append({"call": text, "output": call(student, op, tokens, amount, lexicon_copy, seed, protected)})
    ctx.show(exact_calls=[o["call"] for o in out])
    return out
