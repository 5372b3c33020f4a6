"""Common mistake (lab 49): the model is loaded inside the handler, so every invocation pays the load, warm or
cold: the answers are right, but a warm container is as slow as a cold one and the bill grows."""
# overrides solution.py: only what differs from the reference solution is below


def get_model():
    return lambda_model.load_model(os.environ.get("MODEL_DIR", "/opt/model"))
