"""Common mistake (lab 33): apply_lora freezes only the layers it wraps; the embeddings, LayerNorms and
untouched linear layers stay trainable and get updated during fine-tuning."""
# overrides solution.py: only what differs from the reference solution is below


def apply_lora(model, target_modules, r, alpha, dropout=0.0):
    targets = [(name, module) for name, module in model.named_modules()
               if isinstance(module, nn.Linear) and name.split(".")[-1] in target_modules]  # noqa: F821
    for name, module in targets:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(module, r, alpha, dropout))  # noqa: F821
    return model
