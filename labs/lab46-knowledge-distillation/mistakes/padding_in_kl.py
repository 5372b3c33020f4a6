"""Common mistake (lab 46): cross_entropy's ignore_index drops the padded positions from the hard term, but
the KL term is still averaged over every position, padding included."""
# overrides solution.py: only what differs from the reference solution is below


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha, ignore_index=-100):
    vocab = student_logits.shape[-1]
    student = student_logits.reshape(-1, vocab)
    teacher = teacher_logits.detach().reshape(-1, vocab)
    hard = nn.functional.cross_entropy(student, labels.reshape(-1), ignore_index=ignore_index)
    log_p_t = torch.log_softmax(student / temperature, dim=-1)
    log_q_t = torch.log_softmax(teacher / temperature, dim=-1)
    soft = nn.functional.kl_div(log_p_t, log_q_t, log_target=True, reduction="batchmean")
    return alpha * hard + (1.0 - alpha) * temperature ** 2 * soft
