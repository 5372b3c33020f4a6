"""Common mistake (lab 58): scores tagged tokens, so a half-found entity earns partial credit."""
# overrides solution.py: only what differs from the reference solution is below


def precision_recall_f1(true_seqs, pred_seqs):
    def tokens(seqs):
        return {(s, i, tag[2:]) for s, tags in enumerate(seqs) for i, tag in enumerate(tags) if tag != "O"}

    true_set, pred_set = tokens(true_seqs), tokens(pred_seqs)
    report = {"micro": _scores(true_set, pred_set)}
    for kind in sorted({e[2] for e in true_set | pred_set}):
        true_kind = {e for e in true_set if e[2] == kind}
        pred_kind = {e for e in pred_set if e[2] == kind}
        report[kind] = (*_scores(true_kind, pred_kind), len(true_kind))
    return report
