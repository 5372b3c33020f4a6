"""Common mistake (lab 44): truncate(n) keeps the most recent n positions instead of the first n."""
# overrides solution.py: only what differs from the reference solution is below


class KVCache(KVCache):
    def truncate(self, length: int) -> None:
        for i in range(len(self.keys)):
            if self.keys[i] is not None:
                self.keys[i] = self.keys[i][:, :, -length:]
                self.values[i] = self.values[i][:, :, -length:]
