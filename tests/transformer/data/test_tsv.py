"""Reading real pairs from a TSV file: good lines, bad lines by number, bad files."""

import warnings

import pytest

from transformer.data.tsv import MalformedLinesWarning, PairsFileError, load_pairs


def write(tmp_path, content, name="pairs.tsv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_pairs_are_tokenized_and_extra_columns_ignored(tmp_path):
    path = write(
        tmp_path,
        "I love books.\tEu amo livros.\tCC-BY 2.0 (France) Attribution: tatoeba.org\r\n"
        "\n"
        "Where is the cat?\tOnde está o gato?\n",
    )
    assert load_pairs(path) == [
        ("i love books .", "eu amo livros ."),
        ("where is the cat ?", "onde está o gato ?"),
    ]


def test_tatoeba_export_with_ids(tmp_path):
    path = write(tmp_path, "1276\tLet's try.\t397\tVamos tentar.\n")
    assert load_pairs(path) == [("let's try .", "vamos tentar .")]


def test_byte_order_mark_is_dropped(tmp_path):
    path = write(tmp_path, "\ufeffHello\tOlá\n")
    assert load_pairs(path) == [("hello", "olá")]


def test_malformed_lines_are_skipped_with_one_warning_naming_them(tmp_path):
    path = write(
        tmp_path,
        b"good\tbom\n"
        b"no tab here\n"
        b"\tonly a target\n"
        b"only a source\t  \n"
        b"caf\xe9\tcafe\n"  # Latin-1, not UTF-8
        b"fine\tok\n",
    )
    with pytest.warns(MalformedLinesWarning) as record:
        pairs = load_pairs(path)
    assert pairs == [("good", "bom"), ("fine", "ok")]
    assert len(record) == 1
    warning = record[0].message
    assert warning.problems == [
        (2, "no tab between source and target"),
        (3, "empty source"),
        (4, "empty target"),
        (5, "not UTF-8 (byte 4)"),
    ]
    assert str(warning).startswith(f"{path}: 4 malformed lines skipped")
    assert "line 2: no tab between source and target; line 3: empty source" in str(
        warning
    )


def test_strict_turns_malformed_lines_into_an_error(tmp_path):
    path = write(tmp_path, "good\tbom\nbad line\n")
    with pytest.raises(
        PairsFileError, match=r"1 malformed line skipped .*line 2: no tab"
    ):
        load_pairs(path, strict=True)


def test_long_lists_of_bad_lines_are_shortened(tmp_path):
    path = write(tmp_path, "good\tbom\n" + "bad\n" * 15)
    with pytest.warns(MalformedLinesWarning, match="line 11: no tab .*; and 5 more$"):
        load_pairs(path)


def test_a_file_without_a_valid_pair_is_an_error_naming_it(tmp_path):
    path = write(tmp_path, "just words\nmore words\n")
    with pytest.raises(
        PairsFileError, match=r"pairs\.tsv: no valid sentence pairs .*line 1"
    ):
        load_pairs(path)
    empty = write(tmp_path, "", name="empty.tsv")
    with pytest.raises(PairsFileError, match=r"empty\.tsv: no valid sentence pairs"):
        load_pairs(empty)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"pairs file not found: .*missing\.tsv"
    ):
        load_pairs(tmp_path / "missing.tsv")
    with pytest.raises(PairsFileError, match="is not a file"):
        load_pairs(tmp_path)


def test_no_warning_for_a_clean_file(tmp_path):
    path = write(tmp_path, "a\tb\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_pairs(path) == [("a", "b")]


# ------------------------------------------------------------------ files that are not UTF-8 TSV


def test_utf16_file_is_named_with_the_fix(tmp_path):
    path = write(tmp_path, "I love books\tEu amo livros\n".encode("utf-16"))
    with pytest.raises(PairsFileError, match=r"is UTF-16 text, not UTF-8"):
        load_pairs(path)
    for codec in ("utf-16-le", "utf-16-be"):  # no byte-order mark
        without_bom = write(tmp_path, "Hi\tOi\nBye\tTchau\n".encode(codec), "x.tsv")
        with pytest.raises(PairsFileError, match=r"iconv -f UTF-16 -t UTF-8"):
            load_pairs(without_bom)


def test_a_latin1_file_is_named_with_the_fix(tmp_path):
    text = "I love books\tEu amo livros\nthe bread\to pão\nthe apple\ta maçã\n"
    path = write(tmp_path, text.encode("latin-1"))
    with pytest.raises(
        PairsFileError,
        match=r"pairs\.tsv is not UTF-8 \(2 of 3 lines, the first line 2\): it is "
        r"probably Latin-1 or Windows-1252; .*iconv -f WINDOWS-1252 -t UTF-8",
    ):
        load_pairs(path)
    assert load_pairs(write(tmp_path, text.encode("utf-8"), "ok.tsv"))[2] == (
        "the apple", "a maçã")  # fmt: skip


def test_a_binary_file_is_named(tmp_path):
    path = write(tmp_path, b"\x7fELF" + bytes(range(256)) * 8 + bytes(512), "a.out")
    with pytest.raises(PairsFileError, match=r"is not a text file \(it holds NUL"):
        load_pairs(path)


def test_cr_only_line_endings_are_named_with_the_fix(tmp_path):
    path = write(tmp_path, "Hi\tOi\rBye\tTchau\rYes\tSim\r")
    with pytest.raises(PairsFileError, match=r"ends its lines with CR only"):
        load_pairs(path)


def test_a_line_with_a_nul_byte_is_skipped_and_named(tmp_path):
    path = write(tmp_path, "Hi\tOi\nB\x00ye\tTchau\nYes\tSim\n")
    with pytest.warns(MalformedLinesWarning, match=r"line 2: a NUL byte"):
        assert load_pairs(path) == [("hi", "oi"), ("yes", "sim")]


def test_pairs_too_long_for_the_model_are_skipped_naming_the_lines(tmp_path):
    long_source = " ".join(["word"] * 9)
    long_target = " ".join(["palavra"] * 8)
    path = write(tmp_path, f"Hi\tOi\n{long_source}\tLonga\nLong\t{long_target}\n")
    with pytest.warns(MalformedLinesWarning) as caught:
        assert load_pairs(path, max_tokens=8) == [("hi", "oi")]
    message = str(caught[0].message)
    assert "line 2: source has 9 tokens, more than 8 (raise --max-len)" in message
    # the decoder reads <s> + target: a target may hold max_tokens - 1 tokens
    assert "line 3: target has 8 tokens, more than 7 (raise --max-len)" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_pairs(path, max_tokens=9)) == 3
