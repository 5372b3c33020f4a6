"""Common mistake (lab 30): class weights proportional to the class frequency instead of inversely."""
# overrides solution.py: only what differs from the reference solution is below


def class_weights(labels, num_classes):
    """Weights per class, float32 (num_classes,)."""
    counts = torch.bincount(labels, minlength=num_classes).to(torch.float32)
    return counts / labels.numel()          # frequent classes get the LARGE weights
