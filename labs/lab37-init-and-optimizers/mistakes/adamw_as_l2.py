"""Common mistake (lab 37): AdamW written as Adam with L2 regularisation (decay added to the gradient)."""
# overrides solution.py: only what differs from the reference solution is below


class AdamW(Adam):
    decoupled = False          # wd * p goes into the gradient, then through m / sqrt(v): not decoupled

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
