"""Builds data/ for lab 12 deterministically: `python make_data.py` (numpy only).

The vectors are synthetic "pre-trained" embeddings with planted structure, so that the lab's results
are known in advance:
- semantic clusters (animals, fruits, countries, cities, ...): words of a cluster are similar;
- five relations (gender, capital-of, past tense, comparative, plural) are (noisy) constant offsets,
  so a:b :: c:d analogies work most of the time, as in real word2vec/GloVe vectors;
- every vector is scaled by a random "frequency" factor, because real embeddings have norms that
  vary with word frequency: only cosine-based methods are immune to it.
data/similarity.tsv holds "human" similarity scores made from the noise-free concepts plus rater
noise, so they correlate well, but not perfectly, with the vectors.
"""
from pathlib import Path

import numpy as np

DIM = 50
HERE = Path(__file__).resolve().parent

CLUSTERS = {
    "people": ["king", "queen", "man", "woman", "prince", "princess", "boy", "girl", "father", "mother", "son",
               "daughter", "brother", "sister", "uncle", "aunt", "husband", "wife", "actor", "actress", "waiter",
               "waitress", "nephew", "niece", "doctor", "teacher", "farmer", "child", "friend", "baby"],
    "countries": ["france", "germany", "italy", "spain", "japan", "china", "russia", "egypt", "greece", "canada",
                  "kenya", "peru", "brazil", "india"],
    "cities": ["paris", "berlin", "rome", "madrid", "tokyo", "beijing", "moscow", "cairo", "athens", "ottawa",
               "nairobi", "lima", "london", "village", "town"],
    "actions": ["walk", "walked", "jump", "jumped", "play", "played", "talk", "talked", "look", "looked", "open",
                "opened", "cook", "cooked", "paint", "painted", "climb", "climbed", "dance", "danced", "run", "swim",
                "sing", "read"],
    "adjectives": ["big", "bigger", "small", "smaller", "tall", "taller", "fast", "faster", "slow", "slower",
                   "strong", "stronger", "old", "older", "young", "younger", "cold", "colder", "warm", "warmer",
                   "happy", "sad", "angry", "calm"],
    "animals": ["cat", "cats", "dog", "dogs", "horse", "horses", "bird", "birds", "cow", "sheep", "goat", "lion",
                "tiger", "wolf", "fox", "mouse", "rabbit", "puppy", "kitten"],
    "fruits": ["apple", "apples", "banana", "orange", "pear", "grape", "cherry", "lemon", "peach", "mango"],
    "objects": ["car", "cars", "house", "houses", "tree", "trees", "river", "rivers", "book", "books", "bus", "train",
                "truck", "boat", "plane", "bicycle", "table", "chair", "door", "window"],
    "colors": ["red", "blue", "green", "yellow", "purple", "black", "white", "brown"],
}

RELATIONS = {
    "gender": [("king", "queen"), ("man", "woman"), ("prince", "princess"), ("boy", "girl"), ("father", "mother"),
               ("son", "daughter"), ("brother", "sister"), ("uncle", "aunt"), ("husband", "wife"),
               ("actor", "actress"), ("waiter", "waitress"), ("nephew", "niece")],
    "capital": [("france", "paris"), ("germany", "berlin"), ("italy", "rome"), ("spain", "madrid"),
                ("japan", "tokyo"), ("china", "beijing"), ("russia", "moscow"), ("egypt", "cairo"),
                ("greece", "athens"), ("canada", "ottawa"), ("kenya", "nairobi"), ("peru", "lima")],
    "past_tense": [("walk", "walked"), ("jump", "jumped"), ("play", "played"), ("talk", "talked"), ("look", "looked"),
                   ("open", "opened"), ("cook", "cooked"), ("paint", "painted"), ("climb", "climbed"),
                   ("dance", "danced")],
    "comparative": [("big", "bigger"), ("small", "smaller"), ("tall", "taller"), ("fast", "faster"),
                    ("slow", "slower"), ("strong", "stronger"), ("old", "older"), ("young", "younger"),
                    ("cold", "colder"), ("warm", "warmer")],
    "plural": [("cat", "cats"), ("dog", "dogs"), ("horse", "horses"), ("bird", "birds"), ("apple", "apples"),
               ("car", "cars"), ("house", "houses"), ("tree", "trees"), ("river", "rivers"), ("book", "books")],
}

SIMILARITY_PAIRS = [
    ("king", "queen"), ("man", "woman"), ("boy", "girl"), ("cat", "dog"), ("cat", "kitten"), ("dog", "puppy"),
    ("lion", "tiger"), ("wolf", "fox"), ("apple", "banana"), ("orange", "lemon"), ("car", "bus"), ("car", "truck"),
    ("boat", "plane"), ("red", "blue"), ("happy", "sad"), ("big", "small"), ("france", "germany"), ("paris", "berlin"),
    ("paris", "france"), ("tokyo", "japan"), ("walk", "run"), ("sing", "dance"), ("teacher", "doctor"),
    ("house", "window"), ("table", "chair"), ("king", "cat"), ("apple", "car"), ("river", "book"), ("red", "horse"),
    ("teacher", "banana"), ("tokyo", "cow"), ("walk", "purple"), ("mother", "father"), ("baby", "child"),
    ("cold", "warm"), ("tree", "river"), ("sheep", "goat"), ("grape", "cherry"), ("bicycle", "train"),
    ("unicorn", "horse"), ("dragon", "lion"), ("happy", "angry"), ("village", "town"), ("friend", "book"),
]


def build():
    rng = np.random.default_rng(2024)
    relation_offset = {name: rng.normal(0, 1.0, DIM) for name in RELATIONS}
    center = {name: rng.normal(0, 1.0, DIM) for name in CLUSTERS}
    partner = {}
    for name, pairs in RELATIONS.items():
        for a, b in pairs:
            partner[b] = (a, name)
    concept, vectors = {}, {}
    for cluster, words in CLUSTERS.items():
        for word in words:
            if word in partner:
                continue
            concept[word] = 0.9 * center[cluster] + rng.normal(0, 0.75, DIM)
    for word, (base, relation) in partner.items():
        concept[word] = concept[base] + relation_offset[relation]
    vocab = sorted(concept)
    for word in vocab:
        vectors[word] = concept[word] + rng.normal(0, 0.8, DIM)
    # Frequency-like norms: direction carries meaning, length does not.
    scale = {w: float(np.exp(rng.normal(0, 0.35))) for w in vocab}
    matrix = np.stack([vectors[w] * scale[w] for w in vocab]).astype(np.float32)

    questions = []
    for name, pairs in RELATIONS.items():
        questions.append(f": {name}")
        for i, (a, b) in enumerate(pairs):
            for j, (c, d) in enumerate(pairs):
                if i != j and (j - i) % len(pairs) in (1, 2, 5):
                    questions.append(f"{a} {b} {c} {d}")
    questions += [": oov", "king queen unicorn unicorns", "dragon dragons cat cats"]

    def unit(v):
        return v / np.linalg.norm(v)

    lines = []
    for a, b in SIMILARITY_PAIRS:
        if a in concept and b in concept:
            true = float(unit(concept[a]) @ unit(concept[b]))
        else:
            true = 0.5  # words our vectors do not know
        score = float(np.clip(5 + 6 * true + rng.normal(0, 0.8), 0, 10))
        lines.append(f"{a}\t{b}\t{score:.2f}")

    data = HERE / "data"
    data.mkdir(exist_ok=True)
    np.save(data / "vectors.npy", matrix, allow_pickle=False)
    (data / "vocab.txt").write_text("\n".join(vocab) + "\n")
    (data / "analogies.txt").write_text("\n".join(questions) + "\n")
    (data / "similarity.tsv").write_text("# word1\tword2\thuman score (0-10)\n" + "\n".join(lines) + "\n")
    print(f"{len(vocab)} words, {sum(not q.startswith(':') for q in questions)} analogy questions, "
          f"{len(lines)} similarity pairs")


if __name__ == "__main__":
    build()
