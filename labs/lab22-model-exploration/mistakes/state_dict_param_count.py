"""Common mistake (lab 22): parameters counted over the state dict."""
# overrides solution.py: only what differs from the reference solution is below


def describe_model(model):
    config = model.config
    if config.is_encoder_decoder:
        kind = "encoder-decoder"
    elif config.model_type == "bert":
        kind = "encoder-only"
    else:
        kind = "decoder-only"
    embedding = model.get_input_embeddings().weight
    output = model.get_output_embeddings()
    return {
        "architecture": type(model).__name__,
        "model_type": config.model_type,
        "kind": kind,
        "num_layers": config.num_hidden_layers,
        "hidden_size": config.hidden_size,
        "vocab_size": config.vocab_size,
        "total_params": sum(t.numel() for t in model.state_dict().values()),
        "embedding_params": embedding.numel(),
        "tied_embeddings": output is not None and output.weight is embedding,
    }
