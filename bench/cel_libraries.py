"""CEL library benchmark: which Python CEL implementation should run CRD ``x-kubernetes-validations``.

Candidates (each optional; a missing one is reported, not fatal):

* ``cel-expr-python`` (``cel_expr_python``): bindings to Google's C++ CEL runtime, type-checked compile;
* ``common-expression-language`` (``cel``): bindings to the Rust ``cel`` crate;
* ``cel-python`` (``celpy``): a pure-Python interpreter on lark.

For each it measures, in one run and on the same objects: the compile time of a set of realistic Kubernetes
rules, the evaluation time per rule per object (µs, best of 5 repeats), and which Kubernetes CEL features it
supports natively (a probe expression that compiles and gives the expected answer). The floor is the same rule
written as a plain Python lambda over the dict, measured in the same run.

Run from the repository root: ``python -m bench.cel_libraries [--iterations 2000]``.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from typing import Any

OBJECT: dict[str, Any] = {
    "minReplicas": 2, "maxReplicas": 5, "name": "x-orders", "spec": {"a": 1, "b": 2, "c": 3},
    "labels": {"app": "orders", "tier": "db"},
    "items": [{"name": "a", "weight": 40}, {"name": "b", "weight": 35}, {"name": "c", "weight": 25}],
}
OLD = dict(OBJECT)

RULES: list[tuple[str, Callable[[dict[str, Any], dict[str, Any]], bool]]] = [
    ("self.minReplicas <= self.maxReplicas", lambda s, o: s["minReplicas"] <= s["maxReplicas"]),
    ("self.name.startsWith('x-')", lambda s, o: s["name"].startswith("x-")),
    ("self.labels.all(k, k.matches('^[a-z]+$'))",
     lambda s, o: all(__import__("re").search("^[a-z]+$", k) for k in s["labels"])),
    ("has(self.spec) && self.spec.size() < 10", lambda s, o: "spec" in s and len(s["spec"]) < 10),
    ("self == oldSelf", lambda s, o: s == o),
    ("self.items.map(i, i.weight).sum() == 100", lambda s, o: sum(i["weight"] for i in s["items"]) == 100),
    ("self.items.exists_one(i, i.name == 'b')", lambda s, o: sum(1 for i in s["items"] if i["name"] == "b") == 1),
]

# feature name -> (expression, expected result)
FEATURES: list[tuple[str, str, Any]] = [
    ("macros all/exists/exists_one/map/filter",
     "[1,2,3].all(x, x > 0) && [1,2].exists(x, x == 2) && [1,2].exists_one(x, x == 1) "
     "&& [1,2].map(x, x * 2) == [2,4] && [1,2,3].filter(x, x > 1) == [2,3]", True),
    ("has()", "has(self.spec) && !has(self.nope)", True),
    ("optional ?. / orValue", "self.?nope.orValue(7) == 7", True),
    ("strings lowerAscii/upperAscii", "'AbC'.lowerAscii() == 'abc' && 'abc'.upperAscii() == 'ABC'", True),
    ("strings split/join", "'a,b'.split(',').join('-') == 'a-b'", True),
    ("strings replace/indexOf/substring", "'abc'.replace('b', 'x') == 'axc' && 'abc'.indexOf('c') == 2 "
     "&& 'abc'.substring(1) == 'bc'", True),
    ("strings trim", "'  a '.trim() == 'a'", True),
    ("strings format", "'%s-%d'.format(['a', 1]) == 'a-1'", True),
    ("lists isSorted", "[1,2,3].isSorted()", True),
    ("lists sum/min/max", "[1,2,3].sum() == 6 && [1,2,3].min() == 1 && [1,2,3].max() == 3", True),
    ("lists indexOf/lastIndexOf", "[1,2,1].indexOf(1) == 0 && [1,2,1].lastIndexOf(1) == 2", True),
    ("regex find/findAll", "'a1b22'.find('[0-9]+') == '1' && 'a1b22'.findAll('[0-9]+') == ['1', '22']", True),
    ("url()", "url('https://a.io/x').getHost() == 'a.io'", True),
    ("quantity()", "quantity('1Gi').isGreaterThan(quantity('1M'))", True),
    ("ip()/cidr()", "cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))", True),
    ("runtime cost limit", "", None),
]


class Candidate:
    """One library behind a common face: compile(text) -> program; bind(self, oldSelf) -> activation (the
    per-object cost of handing the object to the library); run(program, activation) -> value."""

    name = ""
    module = ""
    cost = "no"
    custom_functions = "no"

    def available(self) -> str:
        try:
            importlib.import_module(self.module)
        except ImportError as exc:
            return f"not installed ({exc})"
        return ""

    def compile(self, text: str) -> Any:
        raise NotImplementedError

    def bind(self, self_value: Any, old: Any) -> Any:
        raise NotImplementedError

    def run(self, program: Any, activation: Any) -> Any:
        raise NotImplementedError


class CelExprPython(Candidate):
    name = "cel-expr-python"
    module = "cel_expr_python"
    cost = "no (not exposed by the bindings)"
    custom_functions = "yes: typed overloads (member or global), opaque types as proto messages"

    def __init__(self) -> None:
        self.env: Any = None

    def compile(self, text: str) -> Any:
        if self.env is None:
            from cel_expr_python import cel
            from cel_expr_python.ext import ext_math, ext_optional, ext_strings
            self.cel = cel
            self.env = cel.NewEnv(variables={"self": cel.Type.DYN, "oldSelf": cel.Type.DYN},
                                  extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional(),
                                              ext_math.ExtMath()])
        return self.env.compile(text)

    def bind(self, self_value: Any, old: Any) -> Any:
        return self.env.Activation(data={"self": self_value, "oldSelf": old})

    def run(self, program: Any, activation: Any) -> Any:
        value = program.eval(activation)
        if value.type() == self.cel.Type.ERROR:
            raise RuntimeError(value.value())
        return value.plain_value()


class CommonExpressionLanguage(Candidate):
    name = "common-expression-language"
    module = "cel"
    cost = "no"
    custom_functions = "yes: untyped Python callables by name"

    def compile(self, text: str) -> Any:
        import cel
        self.mod = cel
        return cel.compile(text)

    def bind(self, self_value: Any, old: Any) -> Any:
        context = self.mod.Context(variables={"self": self_value, "oldSelf": old})
        if not hasattr(self, "functions"):
            self.mod.stdlib.add_stdlib_to_context(context)
            self.functions = context.functions
        for name, function in self.functions.items():
            context.add_function(name, function)
        return context

    def run(self, program: Any, activation: Any) -> Any:
        return program.execute(activation)


class CelPython(Candidate):
    name = "cel-python"
    module = "celpy"
    cost = "no"
    custom_functions = "yes: Python callables by name"

    def compile(self, text: str) -> Any:
        import celpy
        self.mod = celpy
        env = celpy.Environment()
        return env.program(env.compile(text))

    def bind(self, self_value: Any, old: Any) -> Any:
        return {"self": self.mod.json_to_cel(self_value), "oldSelf": self.mod.json_to_cel(old)}

    def run(self, program: Any, activation: Any) -> Any:
        return program.evaluate(activation)


def best_of(repeats: int, iterations: int, body: Callable[[], Any]) -> float:
    """Best time of ``repeats`` runs, per iteration, in microseconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        best = min(best, time.perf_counter() - start)
    return best / iterations * 1e6


def measure(candidate: Candidate, iterations: int) -> dict[str, Any]:
    result: dict[str, Any] = {"compile_us": {}, "eval_us": {}, "features": {}}
    try:
        candidate.compile("true")
        activation = candidate.bind(OBJECT, OLD)
        result["bind_us"] = best_of(5, max(1, iterations // 4), lambda: candidate.bind(OBJECT, OLD))
    except Exception as exc:
        result["bind_us"] = f"error: {str(exc).splitlines()[0][:60]}"
        return result
    for text, _ in RULES:
        try:
            program = candidate.compile(text)
            result["compile_us"][text] = best_of(3, max(1, iterations // 20), lambda t=text: candidate.compile(t))
        except Exception as exc:
            result["compile_us"][text] = f"compile error: {str(exc).splitlines()[0][:60]}"
            continue
        try:
            value = candidate.run(program, activation)
            if value is not True and str(value) != "True" and value != 1:
                result["eval_us"][text] = f"wrong result {value!r}"
                continue
            result["eval_us"][text] = best_of(5, iterations, lambda p=program: candidate.run(p, activation))
        except Exception as exc:
            result["eval_us"][text] = f"error: {str(exc).splitlines()[0][:60]}"
    for feature, expression, expected in FEATURES:
        if not expression:
            result["features"][feature] = candidate.cost
            continue
        try:
            value = candidate.run(candidate.compile(expression), activation)
            ok = value is expected or str(value) == str(expected)
            result["features"][feature] = "native" if ok else f"wrong: {value!r}"
        except Exception as exc:
            result["features"][feature] = f"no ({str(exc).splitlines()[0][:50]})"
    return result


def baseline(iterations: int) -> dict[str, float]:
    return {text: best_of(5, iterations, lambda f=function: f(OBJECT, OLD)) for text, function in RULES}


def gitplane_layer(iterations: int) -> dict[str, Any]:
    """The chosen library as gitplane wraps it (gitplane.api.cel): per rule, and all rules on one object."""
    try:
        from gitplane.api.cel import compile_schema
    except ImportError:
        return {}
    out: dict[str, Any] = {}

    def schema(rules: list[str]) -> dict[str, Any]:
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                "x-kubernetes-validations": [{"rule": text} for text in rules]}

    for text, _ in RULES:
        compiled = compile_schema(schema([text]), root=False)
        if compiled.errors:
            out[text] = f"compile error: {compiled.errors[0].detail[:60]}"
            continue
        errors = compiled.validate(OBJECT, OLD)
        if errors:
            out[text] = f"failed: {errors[0]}"
            continue
        out[text] = best_of(5, iterations, lambda c=compiled: c.validate(OBJECT, OLD))
    every = compile_schema(schema([text for text, _ in RULES]), root=False)
    out["all rules, one object"] = best_of(5, iterations, lambda: every.validate(OBJECT, OLD))
    return out


def figure(value: Any) -> str:
    return f"{value:10.1f}" if isinstance(value, float) else f"{str(value)[:22]:>10}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    candidates: list[Candidate] = [CelExprPython(), CommonExpressionLanguage(), CelPython()]
    floor = baseline(args.iterations)
    results: dict[str, dict[str, Any]] = {}
    for candidate in candidates:
        missing = candidate.available()
        if missing:
            print(f"{candidate.name}: {missing}")
            continue
        results[candidate.name] = measure(candidate, args.iterations)
    names = list(results)
    header = "".join(f"{n[:22]:>24}" for n in names)
    print(f"\nCompile time per rule, µs (best of 3)\n{'rule':48}{header}")
    for text, _ in RULES:
        print(f"{text[:48]:48}" + "".join(f"{figure(results[n]['compile_us'][text]):>24}" for n in names))
    layer = gitplane_layer(args.iterations)
    print(f"\nEvaluation, µs (best of 5 x {args.iterations}); 'bind' hands one object (self, oldSelf) to the "
          f"library, each rule then runs on it\n{'rule':48}{'python lambda':>16}{header}{'gitplane.api.cel':>20}")
    print(f"{'bind self + oldSelf, once per object':48}{0.0:16.2f}"
          + "".join(f"{figure(results[n]['bind_us']):>24}" for n in names) + f"{'(included)':>20}")
    for text, _ in RULES:
        row = "".join(f"{figure(results[n]['eval_us'].get(text, '-')):>24}" for n in names)
        print(f"{text[:48]:48}{floor[text]:16.2f}{row}{figure(layer.get(text, '-')):>20}")
    totals = []
    for n in names:
        evals = list(results[n]["eval_us"].values())
        bind = results[n]["bind_us"]
        ok = isinstance(bind, float) and all(isinstance(v, float) for v in evals) and len(evals) == len(RULES)
        totals.append(bind + sum(evals) if ok else "incomplete")
    print(f"{'all rules, one object (bind + each rule)':48}{sum(floor.values()):16.2f}"
          + "".join(f"{figure(t):>24}" for t in totals) + f"{figure(layer.get('all rules, one object', '-')):>20}")
    print(f"\nKubernetes CEL features\n{'feature':40}" + "".join(f"{n[:30]:>32}" for n in names))
    for feature, _, _ in FEATURES:
        print(f"{feature:40}" + "".join(f"{str(results[n]['features'].get(feature, '-'))[:30]:>32}" for n in names))
    print(f"{'custom functions':40}" + "".join(f"{type(c).custom_functions[:30]:>32}" for c in candidates
                                              if c.name in results))


if __name__ == "__main__":
    main()
