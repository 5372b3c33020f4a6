"""Common mistake (lab 34): add_lora freezes only the wrapped layers (LoRALinear freezes its base), so
embeddings, LayerNorms and the unwrapped linear layers keep training: the "LoRA" run is almost a full
fine-tune, with almost full fine-tuning's optimizer state."""
# overrides solution.py: only what differs from the reference solution is below


def add_lora(model, targets, r, alpha):
    names = [name for name, module in model.named_modules()
             if isinstance(module, nn.Linear) and name.split(".")[-1] in targets]
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), r, alpha))
    return model
