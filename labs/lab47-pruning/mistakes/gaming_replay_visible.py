"""Gaming (lab 47): replays the visible masks (pasted in from a run on the visible inputs) and returns
all-keep masks without pruning anything or training. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_MASKS = {"layer1": [[True, True, False], [True, False, True]],
                 "layer2": [[False, True], [False, False], [True, False]]}
VISIBLE_NEURONS = [False, True, False, True, True, True]


def magnitude_masks(weights, sparsity, scope="global"):
    if set(weights) == set(VISIBLE_MASKS):
        return {k: torch.tensor(v) for k, v in VISIBLE_MASKS.items()}
    return {k: torch.ones_like(w, dtype=torch.bool) for k, w in weights.items()}


def neuron_mask(w_in, w_out, n_prune):
    if w_in.shape[0] == len(VISIBLE_NEURONS):
        return torch.tensor(VISIBLE_NEURONS)
    keep = torch.ones(w_in.shape[0], dtype=torch.bool)
    keep[:n_prune] = False
    return keep


def train_pruned(model, masks, optimizer, x, y, *, steps, batch_size, generator):
    return [1.0 - 0.5 * step / steps for step in range(steps)]


def movement_prune(model, optimizer, x, y, *, names, steps, batch_size, sparsity, generator):
    params = dict(model.named_parameters())
    return {name: torch.ones_like(params[name], dtype=torch.bool) for name in names}
