"""Label selectors parse, print, match and fail exactly as kube's (cases from kube's selector_test.go)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import errors, labels
from gitplane.api.labels import LabelSelector, Requirement

LABEL_VALUE_RULE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART_RULE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
PARSE = "unable to parse requirement: "


@pytest.mark.parametrize(("text", "printed"), [
    pytest.param("x=a,y=b,z=c", "x=a,y=b,z=c", id="equals"),
    pytest.param("", "", id="empty"),
    pytest.param("x!=a,y=b", "x!=a,y=b", id="not-equals"),
    pytest.param("x=", "x=", id="empty-value"),
    pytest.param("x= ", "x=", id="empty-value-blank"),
    pytest.param("x=,z= ", "x=,z=", id="two-empty-values"),
    pytest.param("!x", "!x", id="does-not-exist"),
    pytest.param("x>1,z<5", "x>1,z<5", id="greater-less"),
    pytest.param("x==a", "x==a", id="double-equals-kept"),
    pytest.param("z,y in (b,a),x notin ()", "x notin (),y in (a,b),z", id="sorted-by-key-values-sorted"),
    pytest.param("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)", id="keywords-as-values"),
    pytest.param("notin=in", "notin=in", id="keywords-as-key-and-value"),
    pytest.param("\rx", "x", id="carriage-return-is-blank"),
    pytest.param("x notin (, a)", "x notin (,a)", id="empty-member"),
    pytest.param("x in (abc,,def)", "x in (,abc,def)", id="double-comma"),
    pytest.param("x in (,a)", "x in (,a)", id="leading-empty-member"),
    pytest.param("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash",
                 id="prefixed-key"),
    pytest.param("a\0=b", "a", id="nul-ends-input"),
])
def test_valid_selectors_print_canonically(text: str, printed: str) -> None:
    """A valid selector prints in kube's canonical form."""
    assert str(LabelSelector.parse(text)) == printed


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
                 id="missing-operator"),
    pytest.param("x=a b=c", "found 'b', expected: ',' or 'end of string'", id="blank-separated"),
    pytest.param("x==a==b", "found '==', expected: ',' or 'end of string'", id="two-operators"),
    pytest.param("!x=a", "found '=', expected: ',' or 'end of string'", id="not-with-value"),
    pytest.param(",x", "found ',', expected: !, identifier, or 'end of string'", id="leading-comma"),
    pytest.param("x,", "found '', expected: identifier after ','", id="trailing-comma"),
    pytest.param("x,,y", "found ',', expected: identifier after ','", id="double-comma"),
    pytest.param("a in (x", "unable to parse requirement: found '', expected: ',' or ')'", id="unclosed"),
    pytest.param("a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier",
                 id="open-paren-at-end"),
    pytest.param("a in b", "unable to parse requirement: found 'b' expected: '('", id="set-without-paren"),
    pytest.param("a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'",
                 id="set-without-comma"),
    pytest.param("(", "found '(', expected: !, identifier, or 'end of string'", id="open-paren"),
    pytest.param("x in (a,,)", "unable to parse requirement: found ')', expected: ',', or identifier",
                 id="double-comma-before-paren"),
    pytest.param("x>-1", f'{PARSE}values[0][x]: Invalid value: "-1": {LABEL_VALUE_RULE}',
                 id="negative-bound"),
    pytest.param("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": "
                 "for 'Gt', 'Lt' operators, the value must be an integer", id="gt-not-integer"),
    pytest.param("a=b/c", f'{PARSE}values[0][a]: Invalid value: "b/c": {LABEL_VALUE_RULE}',
                 id="bad-value"),
    pytest.param("x=a||y=b", f'{PARSE}values[0][x]: Invalid value: "a||y": {LABEL_VALUE_RULE}',
                 id="pipes-are-part-of-a-value"),
    pytest.param("-a=b", f'{PARSE}<nil>: Invalid value: "-a": {NAME_PART_RULE}', id="bad-key"),
])
def test_invalid_selectors_answer_400_with_kube_message(text: str, message: str) -> None:
    """An invalid selector is a 400 BadRequest whose message is kube's."""
    with pytest.raises(errors.APIError) as caught:
        LabelSelector.parse(text)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (400, "BadRequest", message)


@pytest.mark.parametrize(("text", "labels_", "matched"), [
    pytest.param("", {"x": "y"}, True, id="empty-matches-all"),
    pytest.param("x=y", {"x": "y"}, True, id="equal"),
    pytest.param("x=y,z=w", {"x": "y", "z": "w"}, True, id="both-equal"),
    pytest.param("x!=y,z!=w", {"x": "z", "z": "a"}, True, id="both-differ"),
    pytest.param("notin=in", {"notin": "in"}, True, id="keywords"),
    pytest.param("x", {"x": "z"}, True, id="exists"),
    pytest.param("!x", {"y": "z"}, True, id="absent"),
    pytest.param("x>1", {"x": "2"}, True, id="greater"),
    pytest.param("x<1", {"x": "0"}, True, id="less"),
    pytest.param("x notin (a)", {}, True, id="notin-missing-key"),
    pytest.param("x=z", {}, False, id="equal-missing-key"),
    pytest.param("x=y", {"x": "z"}, False, id="not-equal"),
    pytest.param("x=y,z=w", {"x": "w", "z": "w"}, False, id="one-differs"),
    pytest.param("x!=y,z!=w", {"x": "z", "z": "w"}, False, id="one-equal"),
    pytest.param("x", {"y": "z"}, False, id="missing"),
    pytest.param("!x", {"x": "z"}, False, id="present"),
    pytest.param("x>1", {"x": "0"}, False, id="not-greater"),
    pytest.param("x<1", {"x": "2"}, False, id="not-less"),
    pytest.param("x>1", {"x": "two"}, False, id="not-a-number"),
    pytest.param("x in (a,b)", {"x": "b"}, True, id="in"),
    pytest.param("x notin (a,b)", {"x": "b"}, False, id="notin"),
])
def test_selectors_match_labels_as_kube(text: str, labels_: dict[str, str], matched: bool) -> None:
    """Matching follows kube's semantics, NotIn matching objects without the key."""
    assert LabelSelector.parse(text).matches(labels_) is matched


def test_requirements_are_sorted_by_key() -> None:
    """Parsing sorts requirements by key, as kube does for a deterministic form."""
    selector = LabelSelector.parse("b=1,a=2")
    assert selector.requirements == (Requirement("a", labels.EQUALS, ("2",)),
                                     Requirement("b", labels.EQUALS, ("1",)))


@pytest.mark.parametrize(("text", "key", "value"), [
    pytest.param("app=web", "app", "web", id="equals"),
    pytest.param("app in (web)", "app", "web", id="in-single"),
    pytest.param("app in (a,b)", "app", None, id="in-several"),
    pytest.param("app!=web", "app", None, id="not-equals"),
    pytest.param("tier=x", "app", None, id="other-key"),
])
def test_requires_exact_match(text: str, key: str, value: str | None) -> None:
    """A selector pins a key only through = == or a one-value in."""
    assert LabelSelector.parse(text).requires_exact_match(key) == value


def test_selector_from_dict_combines_labels_and_expressions() -> None:
    """matchLabels and matchExpressions become one sorted AND."""
    selector = LabelSelector.from_dict({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]},
                             {"key": "canary", "operator": "DoesNotExist"}],
    })
    assert str(selector) == "app=web,!canary,tier in (a,b)"
    assert selector.matches({"app": "web", "tier": "a"})
    assert not selector.matches({"app": "web", "tier": "a", "canary": "1"})


def test_selector_from_none_matches_nothing_and_empty_everything() -> None:
    """A missing selector selects nothing; an empty one selects everything."""
    assert not LabelSelector.from_dict(None).matches({})
    assert LabelSelector.from_dict({}).matches({"a": "b"})
    assert LabelSelector.from_dict({}).empty


@pytest.mark.parametrize(("selector", "message"), [
    pytest.param({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]},
                 '"Gt" is not a valid label selector operator', id="unknown-operator"),
    pytest.param({"matchExpressions": [{"key": "a", "operator": "In"}]},
                 "values: Invalid value: []string(nil): "
                 "for 'in', 'notin' operators, values set can't be empty",
                 id="in-without-values"),
    pytest.param({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
                 'values: Invalid value: []string{"x"}: '
                 "values set must be empty for exists and does not exist",
                 id="exists-with-values"),
])
def test_selector_from_dict_rejects_what_kube_rejects(selector: dict[str, object], message: str) -> None:
    """Converting an invalid metav1.LabelSelector fails with kube's message."""
    with pytest.raises(errors.APIError) as caught:
        LabelSelector.from_dict(selector)
    assert caught.value.message == message


def test_label_selector_validation_reports_field_paths() -> None:
    """ValidateLabelSelector reports each problem at its field path."""
    found = labels.validate_label_selector({
        "matchLabels": {"ok": "bad value"},
        "matchExpressions": [{"key": "a", "operator": "In"},
                             {"key": "b", "operator": "Exists", "values": ["x"]},
                             {"key": "c", "operator": "Near"}],
    }, "spec.selector")
    assert [str(error).split(": ")[0] + ": " + error.message.split(":")[0] for error in found] == [
        "spec.selector.matchLabels: Invalid value",
        "spec.selector.matchExpressions[0].values: Required value",
        "spec.selector.matchExpressions[1].values: Forbidden",
        "spec.selector.matchExpressions[2].operator: Invalid value",
    ]
    assert str(found[2]) == ("spec.selector.matchExpressions[1].values: Forbidden: may not be specified when "
                             "`operator` is 'Exists' or 'DoesNotExist'")
    assert str(found[3]) == ('spec.selector.matchExpressions[2].operator: Invalid value: "Near": '
                             "not a valid selector operator")


_NAMES = st.from_regex(r"\A[A-Za-z0-9]([-A-Za-z0-9_.]{0,10}[A-Za-z0-9])?\Z")
_PREFIXES = st.from_regex(r"\A[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?(\.[a-z0-9]{1,5})?\Z")
_VALUES = st.from_regex(r"\A([A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?)?\Z")


@st.composite
def _selector_texts(draw: st.DrawFn) -> str:
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(_NAMES)
        if draw(st.booleans()):
            key = f"{draw(_PREFIXES)}/{key}"
        form = draw(st.sampled_from(["=", "==", "!=", "in", "notin", "exists", "!", ">", "<"]))
        if form in ("=", "==", "!="):
            terms.append(f"{key}{form}{draw(_VALUES)}")
        elif form in ("in", "notin"):
            values = draw(st.lists(_VALUES, min_size=1, max_size=3, unique=True))
            terms.append(f"{key} {form} ({','.join(values)})")
        elif form == "exists":
            terms.append(key)
        elif form == "!":
            terms.append(f"!{key}")
        else:
            terms.append(f"{key}{form}{draw(st.integers(0, 1000))}")
    return ",".join(terms)


@given(_selector_texts())
def test_printed_selectors_parse_back_to_equal_selectors(text: str) -> None:
    """parse(str(selector)) equals the selector for any valid selector."""
    selector = LabelSelector.parse(text)
    assert LabelSelector.parse(str(selector)) == selector


@given(_selector_texts(), st.dictionaries(_NAMES, _VALUES, max_size=4))
def test_printed_selectors_match_like_the_original(text: str, labels_: dict[str, str]) -> None:
    """The printed form selects exactly the same label sets."""
    selector = LabelSelector.parse(text)
    assert LabelSelector.parse(str(selector)).matches(labels_) == selector.matches(labels_)
