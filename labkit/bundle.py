"""Multi-file submissions (a project folder sent as a .zip), used by the capstone.

One reader validates a zip without writing anything: the web app calls it before a submission is stored
(nothing is unpacked on the host, the zip is read in memory), and the harness calls it again inside the
sandbox, where `extract_bundle` writes the files into the sandbox's private work dir only.

Rules (every one gives a reason a person understands, as BundleError):
- the zip is at most `max_zip_bytes`, holds at most `max_files` files, each at most `max_file_bytes` and
  all together at most `max_total_bytes` once unpacked (checked while reading, not trusted from headers);
- names are relative paths of plain components (no absolute path, no `..`, no backslash, no drive, no
  control characters), unique (also ignoring case);
- no symbolic links, no encrypted entries;
- only UTF-8 text files (no NUL byte); macOS metadata (`__MACOSX/`, `.DS_Store`) is skipped.
"""
from __future__ import annotations

import base64
import io
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SKIPPED_PARTS = ("__MACOSX", ".DS_Store", "__pycache__", ".git")
MAX_NAME = 200
MAX_DEPTH = 8


class BundleError(ValueError):
    """The zip breaks one of the rules above; the message says which."""


@dataclass(frozen=True)
class BundleLimits:
    max_zip_bytes: int = 448 * 1024
    max_files: int = 40
    max_file_bytes: int = 128 * 1024
    max_total_bytes: int = 1024 * 1024

    @classmethod
    def from_kb(cls, data: dict | None) -> "BundleLimits":
        data = data or {}
        default = cls()
        return cls(max_zip_bytes=int(data.get("max_zip_kb", default.max_zip_bytes // 1024)) * 1024,
                   max_files=int(data.get("max_files", default.max_files)),
                   max_file_bytes=int(data.get("max_file_kb", default.max_file_bytes // 1024)) * 1024,
                   max_total_bytes=int(data.get("max_total_kb", default.max_total_bytes // 1024)) * 1024)


def _kb(n: int) -> str:
    return f"{n // 1024} KB"


def _check_name(raw: str) -> str | None:
    """The normalised relative path, None for a skipped entry (directory, macOS metadata)."""
    if any(ord(ch) < 32 or ch == "\x7f" for ch in raw):
        raise BundleError(f"{raw!r}: file names must not contain control characters.")
    if "\\" in raw:
        raise BundleError(f"{raw}: use '/' in paths; a backslash is not allowed in a file name.")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        raise BundleError(f"{raw}: absolute paths are not allowed; zip the project folder's contents.")
    if raw.endswith("/"):
        return None
    parts = PurePosixPath(raw).parts
    if any(part in ("..", ".") for part in raw.split("/")) or not parts:
        raise BundleError(f"{raw}: '..' and '.' are not allowed in paths (no file may leave the project folder).")
    if any(part in SKIPPED_PARTS or part.startswith("._") for part in parts):
        return None
    if len(raw) > MAX_NAME or len(parts) > MAX_DEPTH:
        raise BundleError(f"{raw[:80]}: the path is too long (at most {MAX_NAME} characters, {MAX_DEPTH} folders).")
    return "/".join(parts)


def read_bundle(raw: bytes, limits: BundleLimits = BundleLimits()) -> dict[str, str]:
    """The zip's files as {relative path: text}, in name order, or BundleError. Reads in memory only."""
    if len(raw) > limits.max_zip_bytes:
        raise BundleError(f"The zip is {_kb(len(raw))}; the limit is {_kb(limits.max_zip_bytes)}.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise BundleError("The upload is not a readable .zip file; zip the project folder and try again.") from None
    files: dict[str, str] = {}
    seen: set[str] = set()
    total = 0
    with archive:
        for info in infos:
            name = _check_name(info.filename)
            mode = info.external_attr >> 16
            if name is None:
                continue
            if stat.S_ISLNK(mode):
                raise BundleError(f"{name}: symbolic links are not allowed; put the file itself in the zip.")
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):  # no type bits (Windows zips): a plain file
                raise BundleError(f"{name}: only regular files are allowed.")
            if info.flag_bits & 0x1:
                raise BundleError(f"{name}: encrypted zip entries are not allowed.")
            if name.lower() in seen:
                raise BundleError(f"{name}: the zip holds this path twice.")
            seen.add(name.lower())
            if len(files) + 1 > limits.max_files:
                raise BundleError(f"The zip holds more than {limits.max_files} files; leave out data, models "
                                  "and generated files.")
            if info.file_size > limits.max_file_bytes:
                raise BundleError(f"{name} is {_kb(info.file_size)}; each file may be at most "
                                  f"{_kb(limits.max_file_bytes)}.")
            try:
                with archive.open(info) as handle:
                    data = handle.read(limits.max_file_bytes + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError):
                raise BundleError(f"{name}: this entry could not be read (damaged or an unsupported "
                                  "compression method).") from None
            if len(data) > limits.max_file_bytes:
                raise BundleError(f"{name} unpacks to more than {_kb(limits.max_file_bytes)}.")
            total += len(data)
            if total > limits.max_total_bytes:
                raise BundleError(f"The files unpack to more than {_kb(limits.max_total_bytes)} in all.")
            if b"\x00" in data:
                raise BundleError(f"{name} looks binary (it contains NUL bytes); only text files are allowed.")
            try:
                files[name] = data.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError as exc:
                raise BundleError(f"{name} is not UTF-8 text (byte {exc.start}); only text files are "
                                  "allowed.") from None
    if not files:
        raise BundleError("The zip holds no files.")
    prefix = _common_folder(files)
    if prefix:
        files = {name[len(prefix):]: text for name, text in files.items()}
    return dict(sorted(files.items()))


def _common_folder(files: dict[str, str]) -> str:
    """'project/' when every file sits in one top folder (zipping the folder itself), else ''."""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return tops.pop() + "/"
    return ""


def extract_bundle(raw: bytes, dest: Path, limits: BundleLimits = BundleLimits()) -> dict[str, str]:
    """Validate, then write the files under `dest` (inside the sandbox's work dir). Never follows a link,
    never overwrites: every file is created new with O_EXCL | O_NOFOLLOW."""
    files = read_bundle(raw, limits)
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    for name, text in files.items():
        target = root.joinpath(*name.split("/"))
        if root not in target.parents:
            raise BundleError(f"{name}: outside the project folder.")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    return files


def zip_folder(folder: Path) -> bytes:
    """A folder's files as a zip (lab authors keep the capstone's reference and starter as folders)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder)
            if any(part in SKIPPED_PARTS for part in relative.parts):
                continue
            info = zipfile.ZipInfo(relative.as_posix(), date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def encode(raw: bytes) -> str:
    """How a zip is stored in a submission's `code` column and sent to the sandbox: base64 text."""
    return base64.b64encode(raw).decode("ascii")


def decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def bundle_files(code: str, limits: BundleLimits = BundleLimits()) -> dict[str, str]:
    """A stored bundle's files for display (review pages); {} when it cannot be read."""
    try:
        return read_bundle(decode(code), limits)
    except (BundleError, ValueError):
        return {}
