"""Common mistake (lab 36): -log(sigmoid(x)) written literally. sigmoid(-300) underflows to 0 in float64,
so the loss becomes inf exactly when the model is most wrong."""
# overrides solution.py: only what differs from the reference solution is below


def bradley_terry_loss(r_chosen, r_rejected):
    return -torch.log(torch.sigmoid(r_chosen - r_rejected)).mean()  # noqa: F821


def dpo_loss(policy_chosen, policy_rejected, ref_chosen, ref_rejected, beta):
    chosen_rewards = beta * (policy_chosen - ref_chosen)
    rejected_rewards = beta * (policy_rejected - ref_rejected)
    loss = -torch.log(torch.sigmoid(chosen_rewards - rejected_rewards)).mean()  # noqa: F821
    return loss, chosen_rewards, rejected_rewards
