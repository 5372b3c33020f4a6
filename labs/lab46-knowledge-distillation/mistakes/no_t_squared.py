"""Common mistake (lab 46): the soft term is not multiplied by T^2, so at temperature T its gradients are
1/T^2 of what they should be and the teacher's signal fades as the temperature rises."""
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
    log_q_t = torch.log_softmax(teacher / temperature, dim=-1)
    soft = nn.functional.kl_div(log_p_t, log_q_t, log_target=True, reduction="batchmean")
    return alpha * hard + (1.0 - alpha) * soft
