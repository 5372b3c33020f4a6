"""Common mistake (lab 38): one-cycle momentum rises and falls WITH the learning rate instead of against it."""
# overrides solution.py: only what differs from the reference solution is below


def one_cycle(step, max_lr, total_steps, pct_start=0.3, anneal_strategy="cos", div_factor=25.0,
              final_div_factor=1e4, three_phase=False, base_momentum=0.85, max_momentum=0.95):
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    warm_end = float(pct_start * total_steps) - 1
    if three_phase:
        phases = [(warm_end, initial_lr, max_lr, base_momentum, max_momentum),
                  (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr, max_momentum, base_momentum),
                  (total_steps - 1, initial_lr, min_lr, base_momentum, base_momentum)]
    else:
        phases = [(warm_end, initial_lr, max_lr, base_momentum, max_momentum),
                  (total_steps - 1, max_lr, min_lr, max_momentum, base_momentum)]
    start_step = 0.0
    for i, (end_step, lr_from, lr_to, m_from, m_to) in enumerate(phases):
        if step <= end_step or i == len(phases) - 1:
            pct = (step - start_step) / (end_step - start_step)
            return (_anneal(lr_from, lr_to, pct, anneal_strategy), _anneal(m_from, m_to, pct, anneal_strategy))
        start_step = end_step
