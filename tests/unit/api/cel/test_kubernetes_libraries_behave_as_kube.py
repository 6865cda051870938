"""Kubernetes' CEL libraries, as rules use them: lists, strings, regex, url, quantity, ip/cidr, format."""

from __future__ import annotations

import pytest

from gitplane.api.cel import compile_schema

TRUE_RULES = [
    "[1, 2, 3].isSorted() && !([2, 1].isSorted()) && ['a', 'b'].isSorted()",
    "[1, 2, 3].sum() == 6 && [1.5, 2.5].sum() == 4.0 && [].sum() == 0",
    "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3",
    "[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(5) == -1",
    "[true].indexOf(1) == -1",
    "'AbC'.lowerAscii() == 'abc' && 'abc'.upperAscii() == 'ABC' && ' a '.trim() == 'a'",
    "'a,b'.split(',').join('-') == 'a-b' && 'abc'.replace('b', 'x') == 'axc' && 'abc'.substring(1) == 'bc'",
    "'abc'.indexOf('c') == 2 && 'abcabc'.lastIndexOf('a') == 3",
    "'%s has %d items'.format(['x', 3]) == 'x has 3 items'",
    "'a1b22'.find('[0-9]+') == '1' && 'a1b22'.findAll('[0-9]+') == ['1', '22'] && "
    "'a1b2c3'.findAll('[0-9]', 2) == ['1', '2'] && 'abc'.find('z') == ''",
    "self.all(k, k.matches('^[a-z]+$'))",
    "url('https://example.com:8443/a%20b?x=1&x=2').getScheme() == 'https' && "
    "url('https://example.com:8443/p').getHost() == 'example.com:8443' && "
    "url('https://[::1]:80/p').getHostname() == '::1' && url('https://example.com:8443/p').getPort() == '8443' && "
    "url('https://e.io/p?x=1&x=2').getQuery() == {'x': ['1', '2']} && isURL('/abs') && !isURL('rel')",
    "quantity('1Gi').isGreaterThan(quantity('1G')) && quantity('500m').isLessThan(quantity('1')) && "
    "quantity('1.5').compareTo(quantity('1500m')) == 0 && quantity('2').asInteger() == 2 && "
    "!quantity('1.5').isInteger() && quantity('-1').sign() == -1 && isQuantity('10Mi') && !isQuantity('x')",
    "quantity('1Gi').add(quantity('512Mi')).compareTo(quantity('1.5Gi')) == 0 && "
    "quantity('1').sub(1).sign() == 0 && quantity('250m').asApproximateFloat() == 0.25",
    "ip('10.1.2.3').family() == 4 && ip('::1').isLoopback() && ip('0.0.0.0').isUnspecified() && "
    "ip('8.8.8.8').isGlobalUnicast() && ip('fe80::1').isLinkLocalUnicast() && isIP('1.2.3.4') && !isIP('1.2.3')",
    "cidr('10.0.0.0/8').containsIP(ip('10.1.2.3')) && cidr('10.0.0.0/8').containsIP('10.2.0.1') && "
    "!cidr('10.0.0.0/8').containsIP('11.0.0.1') && cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && "
    "cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr('10.0.0.0/8').prefixLength() == 8 && "
    "cidr('10.1.2.3/8').ip() == ip('10.1.2.3') && isCIDR('::/0') && !isCIDR('10.0.0.0')",
    "self.?nope.orValue('d') == 'd' && self.?a.orValue('d') == 'b'",
    "ip('0:0::1') == ip('::1') && string(ip('0:0::1')) == '::1' && ip.isCanonical('::1') && "
    "!ip.isCanonical('0:0::1')",
]


def _rule(rule: str) -> list[str]:
    schema = {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-validations": [
        {"rule": rule}]}
    compiled = compile_schema(schema, root=False)
    assert not compiled.errors, [str(e) for e in compiled.errors]
    return [str(e) for e in compiled.validate({"a": "b", "cd": "ef"})]


@pytest.mark.parametrize("rule", TRUE_RULES)
def test_library_rule_holds(rule: str) -> None:
    assert _rule(rule) == []


@pytest.mark.parametrize(("rule", "error"), [
    ("[].min() == 0", "min called on empty list evaluating rule: [].min() == 0"),
    ("quantity('x').sign() == 0", "quantities must match the regular expression"),
    ("url('relative').getHost() == ''", "URL parse error during conversion from string"),
    ("ip('::ffff:1.2.3.4').family() == 6", "IPv4-mapped IPv6 address"),
    ("'a'.find('(') == ''", "error parsing regexp"),
])
def test_library_errors_are_rule_evaluation_errors(rule: str, error: str) -> None:
    found = _rule(rule)
    assert len(found) == 1 and error in found[0], found
