"""Common mistake (lab 45): calibration keeps only the last batch's min/max."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def calibrate(model: nn.Module, batches) -> dict:
    ranges, hooks = {}, []

    def observer(name):
        def hook(module, inputs, output):
            ranges[name] = (float(inputs[0].min()), float(inputs[0].max()))
        return hook

    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            hooks.append(module.register_forward_hook(observer(name)))
    model.eval()
    for batch in batches:
        model(batch)
    for h in hooks:
        h.remove()
    return ranges
