"""Which GPU device nodes a worker binds into its gpu labs' sandboxes (LLMCOURSE_GPU_DEVICES).

A gpu-queue worker owns one GPU (or one MIG slice): docker's `device_ids` gives its container that GPU's
node only, and "auto" binds exactly the NVIDIA nodes the container sees; a bare-metal worker lists its
nodes explicitly. Nodes are bound into gpu labs only, never into cpu labs (worker/jobs.py), and CUDA is
initialised only inside the sandboxed child (docs/architecture.md)."""
from __future__ import annotations

import glob
import os

AUTO = "auto"
# Shared control nodes a CUDA process opens besides its GPU's /dev/nvidiaN.
CONTROL_NODES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools")


def device_nodes(setting: str, dev: str = "/dev") -> list[str]:
    """The nodes named by the setting; "auto": /dev/nvidia<N> the process can see, the control nodes and
    the MIG capability nodes (/dev/nvidia-caps/*), in a stable order. Empty when there is no GPU."""
    value = (setting or "").strip()
    if value.lower() != AUTO:
        return [part.strip() for part in value.split(",") if part.strip()]
    gpus = sorted(glob.glob(os.path.join(dev, "nvidia[0-9]*")), key=lambda p: int(p.rsplit("nvidia", 1)[1]))
    if not gpus:
        return []
    control = [os.path.join(dev, os.path.basename(node)) for node in CONTROL_NODES]
    caps = sorted(glob.glob(os.path.join(dev, "nvidia-caps", "*")))
    return gpus + [node for node in control if os.path.exists(node)] + caps


def devices_for_lab(device: str, nodes: list[str]) -> list[str]:
    """A cpu lab never sees the GPU, even on a worker that owns one."""
    return list(nodes) if device == "gpu" else []
