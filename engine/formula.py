"""The learner's own cost function, typed as a formula: parsed safely, differentiated exactly.

    >>> s = parse_formula("x**2 + 3*sin(y)")
    >>> s.value(1.0, 0.0), s.gradient(1.0, 0.0)
    (1.0, (2.0, 3.0))

The text is parsed with Python's ``ast`` and every node is checked against an allow-list
(numbers, the variables, + - * / ** and a few functions); nothing is ever ``eval``-ed.
The checked tree is turned into a small expression tree, differentiated symbolically
(once for the gradient, twice for the Hessian) and compiled into NumPy closures, so the
gradient is exact, not a finite difference.

Variables: ``x`` and ``y`` (or ``v1`` and ``v2``) for a surface; ``x`` (or ``v``,
``v1``) for a curve. Constants: ``pi``, ``e``. ``^`` means power, as people write it.
Limits keep a typo from freezing the app: at most 300 characters, 200 operations,
powers up to 50 with a constant exponent, numbers up to 1e6.
"""

from __future__ import annotations

import ast
import math
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from engine.surfaces import Surface

MAX_CHARS = 300
MAX_NODES = 200
MAX_POWER = 50.0
MAX_NUMBER = 1e6
MAX_GRADIENT_NODES = 1500    # the gradient is evaluated at every step of every rule
MAX_DERIVED_NODES = 6000     # the Hessian is skipped (no Newton) above this


class FormulaError(ValueError):
    """The formula cannot be used; the message says why in plain words."""


class _FoldError(FormulaError):
    """Numbers in the formula combine into something too large or undefined; the parser
    names the part of the formula (``why`` follows it in the message)."""

    def __init__(self, why: str):
        super().__init__(f"the numbers in the formula make a value that {why}.")
        self.why = why


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


# name -> NumPy function
FUNCTIONS: Dict[str, Callable] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "ln": np.log, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh,
    "cosh": np.cosh, "atan": np.arctan, "arctan": np.arctan, "sigmoid": _sigmoid,
}
_INTERNAL = {"sign": np.sign}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = {2: {"x": 0, "y": 1, "v1": 0, "v2": 1}, 1: {"x": 0, "v": 0, "v1": 0}}

# -------------------------------------------------------------- the expression tree
# ("c", value) | ("v", index) | ("+", a, b) | ("*", a, b) | ("/", a, b) | ("^", a, b)
# | ("neg", a) | ("f", name, a).  Subtraction is a + (-b).


def const(x: float):
    return ("c", float(x))


ZERO, ONE = const(0.0), const(1.0)


def _is_c(a, value=None) -> bool:
    return a[0] == "c" and (value is None or a[1] == value)


def _fold(op: str, *args: float) -> Tuple:
    try:
        with np.errstate(all="raise"):
            if op == "+":
                r = args[0] + args[1]
            elif op == "*":
                r = args[0] * args[1]
            elif op == "/":
                r = args[0] / args[1]
            else:
                r = float(args[0]) ** float(args[1])
    except ZeroDivisionError:
        raise _FoldError("divides by zero") from None
    except (OverflowError, FloatingPointError):
        raise _FoldError("is too large to compute (above about 1.8e308)") from None
    except ValueError:
        raise _FoldError("is undefined") from None
    if isinstance(r, complex):
        raise _FoldError("is undefined (a fractional power of a negative number)")
    if not math.isfinite(r):
        raise _FoldError("is too large to compute (above about 1.8e308)")
    return const(r)


def add(a, b):
    if _is_c(a) and _is_c(b):
        return _fold("+", a[1], b[1])
    if _is_c(a, 0.0):
        return b
    if _is_c(b, 0.0):
        return a
    return ("+", a, b)


def neg(a):
    if _is_c(a):
        return const(-a[1])
    if a[0] == "neg":
        return a[1]
    return ("neg", a)


def sub(a, b):
    return add(a, neg(b))


def mul(a, b):
    if _is_c(a) and _is_c(b):
        return _fold("*", a[1], b[1])
    if _is_c(a, 0.0) or _is_c(b, 0.0):
        return ZERO
    if _is_c(a, 1.0):
        return b
    if _is_c(b, 1.0):
        return a
    if _is_c(a, -1.0):
        return neg(b)
    if _is_c(b, -1.0):
        return neg(a)
    return ("*", a, b)


def div(a, b):
    if _is_c(b, 0.0):
        raise FormulaError("the formula divides by zero.")
    if _is_c(a) and _is_c(b):
        return _fold("/", a[1], b[1])
    if _is_c(a, 0.0):
        return ZERO
    if _is_c(b, 1.0):
        return a
    return ("/", a, b)


def power(a, b):
    if _is_c(b):
        if _is_c(a):
            return _fold("^", a[1], b[1])
        if b[1] == 0.0:
            return ONE
        if b[1] == 1.0:
            return a
    return ("^", a, b)


def func(name: str, a):
    if _is_c(a) and name in FUNCTIONS:
        with np.errstate(all="ignore"):
            r = float(FUNCTIONS[name](a[1]))
        if not math.isfinite(r):
            raise _FoldError("is undefined" if math.isnan(r) else "is infinite")
        return const(r)
    return ("f", name, a)


def size(t, limit: float = math.inf) -> int:
    """The number of nodes of ``t`` (as a tree), counting no further than ``limit``."""
    n, stack = 0, [t]
    while stack and n <= limit:
        node = stack.pop()
        n += 1
        if node[0] == "f":
            stack.append(node[2])
        elif node[0] not in ("c", "v"):
            stack.extend(node[1:])
    return n


def derivative(t, i: int):
    """d t / d v_i, simplified as it is built."""
    kind = t[0]
    if kind == "c":
        return ZERO
    if kind == "v":
        return ONE if t[1] == i else ZERO
    if kind == "+":
        return add(derivative(t[1], i), derivative(t[2], i))
    if kind == "neg":
        return neg(derivative(t[1], i))
    if kind == "*":
        a, b = t[1], t[2]
        return add(mul(derivative(a, i), b), mul(a, derivative(b, i)))
    if kind == "/":
        a, b = t[1], t[2]
        da, db = derivative(a, i), derivative(b, i)
        return div(sub(mul(da, b), mul(a, db)), power(b, const(2)))
    if kind == "^":
        a, b = t[1], t[2]
        da, db = derivative(a, i), derivative(b, i)
        if _is_c(db, 0.0):          # a ** constant
            return mul(mul(b, power(a, add(b, const(-1)))), da)
        # a ** b = exp(b log a):  d = a**b * (db log a + b da / a)
        return mul(t, add(mul(db, func("log", a)), div(mul(b, da), a)))
    if kind == "f":
        name, a = t[1], t[2]
        da = derivative(a, i)
        if _is_c(da, 0.0):
            return ZERO
        if name == "sin":
            outer = func("cos", a)
        elif name == "cos":
            outer = neg(func("sin", a))
        elif name == "tan":
            outer = div(ONE, power(func("cos", a), const(2)))
        elif name == "exp":
            outer = t
        elif name in ("log", "ln"):
            outer = div(ONE, a)
        elif name == "sqrt":
            outer = div(const(0.5), t)
        elif name == "abs":
            outer = ("f", "sign", a)
        elif name == "sign":
            return ZERO
        elif name == "tanh":
            outer = sub(ONE, power(t, const(2)))
        elif name == "sinh":
            outer = func("cosh", a)
        elif name == "cosh":
            outer = func("sinh", a)
        elif name in ("atan", "arctan"):
            outer = div(ONE, add(ONE, power(a, const(2))))
        elif name == "sigmoid":
            outer = mul(t, sub(ONE, t))
        else:  # pragma: no cover - the parser allows only the names above
            raise FormulaError(f"no derivative known for {name}")
        return mul(outer, da)
    raise AssertionError(kind)  # pragma: no cover


def _numpy_numbers(fn: Callable) -> Callable:
    """``fn`` with plain Python numbers turned into NumPy's: then 1/(x-y) at x = y is inf
    (NumPy's warning is silenced by ``Surface``), not a ZeroDivisionError."""
    f64, plain = np.float64, (int, float)

    def call(*v):
        return fn(*[f64(a) if isinstance(a, plain) else a for a in v])
    return call


def compile_tree(t) -> Callable:
    """A function of the variables (NumPy arrays) that evaluates the tree element-wise."""
    kind = t[0]
    if kind == "c":
        value = t[1]
        return lambda *v: value + 0.0 * v[0]
    if kind == "v":
        i = t[1]
        return lambda *v: v[i] + 0.0
    if kind == "neg":
        fa = compile_tree(t[1])
        return lambda *v: -fa(*v)
    if kind == "f":
        fn = FUNCTIONS.get(t[1]) or _INTERNAL[t[1]]
        fa = compile_tree(t[2])
        return lambda *v: fn(fa(*v))
    fa, fb = compile_tree(t[1]), compile_tree(t[2])
    if kind == "+":
        return lambda *v: fa(*v) + fb(*v)
    if kind == "*":
        return lambda *v: fa(*v) * fb(*v)
    if kind == "/":
        return lambda *v: fa(*v) / fb(*v)
    if kind == "^":
        if t[2][0] == "c" and float(t[2][1]).is_integer():
            n = int(t[2][1])
            return lambda *v: np.power(np.asarray(fa(*v), dtype=float), n)
        return lambda *v: np.power(fa(*v), fb(*v))
    raise AssertionError(kind)  # pragma: no cover


# -------------------------------------------------------------- parsing
def _where(node) -> str:
    col = getattr(node, "col_offset", None)
    return f" at column {col + 1}" if col is not None else ""


def _describe(node) -> str:
    names = {
        ast.Attribute: "attribute access ('.')", ast.Subscript: "indexing ('[ ]')",
        ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'", ast.Lambda: "lambda",
        ast.IfExp: "'if ... else'", ast.List: "lists", ast.Tuple: "tuples (commas)",
        ast.Dict: "dictionaries", ast.Set: "sets",
    }
    for cls, text in names.items():
        if isinstance(node, cls):
            return text
    return type(node).__name__


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class _Builder:
    def __init__(self, variables: Dict[str, int], source: str = ""):
        self.variables = variables
        self.source = source
        self.nodes = 0

    def text(self, node, limit: int = 40) -> str:
        """What the learner wrote for ``node`` (shortened), for messages."""
        seg = ast.get_source_segment(self.source, node) if self.source else None
        if seg is None:
            try:
                seg = ast.unparse(node)
            except Exception:       # noqa: BLE001 - only for a message
                seg = type(node).__name__
        seg = " ".join(seg.split())
        return seg if len(seg) <= limit else seg[:limit - 3] + "..."

    def build(self, node):
        try:
            return self._build(node)
        except _FoldError as exc:
            if isinstance(node, (ast.BinOp, ast.Call, ast.UnaryOp)):
                raise FormulaError(f"{self.text(node)!s} {exc.why}{_where(node)}.") from None
            raise

    def _build(self, node):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormulaError(f"the formula is too long (more than {MAX_NODES} operations).")
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"only numbers are allowed, not {node.value!r}"
                                   f"{_where(node)}.")
            value = float(node.value)
            if not math.isfinite(value) or abs(value) > MAX_NUMBER:
                raise FormulaError(f"numbers are limited to {MAX_NUMBER:,.0f} in size, and "
                                   f"{self.text(node)} is larger{_where(node)}.")
            return const(value)
        if isinstance(node, ast.Name):
            if node.id in self.variables:
                return ("v", self.variables[node.id])
            if node.id in CONSTANTS:
                return const(CONSTANTS[node.id])
            if node.id in FUNCTIONS:
                raise FormulaError(f"{node.id} is a function: write {node.id}(...)"
                                   f"{_where(node)}.")
            raise FormulaError(f"unknown name '{node.id}'{_where(node)}. "
                               f"{self.vocabulary()}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            a = self.build(node.operand)
            return neg(a) if isinstance(node.op, ast.USub) else a
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = self.build(node.left), self.build(node.right)
            op = _BINOPS[type(node.op)]
            if op == "+":
                return add(a, b)
            if op == "-":
                return sub(a, b)
            if op == "*":
                return mul(a, b)
            if op == "/":
                return div(a, b)
            if not _is_c(b) and self._grows(a, b):
                raise FormulaError(f"a variable in an exponent is only allowed on a positive "
                                   f"base number or inside exp(){_where(node)}.")
            # (checked here, not in power(): the derivative of x**-50 is -50*x**-51)
            if _is_c(b) and abs(b[1]) > MAX_POWER:
                written = self.text(node.right)
                try:
                    same = float(written) == b[1]
                except ValueError:
                    same = False
                found = written if same else f"{written} = {b[1]:.12g}"
                raise FormulaError(f"powers are limited to {MAX_POWER:g} in size (the exponent "
                                   f"here is {found}){_where(node)}.")
            return power(a, b)
        if isinstance(node, ast.BinOp):
            raise FormulaError(f"the operator {type(node.op).__name__} is not allowed"
                               f"{_where(node)}: use + - * / and ** (or ^).")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = self.text(node.func)
                raise FormulaError(f"unknown function '{name}'{_where(node)}. "
                                   f"Functions: {', '.join(sorted(FUNCTIONS))}.")
            if node.keywords or len(node.args) != 1:
                raise FormulaError(f"{node.func.id}() takes exactly one argument"
                                   f"{_where(node)}.")
            return func(node.func.id, self.build(node.args[0]))
        raise FormulaError(f"{_describe(node)} not allowed{_where(node)}. {self.vocabulary()}")

    @staticmethod
    def _grows(a, b) -> bool:
        # x ** y with a variable base is easy to make undefined; allow c ** (expr) only.
        return not (_is_c(a) and a[1] > 0)

    def vocabulary(self) -> str:
        names = sorted(self.variables, key=lambda n: (len(n), n))
        return (f"Use the variables {', '.join(names)}, numbers, pi, e, + - * / ** and "
                f"{', '.join(sorted(FUNCTIONS))}.")


def parse_tree(text: str, dim: int = 2):
    """The checked, simplified expression tree of ``text`` (raises ``FormulaError``)."""
    if dim not in VARIABLES:
        raise FormulaError("formulas have one or two variables.")
    text = (text or "").strip()
    if not text:
        raise FormulaError("type a formula, for example "
                           + ("x**2 + 3*y**2" if dim == 2 else "x**4 - 2*x**2") + ".")
    if len(text) > MAX_CHARS:
        raise FormulaError(f"the formula is too long ({len(text)} characters; "
                           f"at most {MAX_CHARS}).")
    source = text.replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = f" at column {exc.offset}" if exc.offset else ""
        raise FormulaError(f"this is not a formula I can read{col}: "
                           f"{exc.msg.rstrip('.')}.") from None
    except (ValueError, MemoryError, RecursionError):
        raise FormulaError("the formula cannot be read (too deeply nested?).") from None
    try:
        return _Builder(VARIABLES[dim], source).build(tree)
    except RecursionError:
        raise FormulaError("the formula is too deeply nested.") from None


def parse_formula(text: str, dim: int = 2,
                  domain: Optional[Sequence[Tuple[float, float]]] = None,
                  start: Optional[Sequence[float]] = None) -> Surface:
    """A ``Surface`` for ``text``: value, exact gradient, exact Hessian (when it stays a
    reasonable size). ``domain`` defaults to [-3, 3] for each variable."""
    tree = parse_tree(text, dim)
    if domain is None:
        domain = ((-3.0, 3.0),) * dim
    domain = tuple((float(lo), float(hi)) for lo, hi in domain)
    if len(domain) != dim or any(not (math.isfinite(lo) and math.isfinite(hi) and lo < hi)
                                 for lo, hi in domain):
        raise FormulaError("the plotted range must be finite with low < high.")
    if start is None:
        start = tuple(lo + 0.8 * (hi - lo) for lo, hi in domain)
    try:
        grads = [derivative(tree, i) for i in range(dim)]
        n = sum(size(g, MAX_GRADIENT_NODES) for g in grads)
        if n > MAX_GRADIENT_NODES:
            raise FormulaError(
                f"the formula's gradient is too large to compute at every step (more than "
                f"{MAX_GRADIENT_NODES} operations). Write it more compactly: x**20 rather "
                f"than x*x*...*x, (x + y)**3 rather than (x + y)*(x + y)*(x + y).")
        hess = None
        if n * 4 < MAX_DERIVED_NODES:
            rows = [[derivative(g, j) for j in range(dim)] for g in grads]
            if sum(size(h, MAX_DERIVED_NODES) for row in rows for h in row) \
                    <= MAX_DERIVED_NODES:
                hess = rows
    except RecursionError:
        raise FormulaError("the formula is too deeply nested to differentiate.") from None
    except _FoldError as exc:
        raise FormulaError(f"the formula's derivative holds a number that {exc.why}: write "
                           f"it with smaller numbers.") from None
    f = _numpy_numbers(compile_tree(tree))
    dfs = [compile_tree(g) for g in grads]
    df = _numpy_numbers(lambda *v: tuple(d(*v) for d in dfs))
    d2f = None
    if hess is not None:
        d2s = [[compile_tree(h) for h in row] for row in hess]
        d2f = _numpy_numbers(lambda *v: tuple(tuple(h(*v) for h in row) for row in d2s))
    return Surface("formula", "Your formula", dim, f, df, d2f, domain, tuple(start),
                   text.strip(), "Your own cost function, differentiated exactly.")


def to_text(t) -> str:
    """The tree written back as a formula (for showing a derivative to the learner)."""
    kind = t[0]
    if kind == "c":
        return f"{t[1]:g}"
    if kind == "v":
        return ("x", "y")[t[1]]
    if kind == "neg":
        return f"-({to_text(t[1])})"
    if kind == "f":
        return f"{t[1]}({to_text(t[2])})"
    op = {"+": " + ", "*": "*", "/": "/", "^": "**"}[kind]
    return f"({to_text(t[1])}{op}{to_text(t[2])})"
