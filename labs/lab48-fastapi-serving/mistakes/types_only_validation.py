"""Common mistake (lab 48): the request model declares the types but no limits and no alphabet check, so an
empty prompt, max_new_tokens 0 or 500 are accepted, and unknown characters crash the model's encode (500)."""
# overrides solution.py: only what differs from the reference solution is below


class GenerateRequest(BaseModel):
    prompt: str
    max_new_tokens: int = 16
