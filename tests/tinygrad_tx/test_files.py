"""Atomic writes and the writable-folder check every command shares."""

import os

import pytest

from tinygrad_tx.files import atomic_write_bytes, atomic_write_text, writable_folder


def test_atomic_write_bytes_replaces_the_whole_file(tmp_path):
    path = tmp_path / "f.bin"
    atomic_write_bytes(path, b"a much longer first version")
    atomic_write_bytes(path, b"short")
    assert path.read_bytes() == b"short"


def test_atomic_writes_leave_no_partial_files(tmp_path):
    assert atomic_write_text(tmp_path / "a.csv", "one") == tmp_path / "a.csv"
    atomic_write_text(tmp_path / "a.csv", "two")
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]
    assert (tmp_path / "a.csv").read_text() == "two"


def test_atomic_write_text_is_utf8_with_newlines_as_written(tmp_path):
    atomic_write_text(tmp_path / "t.csv", "ação\r\nfim\n")
    assert (tmp_path / "t.csv").read_bytes() == "ação\r\nfim\n".encode()


def test_atomic_write_gives_the_usual_file_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "f.bin", b"abc")
    finally:
        os.umask(old)
    assert (tmp_path / "f.bin").stat().st_mode & 0o777 == 0o644


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "notes.md"
    atomic_write_text(path, "mine")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(path, "theirs")
    assert path.read_text() == "mine"
    assert os.listdir(tmp_path) == ["notes.md"]


def test_writable_folder_creates_the_folder_and_leaves_it_empty(tmp_path):
    assert writable_folder(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert list((tmp_path / "a" / "b").iterdir()) == []


def test_writable_folder_refuses_a_folder_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        writable_folder(tmp_path / "file" / "out")


def test_a_file_that_cannot_be_created_is_named_not_its_temporary_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    target = blocker / "figure.png"  # a folder that is a file: cannot be made
    with pytest.raises(OSError, match=r"^cannot write .*a-file/figure\.png: ") as info:
        atomic_write_bytes(target, b"png")
    assert ".tmp" not in str(info.value) and info.value.errno is not None
