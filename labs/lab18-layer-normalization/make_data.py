"""Regenerates data/ and private/ for Lab 18 (run once by the lab author; the output is committed).

A 4-class problem in 8 dimensions: the class is the quartile of sin(2 a.x) + b.x for fixed unit
vectors a, b, so classes are balanced and the boundary is smooth but not linear."""
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main():
    g = np.random.default_rng(20240518)
    d_in = 8
    a = g.normal(size=d_in)
    a /= np.linalg.norm(a)
    b = g.normal(size=d_in)
    b /= np.linalg.norm(b)

    def score(x):
        return np.sin(2 * (x @ a)) + x @ b

    cuts = np.quantile(score(g.normal(size=(50_000, d_in))), [0.25, 0.5, 0.75])

    def sample(n):
        x = g.normal(size=(n, d_in))
        return x.astype(np.float32), np.searchsorted(cuts, score(x)).astype(np.int64)

    x_train, y_train = sample(1000)
    x_test, y_test = sample(500)
    (HERE / "data").mkdir(exist_ok=True)
    (HERE / "private").mkdir(exist_ok=True)
    np.savez(HERE / "data" / "train.npz", x=x_train, y=y_train)
    np.save(HERE / "data" / "test_inputs.npy", x_test)
    np.save(HERE / "private" / "test_labels.npy", y_test)
    print("train class counts", np.bincount(y_train), "test", np.bincount(y_test))


if __name__ == "__main__":
    main()
