"""Common mistake (lab 48): every /generate request is decoded on its own, one forward per token per request,
so concurrent requests never share a forward pass. The answers are right; the throughput is not."""
# overrides solution.py: only what differs from the reference solution is below


class MicroBatcher:
    def __init__(self, model, max_batch_size=8, max_wait_ms=20.0):
        self.model, self.queue = model, None

    async def submit(self, prompt, max_new_tokens):
        return (await asyncio.to_thread(greedy_generate, self.model, [prompt], [max_new_tokens]))[0]

    async def run(self):
        await asyncio.Event().wait()
