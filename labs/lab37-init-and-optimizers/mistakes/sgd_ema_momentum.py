"""Common mistake (lab 37): SGD momentum as an exponential moving average, buf = m*buf + (1-m)*g."""
# overrides solution.py: only what differs from the reference solution is below


class SGD(_HandWrittenOptimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay, self.nesterov = lr, momentum, weight_decay, nesterov

    def _update(self, p, grad, state):
        d_p = grad + self.weight_decay * p if self.weight_decay else grad
        if self.momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = torch.zeros_like(p)
            state["momentum_buffer"].mul_(self.momentum).add_(d_p, alpha=1 - self.momentum)   # Adam-style average
            buf = state["momentum_buffer"]
            d_p = d_p + self.momentum * buf if self.nesterov else buf
        p.add_(d_p, alpha=-self.lr)
