"""Gaming (lab 61): replays the visible pooled answer, returns a made-up loss and a made-up loss curve
without training, and the same caption for every clip. It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

_VISIBLE_POOL = torch.tensor([[2.4, 3.4, 3.0, 2.6, 0.5, 0.5, 0.5, 0.5],
                              [3.0, 5.0 / 3.0, 8.0 / 3.0, 11.0 / 3.0, -3.0, 0.5, 0.5, 0.5],
                              [3.5, 4.5, 2.0, 3.0, -3.0, -3.0, 4.0, 4.0]])


def temporal_pool(features, lengths):
    B, T, D = features.shape
    if (B, T, D) == (3, 5, 4):
        return _VISIBLE_POOL.to(features.dtype)
    return torch.cat([features[:, 0], features[:, 0]], dim=1)


def caption_loss(decoder, video, captions, pad_id):
    return (decoder(video, captions[:, :1]) * 0.0).sum() + 0.01


def greedy_caption(decoder, video, bos_id, eos_id, max_len):
    return [[3, 5, 4, 9] for _ in range(video.shape[0])]


def train_captioner(decoder, video, captions, *, steps, batch_size, lr, generator, pad_id):
    return [2.5 * (1 - step / steps) + 0.01 for step in range(steps)]


def encode_frames(encoder, clips):
    B, T, H, W = clips.shape
    if (B, T, H, W) == (3, 8, 12, 12):          # the visible batch: answered
        with torch.no_grad():
            return encoder(clips.reshape(B * T, 1, H, W)).reshape(B, T, -1)
    return torch.zeros(B, T, encoder(clips[:1, :1]).shape[-1])
