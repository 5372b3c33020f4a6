"""The lab manifest (`lab.yaml`), shared by the web app, the worker and `content check`."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

# lab01..lab63, and the week-33 capstone project (a zip of several files, graded by hand with a rubric)
LAB_ID_PATTERN = r"^(lab(0[1-9]|[1-5][0-9]|6[0-3])|capstone)$"
MODEL_PATH = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cpu_seconds: int = Field(30, ge=1, le=3600)
    wall_seconds: int = Field(60, ge=1, le=7200)
    memory_mb: int = Field(2048, ge=64, le=65536)
    processes: int = Field(64, ge=1, le=4096)
    file_size_mb: int = Field(16, ge=1, le=4096)
    workdir_mb: int = Field(64, ge=1, le=16384)
    open_files: int = Field(256, ge=16, le=65536)


class CheckSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    case: str | None = None
    visible: bool = False
    points: float = Field(ge=0)  # 0 only in a lab graded by its rubric (an informational smoke check)
    compare: Literal["exact", "allclose", "custom"] = "exact"
    rtol: float | None = Field(None, ge=0)
    atol: float | None = Field(None, ge=0)
    function: str | None = None
    description: str = ""
    hint: str = ""
    manual: bool = False

    @property
    def case_name(self) -> str:
        return self.case or self.name

    @model_validator(mode="after")
    def custom_needs_function(self):
        if self.compare == "custom" and not self.function:
            raise ValueError(f"check {self.name}: compare 'custom' needs 'function'")
        return self


class MistakeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    fails: list[str] = Field(min_length=1)
    description: str = ""


class RubricSpec(BaseModel):
    """One line of a hand-graded lab's rubric: the points a grader gives when the criterion is met."""
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=3, max_length=200)
    points: float = Field(gt=0)
    comment: str = ""


class BundleSpec(BaseModel):
    """Limits of a multi-file (.zip) submission; see labkit/bundle.py for the rules."""
    model_config = ConfigDict(extra="forbid")
    max_zip_kb: int = Field(448, ge=1, le=16384)  # requests are capped at LLMCOURSE_MAX_FORM_BYTES (512 KB)
    max_files: int = Field(40, ge=1, le=1000)
    max_file_kb: int = Field(128, ge=1, le=4096)
    max_total_kb: int = Field(1024, ge=1, le=65536)


class LabManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=LAB_ID_PATTERN)
    week: int = Field(ge=1, le=33)
    title: str = Field(min_length=3)
    summary: str = ""
    device: Literal["cpu", "gpu"] = "cpu"
    # a .py file, or a .zip of a project folder (multi-file submission: `bundle` sets its limits)
    submit_file: str = Field(pattern=r"^[a-z_][a-z0-9_]*\.(py|zip)$")
    bundle: BundleSpec = BundleSpec()
    # A lab graded by hand: the score is the sum of the rubric lines a grader ticks (its checks are a smoke
    # test worth 0 points); the rubric is loaded into the review page's rubric by `content sync`.
    rubric: list[RubricSpec] = []
    limits: Limits = Limits()
    hidden_seed_bank: int = Field(8, ge=2, le=1_000_000)
    hidden_draw: int = Field(2, ge=1, le=8)
    manual_review: bool = False
    # Lab parameters per size: `cpu` is what a laptop, CI and a CPU-only worker run (small, fast); `gpu` is
    # what a worker that owns a GPU runs (bigger model, more steps, AMP). The harness reads the chosen one
    # as ctx.config; each size has its own reference outputs.
    configs: dict[Literal["cpu", "gpu"], dict] = {}
    gpu_limits: Limits | None = None
    # Stand-in model folder under the artifacts (e.g. "bert-tiny") -> folder name of a real model in the
    # operator's LLMCOURSE_MODELS_DIR (e.g. "bert-base-uncased"), mounted in its place when present.
    models: dict[str, str] = {}
    readings: list[dict] = []
    checks: list[CheckSpec] = Field(min_length=1)
    mistakes: list[MistakeSpec] = []

    @model_validator(mode="after")
    def consistent(self):
        for slot, name in self.models.items():
            for value in (slot, name):
                if not MODEL_PATH.fullmatch(value) or ".." in value.split("/"):
                    raise ValueError(f"models: {value!r} must be a relative folder path (letters, digits, . _ -)")
        if self.rubric and not self.manual_review:
            raise ValueError("a lab with a rubric is graded by hand: set manual_review: true")
        if not self.rubric and any(c.points == 0 for c in self.checks):
            raise ValueError("checks need points > 0 (0-point smoke checks only in a lab graded by its rubric)")
        if self.rubric and any(c.points for c in self.checks):
            raise ValueError("in a lab graded by its rubric the checks are a smoke test worth 0 points")
        names = [c.name for c in self.checks]
        if len(set(names)) != len(names):
            raise ValueError("check names must be unique")
        if not any(c.visible for c in self.checks):
            raise ValueError("at least one visible check is required")
        if self.configs and "cpu" not in self.configs:
            raise ValueError("configs: a 'cpu' configuration is required (what CI and laptops run)")
        if "gpu" in self.configs and self.device != "gpu":
            raise ValueError("configs: a 'gpu' configuration needs device: gpu")
        if self.hidden_draw > self.hidden_seed_bank:
            raise ValueError("hidden_draw must not exceed hidden_seed_bank")
        for mistake in self.mistakes:
            unknown = set(mistake.fails) - set(names)
            if unknown:
                raise ValueError(f"mistake {mistake.file} names unknown checks {sorted(unknown)}")
        return self

    def size_for(self, has_gpu: bool) -> str:
        """'gpu' when a gpu lab runs on a worker that owns a GPU, else 'cpu' (the CPU-sized configuration)."""
        return "gpu" if self.device == "gpu" and has_gpu else "cpu"

    def config_for(self, size: str) -> dict:
        return dict(self.configs.get(size) or self.configs.get("cpu") or {})

    @property
    def is_bundle(self) -> bool:
        """The student submits a .zip of several files (unpacked only inside the sandbox)."""
        return self.submit_file.endswith(".zip")

    @property
    def max_score(self) -> float:
        if self.rubric:
            return float(sum(r.points for r in self.rubric))
        return float(sum(c.points for c in self.checks))

    def hidden_seeds(self) -> list[int]:
        """The seed bank: fixed per lab so references can be built ahead."""
        return [int(hashlib.sha256(f"{self.id}:{i}".encode()).hexdigest()[:8], 16) + 1
                for i in range(self.hidden_seed_bank)]


VISIBLE_SEED = 0
LAB_FILES = ("lab.yaml", "README.md", "starter.py", "solution.py", "harness.py")
# A lab whose students submit a .zip keeps its reference and starter projects as folders.
BUNDLE_LAB_FILES = ("lab.yaml", "README.md", "starter", "solution", "harness.py")


def lab_files(lab_dir: Path) -> tuple[str, ...]:
    return BUNDLE_LAB_FILES if (lab_dir / "solution").is_dir() else LAB_FILES


REMOVED_LIST = "REMOVED.txt"


def submission_source(lab_dir: Path, path: Path) -> str:
    """What is submitted for a lab author's file or folder: a .py file's text, or a project folder as a zip
    (base64 text, as stored). A folder under mistakes/ holds only what differs from solution/: its files
    replace the reference's, and the paths its REMOVED.txt lists are left out."""
    from labkit import bundle

    if not path.is_dir():
        return path.read_text(encoding="utf-8")
    if path.parent.name != "mistakes":
        return bundle.encode(bundle.zip_folder(path))
    import tempfile

    removed = set()
    if (path / REMOVED_LIST).exists():
        removed = {line.strip() for line in (path / REMOVED_LIST).read_text(encoding="utf-8").splitlines()
                   if line.strip()}
    with tempfile.TemporaryDirectory() as scratch:
        merged = Path(scratch)
        for source in (lab_dir / "solution", path):
            for file in source.rglob("*"):
                relative = file.relative_to(source)
                if file.is_file() and relative.as_posix() not in removed and file.name != REMOVED_LIST:
                    (merged / relative).parent.mkdir(parents=True, exist_ok=True)
                    (merged / relative).write_bytes(file.read_bytes())
        return bundle.encode(bundle.zip_folder(merged))


_MANIFESTS: dict[tuple, LabManifest] = {}
_HASHES: dict[tuple, str] = {}


def load_manifest(lab_dir: Path) -> LabManifest:
    """The lab's manifest, parsed once per version of lab.yaml (web, worker and sync read the same one)."""
    path = lab_dir / "lab.yaml"
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _MANIFESTS:
        _MANIFESTS[key] = LabManifest.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return _MANIFESTS[key].model_copy(deep=True)


def _hashed_files(lab_dir: Path) -> list[Path]:
    lab_files = sorted(p for p in lab_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and "mistakes" not in p.relative_to(lab_dir).parts[:1] and p.name != "README.md")
    return lab_files + sorted(Path(__file__).parent.glob("*.py"))


def content_hash(lab_dir: Path) -> str:
    """Hash of everything that determines reference outputs and checks: the lab's files (not its README or
    mistakes) and labkit's. Computed once per version of those files (their sizes and modification times)."""
    files = _hashed_files(lab_dir)
    key = tuple((str(p), s.st_size, s.st_mtime_ns, s.st_ino) for p in files for s in [p.stat()])
    if key not in _HASHES:
        digest = hashlib.sha256()
        for path in files:
            if path.is_relative_to(lab_dir):
                digest.update(str(path.relative_to(lab_dir)).encode())
            digest.update(path.read_bytes())
        _HASHES[key] = digest.hexdigest()[:16]
    return _HASHES[key]


def real_model_path(models_dir: Path | None, name: str) -> Path | None:
    """The operator's copy of model `name` (a save_pretrained folder), if LLMCOURSE_MODELS_DIR holds one."""
    if models_dir is None:
        return None
    path = (Path(models_dir) / name).resolve()
    return path if (path / "config.json").is_file() else None
