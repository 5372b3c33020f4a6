"""Common mistake (lab 37): kaiming_normal_ reads the weight as (in_features, out_features)."""
# overrides solution.py: only what differs from the reference solution is below


def kaiming_normal_(weight, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    receptive_field = math.prod(weight.shape[2:])
    fan_in = weight.shape[0] * receptive_field            # shape[0] is out_features in PyTorch
    fan_out = weight.shape[1] * receptive_field
    fan = fan_in if mode == "fan_in" else fan_out
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return weight.normal_(0.0, std)
