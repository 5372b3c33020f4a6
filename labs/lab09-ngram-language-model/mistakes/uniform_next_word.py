"""Common mistake: picks uniformly among the possible next words, ignoring their probabilities."""
# overrides solution.py: only what differs from the reference solution is below


class NgramLM(NgramLM):
    """The reference NgramLM, with generate changed."""

    def generate(self, rng: random.Random, max_len: int = 30) -> list[str]:
        context = (BOS,) * (self.n - 1)
        out: list[str] = []
        while len(out) < max_len:
            dist = self.next_distribution(context)
            word = rng.choice([w for w in self.vocab if dist[w] > 0.0])
            out.append(word)
            if word == EOS:
                break
            context = (context + (word,))[1:] if self.n > 1 else ()
        return out
