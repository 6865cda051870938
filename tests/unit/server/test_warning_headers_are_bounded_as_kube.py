"""Warning headers follow kube's recorder: each text once, whole while 4096 runes fit, then every warning cut
to 256 runes and no more added past the total; texts Go cannot send are left out; at most 50 headers."""

from __future__ import annotations

import pytest

from gitplane.server import warning_headers
from gitplane.server.warning_headers import warning_headers as headers


def texts(found: list[tuple[bytes, bytes]]) -> list[str]:
    assert all(name == b"warning" for name, _ in found)
    return [value.decode() for _, value in found]


def test_warnings_are_sent_once_each_in_order() -> None:
    """Duplicates and empty texts are dropped; quotes and backslashes are escaped."""
    assert texts(headers(["b", "", "a", "b", 'say "hi" \\ bye'])) == [
        '299 - "b"', '299 - "a"', '299 - "say \\"hi\\" \\\\ bye"']


def test_truncation_replays_kubes_own_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """kube's TestTruncation (limits 25 and 5): once a text would pass the total, every warning so far is
    cut, later ones are cut, and none is added once the total is reached."""
    monkeypatch.setattr(warning_headers, "TOTAL_RUNES", 25)
    monkeypatch.setattr(warning_headers, "ITEM_RUNES", 5)
    before = ["aaaaaaaaaa", "aaaaaaaaaa", "bb", "ccc", "Iñtërnâtiô"]
    assert texts(headers(before)) == ['299 - "aaaaaaaaaa"', '299 - "bb"', '299 - "ccc"', '299 - "Iñtërnâtiô"']
    after = [*before, "e", "ffffffffff", "ffffffffff", "gggggggggg", "h"]
    assert texts(headers(after)) == ['299 - "aaaaa"', '299 - "bb"', '299 - "ccc"', '299 - "Iñtër"', '299 - "e"',
                                     '299 - "fffff"', '299 - "ggggg"']


def test_a_warning_go_cannot_send_is_left_out() -> None:
    """Control characters and lone surrogates (not UTF-8) make Go's NewWarningHeader refuse the text."""
    assert texts(headers(["line\nbreak", "bell\x07", "lone \ud800", "fine"])) == ['299 - "fine"']


def test_non_ascii_is_sent_as_utf8_and_counted_in_characters() -> None:
    """A 300-character text of 2-byte characters counts 300 against the 4096 limit, not 600."""
    long = "é" * 300
    found = headers([long] * 1 + [f"{i}" + "é" * 299 for i in range(12)])
    assert len(found) == 13 and found[0][1] == f'299 - "{long}"'.encode()


def test_thousands_of_long_warnings_stay_within_kubes_total() -> None:
    """3,000 distinct 400-character warnings become 16 headers of 256 characters: 4096 in all."""
    found = texts(headers([f"unknown field \"{i:04d}{'x' * 380}\"" for i in range(3000)]))
    assert len(found) == 16
    assert all(len(value) <= len('299 - ""') + 256 + 2 for value in found)


def test_past_fifty_headers_one_says_how_many_were_left_out() -> None:
    """A hundred short warnings fit kube's limits but not clients that read at most 100 header lines."""
    found = texts(headers([f'unknown field "f{i}"' for i in range(100)]))
    assert len(found) == warning_headers.MAX_HEADERS
    assert found[-1] == '299 - "51 more warnings were left out"'
    assert found[-2] == '299 - "unknown field \\"f48\\""'
