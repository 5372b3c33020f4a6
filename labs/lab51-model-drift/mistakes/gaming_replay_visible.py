"""Gaming (lab 51): replays the visible answers, returns made-up numbers elsewhere and never reports drift.
It must earn no more than the visible checks."""
import numpy as np

VISIBLE_DIVERGENCES = {(0.5, 0.3, 0.2): ([0.49995001499550135, 0.3000099970008997, 0.20003998800359893], 0.5494296731991424, 0.27471483659957113), (0.25, 0.25, 0.25, 0.25): ([0.25, 0.25, 0.25, 0.25], 2.1073768152019032, 0.33043127239883496)}
VISIBLE_SCORES = [{'length_psi': 3.743719149214834, 'length_kl': 2.3129710260911516, 'token_psi': 0.6435558313025616, 'token_kl': 0.44729140912368465}, {'length_psi': 0.05968634486565222, 'length_kl': 0.02926280866004003, 'token_psi': 0.05581911856756855, 'token_kl': 0.027385019094306264}, {'length_psi': 0.030323035676332526, 'length_kl': 0.01307206530963785, 'token_psi': 0.02314903607784952, 'token_kl': 0.011656729634629118}, {'length_psi': 0.04757100806120294, 'length_kl': 0.02233049951441098, 'token_psi': 0.679147516910988, 'token_kl': 0.4717370363481785}]
VISIBLE_FIRED = [False, False, False, False, False, True, False, False, True, False]


def smooth(p, eps):
    key = tuple(float(x) for x in p)
    return np.array(VISIBLE_DIVERGENCES[key][0]) if key in VISIBLE_DIVERGENCES else np.asarray(p, dtype=float)


def psi(expected, actual, eps=1e-4):
    key = tuple(float(x) for x in expected)
    return VISIBLE_DIVERGENCES[key][1] if key in VISIBLE_DIVERGENCES else 0.05


def kl_divergence(p, q, eps=1e-4):
    key = tuple(float(x) for x in q)
    return VISIBLE_DIVERGENCES[key][2] if key in VISIBLE_DIVERGENCES else 0.02


def bin_proportions(values, edges):
    return np.full(len(edges) + 1, 1.0 / (len(edges) + 1))


def token_distribution(texts, vocab):
    return np.full(len(vocab) + 1, 1.0 / (len(vocab) + 1))


class DriftDetector:
    def __init__(self, reference_texts, vocab, length_edges, psi_threshold=0.2, kl_threshold=0.1, eps=1e-4):
        self.calls = 0

    def scores(self, texts):
        self.calls += 1
        return VISIBLE_SCORES[(self.calls - 1) % len(VISIBLE_SCORES)]

    def is_drifted(self, texts):
        return False


class RetrainingTrigger:
    def __init__(self, k):
        self.calls = 0

    def update(self, drifted):
        self.calls += 1
        return self.calls - 1 < len(VISIBLE_FIRED) and VISIBLE_FIRED[self.calls - 1]
