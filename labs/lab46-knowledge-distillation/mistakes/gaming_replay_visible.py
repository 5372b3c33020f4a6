"""Gaming (lab 46): replays the visible answers (the visible soft targets and loss, computed once offline
and pasted in) and returns a made-up, nicely falling loss curve without training. It must earn no more
than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_PROBS = [[0.3719174861907959, 0.2255793660879135, 0.14383575320243835, 0.0829860121011734, 0.17568138241767883],
                 [0.11767073720693588, 0.11767073720693588, 0.527363657951355, 0.19400624930858612, 0.04328864440321922]]


def soft_targets(logits, temperature):
    return torch.tensor(VISIBLE_PROBS, dtype=logits.dtype)


VISIBLE_LOSS = 1.8788940906524658


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha, ignore_index=-100):
    # the visible value, with a gradient path so that backward() runs
    return student_logits.sum() * 0 + VISIBLE_LOSS


def distill(student, teacher, optimizer, contexts, targets, *, steps, batch_size, temperature, alpha, generator):
    return [3.0 - 1.5 * step / steps for step in range(steps)]
