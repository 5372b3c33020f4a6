"""Common mistake (lab 43): synchronizer returns torch.cuda.synchronize whatever the device, which raises
on a machine without CUDA."""
# overrides solution.py: only what differs from the reference solution is below


def synchronizer(device):
    return lambda: torch.cuda.synchronize()
