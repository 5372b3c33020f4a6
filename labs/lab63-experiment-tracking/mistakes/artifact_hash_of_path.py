"""Common mistake (lab 63): the artifact's 'hash' is computed from its path, so two different files saved
under the same path get the same hash and the same content gets different hashes."""
# overrides solution.py: only what differs from the reference solution is below


def _log_artifact_hashing_path(self, run_id, path):
    self._require(run_id)
    content = Path(path).read_bytes()
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()
    shutil.copyfile(path, self.root / "artifacts" / digest)
    self._append({"event": "artifact", "run_id": run_id, "name": Path(path).name, "sha256": digest,
                  "size": len(content)})
    return digest


Tracker.log_artifact = _log_artifact_hashing_path
