"""Common mistake (lab 24): lm_head gets its own matrix instead of sharing the token embedding."""
# overrides solution.py: only what differs from the reference solution is below


class TinyGPT(TinyGPT):  # noqa: F811 - the reference model without the tying line
    def __init__(self, vocab_size: int, d_model: int, n_heads: int, n_layers: int, block_size: int,
                 dropout: float = 0.0):
        nn.Module.__init__(self)
        self.block_size = block_size
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(block_size, d_model)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(d_model, n_heads, dropout) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        self.apply(self._init_weights)
