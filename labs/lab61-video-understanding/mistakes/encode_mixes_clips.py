"""Common mistake (lab 61): the frames are flattened time-major (clips.transpose(0, 1)) but the features
are unflattened batch-major, so each clip's "frames" come from several clips."""
# overrides solution.py: only what differs from the reference solution is below


def encode_frames(encoder, clips):
    B, T, H, W = clips.shape
    with torch.no_grad():
        features = encoder(clips.transpose(0, 1).reshape(B * T, 1, H, W))
    return features.reshape(B, T, -1)
