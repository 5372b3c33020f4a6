"""Common mistake (lab 55): a timeout and every non-zero exit are reported as 'failed'."""
# overrides solution.py: only what differs from the reference solution is below


def run_candidate(program, tests, timeout_s=1.0, memory_mb=256):
    source = program + "\n\n" + "\n".join(tests) + "\n"
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "candidate.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(source)
        try:
            done = subprocess.run([sys.executable, "-I", "-S", path], cwd=scratch, env={}, capture_output=True,
                                  text=True, timeout=timeout_s,
                                  preexec_fn=_limit_resources(max(1, math.ceil(timeout_s)), memory_mb * 1024 * 1024))
        except subprocess.TimeoutExpired:
            return "failed"
    return "passed" if done.returncode == 0 else "failed"
