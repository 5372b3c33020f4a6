"""Builds Lab 21's tiny "pre-trained" T5 (trusted; run OUTSIDE the sandbox, once per version of this
file): `python build_artifacts.py OUT_DIR`.

1. Generates monolingual text in two languages from small grammars: English, and "Toy", a made-up
   language with its own words and word order (no parallel sentences: like mT5, the model sees each
   language on its own).
2. Builds a word-level tokenizer covering both languages, with T5's <pad> (also the decoder start
   token), </s>, <unk> and sentinel tokens <extra_id_0> ... <extra_id_9>; every encoded text ends with </s>.
3. Pre-trains a T5 (2 encoder + 2 decoder layers, d_model 64) with T5's span-corruption objective:
   random spans of the input are replaced by sentinels and the decoder writes the missing spans
   (labkit.tinymodels, 2500 steps, fixed seeds).
4. Saves T5ForConditionalGeneration + tokenizer with save_pretrained into OUT_DIR/t5-tiny (safetensors).

make_data.py imports the grammars and the dictionary from here.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

try:
    from labkit import tinymodels
except ImportError:  # labkit is not installed: this source checkout keeps it beside labs/
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from labkit import tinymodels

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
SENTINELS = tinymodels.T5_SENTINELS
SPECIALS = ["<pad>", "</s>", "<unk>"] + SENTINELS
TASK_WORDS = "translate English to Toy :".split()

PRETRAIN = dict(steps=2500, batch_size=32, lr=3e-3, warmup=200, seed=0, noise=0.15, mean_span=2)


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


def main(out_dir: Path) -> None:
    tokenizer = tinymodels.word_tokenizer(vocabulary(), max_length=64, template=tinymodels.T5_TEMPLATE,
                                          unk_token="<unk>", pad_token="<pad>", eos_token="</s>",
                                          additional_special_tokens=SENTINELS)
    tinymodels.build_model_dir(out_dir / "t5-tiny", "t5", tokenizer, monolingual_text, **PRETRAIN)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
