"""Common mistake (lab 37): Adam and AdamW without bias correction, so the first steps are far too small."""
# overrides solution.py: only what differs from the reference solution is below


class Adam(_HandWrittenOptimizer):
    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay

    def _update(self, p, grad, state):
        beta1, beta2 = self.betas
        if self.decoupled:
            p.mul_(1 - self.lr * self.weight_decay)
        elif self.weight_decay:
            grad = grad + self.weight_decay * p
        if "exp_avg" not in state:
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.mul_(beta1).add_(grad, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        p.add_(-self.lr * m / (v.sqrt() + self.eps))         # m and v used as they are: biased towards 0


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
