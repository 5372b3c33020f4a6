"""Which device nodes a gpu-queue worker binds: only its own GPU's, and only into gpu labs."""
from __future__ import annotations

from worker.gpu import device_nodes, devices_for_lab


def fake_dev(tmp_path, *names: str):
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return str(tmp_path)


def test_auto_binds_the_gpu_the_container_sees_plus_the_control_and_mig_nodes(tmp_path):
    dev = fake_dev(tmp_path, "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-caps/nvidia-cap21", "null")
    assert device_nodes("auto", dev) == [f"{dev}/nvidia1", f"{dev}/nvidiactl", f"{dev}/nvidia-uvm",
                                         f"{dev}/nvidia-caps/nvidia-cap21"]


def test_auto_orders_gpus_numerically_and_finds_nothing_without_a_gpu(tmp_path):
    dev = fake_dev(tmp_path / "two", "nvidia10", "nvidia2", "nvidiactl")
    assert device_nodes("AUTO", dev) == [f"{dev}/nvidia2", f"{dev}/nvidia10", f"{dev}/nvidiactl"]
    assert device_nodes("auto", fake_dev(tmp_path / "none", "nvidiactl", "null")) == []


def test_an_explicit_list_is_taken_as_written():
    assert device_nodes(" /dev/nvidia0, /dev/nvidiactl ,,") == ["/dev/nvidia0", "/dev/nvidiactl"]
    assert device_nodes("") == []


def test_a_cpu_lab_never_gets_the_gpu_even_on_a_worker_that_owns_one():
    nodes = ["/dev/nvidia0", "/dev/nvidiactl"]
    assert devices_for_lab("cpu", nodes) == []
    assert devices_for_lab("gpu", nodes) == nodes


def test_the_job_runner_binds_the_gpu_into_gpu_labs_only(tmp_path, monkeypatch):
    """worker/jobs.py: a gpu-queue worker's nodes reach the sandbox of a gpu lab, never of a cpu lab."""
    import shutil
    from pathlib import Path

    import worker.grading
    from app.config import Settings
    from worker import jobs

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "labs"
    labs = tmp_path / "labs"
    shutil.copytree(fixtures / "lab03-probe", labs / "lab03-probe")
    shutil.copytree(fixtures / "lab03-probe", labs / "lab05-gpu-probe")
    manifest = labs / "lab05-gpu-probe" / "lab.yaml"
    manifest.write_text(manifest.read_text().replace("id: lab03", "id: lab05") + "\ndevice: gpu\n")
    settings = Settings(data_dir=tmp_path / "data", labs_dir=labs, gpu_devices="/dev/nvidia0,/dev/nvidiactl")
    monkeypatch.setattr(jobs, "get_settings", lambda: settings)
    seen = {}

    def grade(bundle, code, **options):  # records which nodes each lab's sandbox would get
        seen[bundle.manifest.id] = options["devices"]
        return {}

    monkeypatch.setattr(worker.grading, "grade", grade)
    jobs.grade_code("lab03-probe", "x = 1\n", None)
    jobs.grade_code("lab05-gpu-probe", "x = 1\n", None)
    assert seen == {"lab03": [], "lab05": ["/dev/nvidia0", "/dev/nvidiactl"]}
