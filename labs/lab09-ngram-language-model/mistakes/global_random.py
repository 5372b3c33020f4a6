"""Common mistake: samples with the global random module, ignoring the rng argument."""
# overrides solution.py: only what differs from the reference solution is below


class NgramLM(NgramLM):
    """The reference NgramLM, with generate changed."""

    def generate(self, rng: random.Random, max_len: int = 30) -> list[str]:
        context = (BOS,) * (self.n - 1)
        out: list[str] = []
        while len(out) < max_len:
            dist = self.next_distribution(context)
            u, cumulative, word = random.random(), 0.0, EOS
            for w in self.vocab:  # inverse-CDF sampling over the sorted vocabulary
                if dist[w] > 0.0:
                    word = w  # (also guards against u landing past a sum of 0.9999999)
                cumulative += dist[w]
                if u < cumulative:
                    break
            out.append(word)
            if word == EOS:
                break
            context = (context + (word,))[1:] if self.n > 1 else ()
        return out
