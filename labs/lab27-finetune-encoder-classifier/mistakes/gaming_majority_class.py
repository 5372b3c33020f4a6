"""Gaming (lab 27): replays the visible pooling answer, trains nothing, reports a made-up falling loss
and predicts the department that is commonest in the training data for every message. It must earn no
more than the visible checks."""
import torch
from torch import nn


def mean_pool(hidden_states, attention_mask):
    return torch.zeros(2, 3)


class EncoderClassifier(nn.Module):
    def __init__(self, encoder, num_labels, dropout=0.1):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask):
        return self.head(self.encoder(input_ids=input_ids).last_hidden_state[:, 0])


def set_encoder_trainable(model, trainable):
    pass


def fine_tune(model, tokenizer, texts, labels, *, steps, **settings):
    model.majority = max(set(labels), key=labels.count)
    return [1.5 * 0.97 ** step for step in range(steps)]


def predict(model, tokenizer, texts, **settings):
    return [getattr(model, "majority", 0)] * len(texts)
