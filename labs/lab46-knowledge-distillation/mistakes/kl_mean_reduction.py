"""Common mistake (lab 46): F.kl_div with reduction='mean' averages over every element, positions times
vocabulary, so the KL term is V times too small (PyTorch warns about exactly this; 'batchmean' is the KL)."""
# overrides solution.py: only what differs from the reference solution is below


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha, ignore_index=-100):
    vocab = student_logits.shape[-1]
    student = student_logits.reshape(-1, vocab)
    teacher = teacher_logits.detach().reshape(-1, vocab)
    labels = labels.reshape(-1)
    keep = labels != ignore_index
    student, teacher, labels = student[keep], teacher[keep], labels[keep]
    hard = nn.functional.cross_entropy(student, labels)
    log_p_t = torch.log_softmax(student / temperature, dim=-1)
    q_t = torch.softmax(teacher / temperature, dim=-1)
    soft = nn.functional.kl_div(log_p_t, q_t, reduction="mean")
    return alpha * hard + (1.0 - alpha) * temperature ** 2 * soft
