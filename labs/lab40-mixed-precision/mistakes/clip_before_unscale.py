"""Common mistake (lab 40): clips the gradients while they are still multiplied by the loss scale, so
max_grad_norm is compared with a norm thousands of times too large and every step is clipped to almost
nothing after unscaling."""
# overrides solution.py: only what differs from the reference solution is below


def scaled_step(scaler, optimizer, loss, parameters, max_grad_norm):
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    norm = torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()
    return float(norm)
