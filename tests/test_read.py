"""Decoding notes: encodings that real notes use, and clear errors for the rest."""
from __future__ import annotations

import codecs

import pytest

from pipeline.read import InputError, decode, discover

TEXT = "### 华佗\n- https://github.com/x/y\n"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("gb18030"), "gb18030"),
])
def test_decodes_real_encodings(data, encoding):
    note = decode("n.md", data)
    assert note.text == TEXT and note.encoding == encoding
    assert note.lines[0] == "### 华佗"


def test_crlf_and_cr_become_lf():
    note = decode("n.md", b"a\r\nb\rc\n")
    assert note.lines == ("a", "b", "c", "")


def test_binary_file_names_offset():
    with pytest.raises(InputError) as err:
        decode("bin.md", b"abc\n\x00\x01")
    assert err.value.issue.file == "bin.md" and "offset 4" in err.value.issue.message and err.value.issue.line == 2


def test_undecodable_bytes_name_offset():
    with pytest.raises(InputError) as err:
        decode("bad.md", b"ok\n\xff\xfe\xfd\x80\x80\x80")
    assert "offset 3" in err.value.issue.message


def test_sha256_is_of_raw_bytes():
    import hashlib

    data = TEXT.encode("utf-8")
    assert decode("n.md", data).sha256 == hashlib.sha256(data).hexdigest()


def test_discover_sorts_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "b.md").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.md").write_text("x")
    (tmp_path / "img.png").write_bytes(b"\x89PNG")
    found, warnings = discover([tmp_path])
    assert [name for _, name in found] == ["a.txt", "b.md"]
    assert [w.file for w in warnings] == ["img.png"]
