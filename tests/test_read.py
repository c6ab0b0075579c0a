"""Decoding notes: encodings that real notes use, and clear errors for the rest."""
from __future__ import annotations

import codecs

import pytest

from pipeline.read import InputError, decode, discover, read_note, safe_name

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


# --- offsets and lines in errors, and the encoding decisions ---------------------------------------


@pytest.mark.parametrize("data, line", [
    (b"a\nb\nc\x00", 3),
    (b"a\r\nb\r\nc\x00", 3),
    (b"a\rb\rc\x00", 3),
    (b"a\r\nb\rc\nd\x00", 4),
])
def test_error_line_counts_every_kind_of_line_end(data, line):
    with pytest.raises(InputError) as err:
        decode("n.md", data)
    assert err.value.issue.line == line


def test_utf16_error_line_is_counted_in_characters_not_bytes():
    # U+0A0D encodes as 0D 0A in UTF-16-LE: counting bytes would see a CRLF
    data = codecs.BOM_UTF16_LE + "\u0a0d\u0a0d\nx".encode("utf-16-le") + b"\x00\xd8"
    with pytest.raises(InputError) as err:
        decode("n.md", data)
    assert err.value.issue.line == 2 and f"offset {len(data) - 2}" in err.value.issue.message


def test_utf8_bom_error_offset_counts_the_bom():
    with pytest.raises(InputError) as err:
        decode("n.md", codecs.BOM_UTF8 + b"ab\n\xff")
    assert "offset 6" in err.value.issue.message and err.value.issue.line == 2


def test_gbk_with_a_few_valid_utf8_looking_pairs_is_still_gbk():
    text = "模型名称：基于 LLaMA 的中文对话模型，参数量 130 亿。\n" * 20
    assert decode("n.md", text.encode("gbk")).text == text


def test_bom_at_the_start_of_a_later_line_is_dropped():
    note = decode("n.md", codecs.BOM_UTF8 + b"# a\n" + codecs.BOM_UTF8 + b"# b\n")
    assert note.lines == ("# a", "# b", "")


def test_control_characters_are_content_not_binary():
    note = decode("n.md", b"# a\x07b\x1b[0m\x7f\n")
    assert note.lines[0] == "# a\x07b\x1b[0m\x7f"


@pytest.mark.parametrize("name, shown", [
    ("plain/名字.md", "plain/名字.md"),
    ("bell\x07.md", "bell\\x07.md"),
    ("nl\n.md", "nl\\x0a.md"),
    ("c1\x9b.md", "c1\\x9b.md"),
    ("bytes\udce9.md", "bytes\\xe9.md"),
    ("back\\slash.md", "back\\slash.md"),
])
def test_safe_name(name, shown):
    assert safe_name(name) == shown


def test_missing_path_is_an_input_error_when_read(tmp_path):
    found, warnings = discover([tmp_path / "nope.md"])
    assert warnings == [] and len(found) == 1
    with pytest.raises(InputError) as err:
        read_note(*found[0])
    assert err.value.issue.message == "no such file or folder"


def test_discovery_is_sorted_by_name_whatever_the_order_given(tmp_path):
    for name in ("b.md", "a.md", "c/z.md", "c/a.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    found, _ = discover([tmp_path])
    assert [name for _, name in found] == ["a.md", "b.md", "c/a.md", "c/z.md"]
