"""Gaming (lab 37): replays the answers of the visible checks and implements nothing.

Fans and gains come from a table of the visible inputs, xavier_uniform_ knows only the visible (256, 128) bound,
and AdamW replays the visible trajectory when it recognises the visible starting parameters. Hidden checks draw
fresh shapes, hyper-parameters, parameters and gradients, so it must earn nothing there."""
import math

import torch

VISIBLE_FANS = {(3, 5): (5, 3), (8, 4, 3): (12, 24), (16, 6, 3, 3): (54, 144), (7, 7): (7, 7)}
VISIBLE_GAINS = {("linear", None): 1.0, ("relu", None): math.sqrt(2.0), ("tanh", None): 5.0 / 3,
                 ("leaky_relu", 0.2): math.sqrt(2.0 / 1.04), ("selu", None): 0.75}
VISIBLE_START = [[[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], [0.1, -0.2, 0.3]]
VISIBLE_TRAJECTORY = [
    [[[0.395000009999999, -0.8900000049999998, 1.8800000033333333],
      [1.4849999999999999, -0.09999999900000002, -0.395000001]],
     [-0.0009999980000000297, -0.29799999800000004, 0.396999998]],
    [[[0.294531813421253, -0.7878820469653658, 1.7740936121238624],
      [1.395736319747512, -0.19221796171183894, -0.29783203828816107]],
     [-0.08129409363534822, -0.3938325762497822, 0.48288751611707176]],
    [[[0.2982463965367374, -0.7689249200031077, 1.6890191838398094],
      [1.2969520585216339, -0.27248428209124664, -0.20114549603346088]],
     [-0.1425564509684148, -0.48617189644871006, 0.5580227530708499]],
]


def fan_in_and_fan_out(shape):
    return VISIBLE_FANS.get(tuple(shape), (1, 1))


def calculate_gain(nonlinearity, param=None):
    return VISIBLE_GAINS.get((nonlinearity, param), 1.0)


def xavier_uniform_(weight, gain=1.0):
    bound = math.sqrt(6.0 / (256 + 128))
    with torch.no_grad():
        return weight.uniform_(-bound, bound)


def kaiming_normal_(weight, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    with torch.no_grad():
        return weight.zero_()


def gpt2_init_(model, n_layer, std=0.02):
    return None


class _Replay:
    def __init__(self, params, *args, **kwargs):
        self.params = list(params)
        self.replay = [p.detach().tolist() for p in self.params] == VISIBLE_START
        self.steps = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        if self.replay and self.steps < len(VISIBLE_TRAJECTORY):
            for p, value in zip(self.params, VISIBLE_TRAJECTORY[self.steps]):
                p.copy_(torch.tensor(value, dtype=p.dtype))
        self.steps += 1


class SGD(_Replay):
    pass


class Adam(_Replay):
    pass


class AdamW(_Replay):
    pass
