"""labkit.bundle: a project .zip is validated in memory (size, count, paths, links, text only) and unpacked
only by extract_bundle, inside the folder it is given (the sandbox's work dir)."""
from __future__ import annotations

import io
import stat
import zipfile

import pytest

from labkit.bundle import BundleError, BundleLimits, decode, encode, extract_bundle, read_bundle, zip_folder


def make_zip(entries: dict[str, bytes], *, symlinks: tuple[str, ...] = (), encrypted: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            mode = stat.S_IFLNK | 0o777 if name in symlinks else stat.S_IFREG | 0o644
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    raw = buffer.getvalue()
    for name in encrypted:  # set the "encrypted" flag bit of that entry in the central directory
        index = raw.rindex(b"PK\x01\x02" + raw[raw.index(b"PK\x01\x02") + 4:][:4])
        raw = raw[:index + 8] + bytes([raw[index + 8] | 1]) + raw[index + 9:]
    return raw


GOOD = {"README.md": b"# Project\n", "app.py": b"def predict(texts):\n    return texts\n",
        "tests/test_app.py": b"def test_x():\n    assert True\n"}


def test_a_good_project_reads_in_name_order_and_round_trips_through_base64():
    raw = make_zip(GOOD)
    assert list(read_bundle(raw)) == ["README.md", "app.py", "tests/test_app.py"]
    assert read_bundle(decode(encode(raw)))["app.py"].startswith("def predict")


def test_a_zipped_folder_loses_its_top_folder_and_macos_metadata_is_skipped():
    raw = make_zip({"proj/README.md": b"# P\n", "proj/app.py": b"x = 1\n", "__MACOSX/proj/._app.py": b"\x00\x05\x16",
                    "proj/.DS_Store": b"\x00\x00"})
    assert read_bundle(raw) == {"README.md": "# P\n", "app.py": "x = 1\n"}


@pytest.mark.parametrize("name, message", [
    ("../evil.py", "'..'"), ("a/../../evil.py", "'..'"), ("/etc/passwd", "absolute"), ("C:/x.py", "absolute"),
    ("a\\..\\b.py", "backslash"), ("bad\x01name.py", "control characters"),
])
def test_paths_that_could_leave_the_project_folder_are_refused(name, message):
    with pytest.raises(BundleError, match=message):
        read_bundle(make_zip({**GOOD, name: b"x = 1\n"}))


def test_symlinks_encrypted_entries_and_duplicates_are_refused():
    with pytest.raises(BundleError, match="symbolic links"):
        read_bundle(make_zip({**GOOD, "link.py": b"/etc/passwd"}, symlinks=("link.py",)))
    with pytest.raises(BundleError, match="twice"):
        read_bundle(make_zip({**GOOD, "APP.py": b"y = 2\n"}))
    with pytest.raises(BundleError, match="encrypted"):
        read_bundle(make_zip({"app.py": b"x = 1\n"}, encrypted=("app.py",)))


def test_only_utf8_text_files_are_accepted():
    with pytest.raises(BundleError, match="model.bin looks binary"):
        read_bundle(make_zip({**GOOD, "model.bin": b"\x00\x01\x02weights"}))
    with pytest.raises(BundleError, match="notes.txt is not UTF-8 text"):
        read_bundle(make_zip({**GOOD, "notes.txt": "café".encode("latin-1")}))


def test_size_and_count_caps_hold_whatever_the_headers_claim():
    limits = BundleLimits(max_zip_bytes=4096, max_files=3, max_file_bytes=1000, max_total_bytes=1500)
    with pytest.raises(BundleError, match="more than 3 files"):
        read_bundle(make_zip({**GOOD, "extra.py": b"x\n"}), limits)
    with pytest.raises(BundleError, match="each file may be at most"):
        read_bundle(make_zip({"app.py": b"#" * 1001}), limits)
    with pytest.raises(BundleError, match="in all"):
        read_bundle(make_zip({"a.py": b"#" * 900, "b.py": b"#" * 900}), limits)
    with pytest.raises(BundleError, match="the limit is 4 KB"):
        read_bundle(b"PK" + bytes(5000), limits)
    # a zip bomb whose header lies about its size is cut off while reading
    bomb = bytearray(make_zip({"app.py": b"#" * 5000}))
    for marker in (b"PK\x03\x04", b"PK\x01\x02"):
        at = bomb.index(marker)
        offset = at + (22 if marker == b"PK\x03\x04" else 24)
        bomb[offset:offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(BundleError):
        read_bundle(bytes(bomb), limits)


def test_not_a_zip_and_an_empty_zip_get_a_clear_answer():
    with pytest.raises(BundleError, match="not a readable .zip"):
        read_bundle(b"def f(): pass\n")
    with pytest.raises(BundleError, match="no files"):
        read_bundle(make_zip({"folder/": b""}))


def test_extract_writes_only_inside_the_destination_and_never_overwrites(tmp_path):
    dest = tmp_path / "work" / "project"
    files = extract_bundle(make_zip(GOOD), dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == sorted(files)
    assert not any(p for p in tmp_path.iterdir() if p.name != "work")
    with pytest.raises(FileExistsError):
        extract_bundle(make_zip(GOOD), dest)


def test_zip_folder_is_deterministic(tmp_path):
    (tmp_path / "p" / "tests").mkdir(parents=True)
    (tmp_path / "p" / "app.py").write_text("x = 1\n")
    (tmp_path / "p" / "tests" / "test_a.py").write_text("def test_a(): pass\n")
    assert zip_folder(tmp_path / "p") == zip_folder(tmp_path / "p")
    assert read_bundle(zip_folder(tmp_path / "p")) == {"app.py": "x = 1\n", "tests/test_a.py": "def test_a(): pass\n"}
