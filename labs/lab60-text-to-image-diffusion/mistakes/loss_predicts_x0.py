"""Common mistake (lab 60): the loss asks the denoiser for the clean image x0 instead of the noise.
The sampler's formula expects predicted noise, so the trained model generates no shapes."""
# overrides solution.py: only what differs from the reference solution is below


def denoising_loss(model, x0, labels, t, noise, schedule):
    x_t = q_sample(x0, t, noise, schedule)
    return F.mse_loss(model(x_t, t, labels), x0)
