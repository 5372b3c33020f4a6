"""Common mistake (lab 37): GPT-2 init with std 0.02 everywhere, no 1/sqrt(2*n_layer) on the residual projections."""
# overrides solution.py: only what differs from the reference solution is below


def gpt2_init_(model, n_layer, std=0.02):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                module.weight.normal_(0.0, std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                module.bias.zero_()
            if isinstance(module, nn.LayerNorm):
                module.weight.fill_(1.0)
                module.bias.zero_()
