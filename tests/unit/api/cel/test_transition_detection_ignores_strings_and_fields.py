"""Property: a rule is a transition rule exactly when it names the variable oldSelf outside strings and selections."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.cel import environment, lexer

PIECES = st.sampled_from(["oldSelf", "self", "self.oldSelf", "'oldSelf'", '"x oldSelf"', "r'oldSelf'", " == ",
                          " && ", "has(", ")", ".size()", "1", "oldSelfish", "[oldSelf]", " // oldSelf\n"])


@given(st.lists(PIECES, max_size=8))
def test_rewriting_old_self_removes_every_use_and_only_uses(pieces: list[str]) -> None:
    text = "".join(pieces)
    rewritten = lexer.replace_variable(text, "oldSelf", "X")
    assert not lexer.references(rewritten, "oldSelf")
    assert (rewritten != text) == lexer.references(text, "oldSelf")


@given(st.lists(PIECES, max_size=8))
def test_only_the_variable_counts_not_strings_comments_or_fields(pieces: list[str]) -> None:
    text = " ".join(pieces)
    assert lexer.references(text, environment.OLD_SELF) == any(p in ("oldSelf", "[oldSelf]") for p in pieces)
