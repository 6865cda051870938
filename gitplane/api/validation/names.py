"""The name formats of the Kubernetes API and kube's exact wording when a value breaks one.

Each ``is_*`` check returns the list of problems with a value (empty when valid), worded as
``k8s.io/apimachinery/pkg/util/validation`` words them, because clients show them verbatim inside 422 and 400
errors. Name rules (:data:`NameRule`) are the per-type checks for ``metadata.name``: they take the name and
whether it is a ``generateName`` prefix (which may end in ``-``, since random characters follow).

    DNS-1123 subdomain   lower case, digits, '-', '.'; at most 253        most names
    DNS-1123 label       lower case, digits, '-'; at most 63              namespace names
    qualified name       [prefix/]name, name at most 63                   label/annotation keys, finalizers
    label value          empty, or a qualified name without prefix
    config map key       [-._a-zA-Z0-9]+, at most 253, not '.' or '..*'   ConfigMap and Secret keys
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from gitplane.api import errors

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63

NameRule = Callable[[str, bool], list[str]]
"""A name check: ``(name, is_generate_name_prefix) -> problems``."""

_QNAME_CHAR = "[A-Za-z0-9]"
_QNAME_EXT_CHAR = "[-A-Za-z0-9_.]"
QUALIFIED_NAME_FORMAT = f"({_QNAME_CHAR}{_QNAME_EXT_CHAR}*)?{_QNAME_CHAR}"
_QUALIFIED_NAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                       "with an alphanumeric character")
LABEL_VALUE_FORMAT = f"({QUALIFIED_NAME_FORMAT})?"
_LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                    "or '.', and must start and end with an alphanumeric character")
DNS1123_LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                      "and must start and end with an alphanumeric character")
DNS1123_SUBDOMAIN_FORMAT = DNS1123_LABEL_FORMAT + "(\\." + DNS1123_LABEL_FORMAT + ")*"
_DNS1123_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                          "characters, '-' or '.', and must start and end with an alphanumeric character")
CONFIG_MAP_KEY_FORMAT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

_QUALIFIED_NAME_RE = re.compile(QUALIFIED_NAME_FORMAT)
_LABEL_VALUE_RE = re.compile(LABEL_VALUE_FORMAT)
_DNS1123_LABEL_RE = re.compile(DNS1123_LABEL_FORMAT)
_DNS1123_SUBDOMAIN_RE = re.compile(DNS1123_SUBDOMAIN_FORMAT)
_CONFIG_MAP_KEY_RE = re.compile(CONFIG_MAP_KEY_FORMAT)

EMPTY_ERROR = "must be non-empty"


def byte_length(value: str) -> int:
    """Go's ``len`` of a string: its length in UTF-8 bytes."""
    return len(value) if value.isascii() else len(value.encode())


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def regex_error(message: str, regex: str, *examples: str) -> str:
    """kube's ``RegexError``, including its odd ``'a',  or 'b', `` example list."""
    if not examples:
        return f"{message} (regex used for validation is '{regex}')"
    listed = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {listed}regex used for validation is '{regex}')"


_QUALIFIED_NAME_REGEX_ERROR = regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FORMAT, "MyName", "my.name",
                                          "123-abc")
_LABEL_VALUE_REGEX_ERROR = regex_error(_LABEL_VALUE_MSG, LABEL_VALUE_FORMAT, "MyValue", "my_value", "12345")
_DNS1123_LABEL_REGEX_ERROR = regex_error(_DNS1123_LABEL_MSG, DNS1123_LABEL_FORMAT, "my-name", "123-abc")
_DNS1123_SUBDOMAIN_REGEX_ERROR = regex_error(_DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FORMAT, "example.com")
_CONFIG_MAP_KEY_REGEX_ERROR = regex_error(_CONFIG_MAP_KEY_MSG, CONFIG_MAP_KEY_FORMAT, "key.name", "KEY_NAME",
                                          "key-name")


def is_dns1123_subdomain(value: str) -> list[str]:
    problems = []
    if byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        problems.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        problems.append(_DNS1123_SUBDOMAIN_REGEX_ERROR)
    return problems


def is_dns1123_label(value: str) -> list[str]:
    problems = []
    if byte_length(value) > DNS1123_LABEL_MAX_LENGTH:
        problems.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            problems.append("must not contain dots")
        else:
            problems.append(_DNS1123_LABEL_REGEX_ERROR)
    return problems


DNS1035_LABEL_FORMAT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_RE = re.compile(DNS1035_LABEL_FORMAT)
_DNS1035_LABEL_REGEX_ERROR = regex_error(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character", DNS1035_LABEL_FORMAT, "my-name", "abc-123")


def is_dns1035_label(value: str) -> list[str]:
    """A DNS-1035 label (CRD resource names and versions): as DNS-1123, but starting with a letter."""
    problems = []
    if byte_length(value) > DNS1123_LABEL_MAX_LENGTH:
        problems.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        problems.append(_DNS1035_LABEL_REGEX_ERROR)
    return problems


def is_qualified_name(value: str) -> list[str]:
    """``[prefix/]name``: the prefix a DNS-1123 subdomain, the name at most 63 characters."""
    problems: list[str] = []
    parts = value.split("/")
    if len(parts) > 2:
        return [f"a qualified name {_QUALIFIED_NAME_REGEX_ERROR} with an optional DNS subdomain prefix and "
                "'/' (e.g. 'example.com/MyName')"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            problems.append("prefix part " + EMPTY_ERROR)
        else:
            problems.extend("prefix part " + problem for problem in is_dns1123_subdomain(prefix))
    if not name:
        problems.append("name part " + EMPTY_ERROR)
    elif byte_length(name) > QUALIFIED_NAME_MAX_LENGTH:
        problems.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QUALIFIED_NAME_RE.fullmatch(name):
        problems.append("name part " + _QUALIFIED_NAME_REGEX_ERROR)
    return problems


def is_valid_label_value(value: str) -> list[str]:
    problems = []
    if byte_length(value) > LABEL_VALUE_MAX_LENGTH:
        problems.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        problems.append(_LABEL_VALUE_REGEX_ERROR)
    return problems


def is_config_map_key(value: str) -> list[str]:
    """A ConfigMap or Secret data key (it becomes a file name when mounted)."""
    problems = []
    if byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        problems.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.fullmatch(value):
        problems.append(_CONFIG_MAP_KEY_REGEX_ERROR)
    if value == ".":
        problems.append("must not be '.'")
    elif value == "..":
        problems.append("must not be '..'")
    elif value.startswith(".."):
        problems.append("must not start with '..'")
    return problems


def _mask_trailing_dash(name: str) -> str:
    """A generateName prefix may end in '-': check it as if a letter followed (kube's maskTrailingDash)."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def path_segment_name(name: str, prefix: bool) -> list[str]:
    """The rule every name obeys: it must be usable as one segment of a URL path."""
    if not prefix and name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def validate_label_key(key: str, path: str) -> list[errors.FieldError]:
    """kube's ``ValidateLabelName``: a qualified name."""
    return [errors.invalid_value(path, key, problem) for problem in is_qualified_name(key)]


def validate_labels(labels: Mapping[str, str], path: str) -> list[errors.FieldError]:
    """kube's ``ValidateLabels``: keys are qualified names, values label values (errors at ``path``)."""
    found: list[errors.FieldError] = []
    for key, value in labels.items():
        found.extend(validate_label_key(key, path))
        found.extend(errors.invalid_value(path, value, problem) for problem in is_valid_label_value(value))
    return found
