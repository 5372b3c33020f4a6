"""Common mistake (lab 16): copy_from_torch forgets the biases."""
# overrides solution.py: only what differs from the reference solution is below


def copy_from_torch(mha, torch_mha):
    """Copy the weights of an nn.MultiheadAttention into `mha` (in place) and return `mha`."""
    d = mha.d_model
    with torch.no_grad():
        for i, layer in enumerate((mha.W_q, mha.W_k, mha.W_v)):
            layer.weight.copy_(torch_mha.in_proj_weight[i * d:(i + 1) * d])
        mha.W_o.weight.copy_(torch_mha.out_proj.weight)
    return mha
