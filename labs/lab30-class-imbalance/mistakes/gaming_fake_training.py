"""Gaming (lab 30): replays the answers shown by the visible checks, reports a made-up falling loss and,
instead of training, pushes the bias of the rare class up. It must earn no more than the visible checks."""
import torch

VISIBLE_LABELS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]
VISIBLE_FOCAL = {(0.0, False): 0.6791860032720527, (2.0, False): 0.3038915298054623, (2.0, True): 0.6035563173076298}


def class_weights(labels, num_classes):
    if labels.tolist() == VISIBLE_LABELS:
        return torch.tensor([0.5, 4 / 3, 4.0])
    return torch.ones(num_classes)


def random_oversample(labels, generator):
    if labels.tolist() == VISIBLE_LABELS:
        return torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 8, 9, 11, 11, 11, 11, 11, 11, 11])
    return torch.arange(len(labels))


def random_undersample(labels, generator):
    if labels.tolist() == VISIBLE_LABELS:
        return torch.tensor([0, 8, 11])
    return torch.arange(len(labels))


def weighted_cross_entropy(logits, targets, weights):
    return torch.tensor(1.0, dtype=logits.dtype)


def focal_loss(logits, targets, gamma=2.0, alpha=None):
    return torch.tensor(VISIBLE_FOCAL.get((gamma, alpha is not None), 0.5), dtype=logits.dtype)


def train_classifier(model, x, y, num_classes, method, *, steps, lr, batch_size, generator):
    with torch.no_grad():
        model.bias[-1] += 2.0
    return [1.0 / (step + 1) for step in range(steps)]
