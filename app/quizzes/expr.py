"""A small, safe arithmetic evaluator (no eval): numeric answers in quiz files and numbers typed by students.

Only numbers, the names it is given, + - * / // % **, unary +/-, parentheses and a fixed set of functions
are allowed. Every value is a float, so no huge integers can be built; exponents are bounded."""
from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping

MAX_EXPRESSION = 500
MAX_NODES = 200
MAX_EXPONENT = 1e6  # all values are floats, so this only guards against nonsense


class ExpressionError(ValueError):
    """The expression is not allowed or cannot be evaluated; the message says why."""


def _log(x: float, base: float | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


def _round(x: float, digits: float | None = None) -> float:
    return float(round(x) if digits is None else round(x, int(digits)))


FUNCTIONS: dict[str, tuple[object, int, int]] = {  # name: (function, min args, max args)
    "min": (min, 1, 16), "max": (max, 1, 16), "abs": (abs, 1, 1), "round": (_round, 1, 2),
    "log": (_log, 1, 2), "log2": (math.log2, 1, 1), "log10": (math.log10, 1, 1), "exp": (math.exp, 1, 1),
    "sqrt": (math.sqrt, 1, 1), "ceil": (math.ceil, 1, 1), "floor": (math.floor, 1, 1),
}
_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
}


def names_in(expression: str) -> set[str]:
    """The variable names an expression uses (functions excluded). Raises ExpressionError if unparsable."""
    tree = _parse(expression)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called}


def evaluate(expression: str | int | float, names: Mapping[str, float] | None = None) -> float:
    """The value of `expression` (a number or arithmetic over `names`) as a finite float."""
    if isinstance(expression, bool):
        raise ExpressionError("true/false is not a number")
    if isinstance(expression, (int, float)):
        value = float(expression)
    else:
        value = _Evaluator(names or {}).visit(_parse(str(expression)).body)
    if not math.isfinite(value):
        raise ExpressionError("the result is not a finite number")
    return value


def _parse(expression: str) -> ast.Expression:
    text = expression.strip()
    if not text:
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_EXPRESSION:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError("it is not a valid arithmetic expression") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError("the expression is too long")
    return tree


class _Evaluator:
    def __init__(self, names: Mapping[str, float]) -> None:
        self.names = names

    def visit(self, node: ast.AST) -> float:
        try:
            if isinstance(node, ast.Constant):
                if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                    raise ExpressionError(f"{node.value!r} is not a number")
                return float(node.value)
            if isinstance(node, ast.Name):
                if node.id not in self.names:
                    raise ExpressionError(f"unknown name {node.id!r}")
                value = self.names[node.id]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ExpressionError(f"{node.id!r} is not a number")
                return float(value)
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
                value = self.visit(node.operand)
                return -value if isinstance(node.op, ast.USub) else value
            if isinstance(node, ast.BinOp):
                left, right = self.visit(node.left), self.visit(node.right)
                if isinstance(node.op, ast.Pow):
                    return self._power(left, right)
                operation = _BINARY.get(type(node.op))
                if operation is None:
                    raise ExpressionError("only + - * / // % ** are allowed")
                return float(operation(left, right))
            if isinstance(node, ast.Call):
                return self._call(node)
        except ZeroDivisionError:
            raise ExpressionError("division by zero") from None
        except OverflowError:
            raise ExpressionError("the number is too large") from None
        raise ExpressionError(f"{type(node).__name__.lower()} is not allowed in an arithmetic expression")

    def _power(self, base: float, exponent: float) -> float:
        if abs(exponent) > MAX_EXPONENT:
            raise ExpressionError(f"exponents larger than {MAX_EXPONENT:g} are not allowed")
        result = base ** exponent
        if isinstance(result, complex):
            raise ExpressionError("a negative number raised to a fractional power has no real value")
        return float(result)

    def _call(self, node: ast.Call) -> float:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ExpressionError("only the functions " + ", ".join(sorted(FUNCTIONS)) + " are allowed")
        if node.keywords:
            raise ExpressionError("functions take positional arguments only")
        function, low, high = FUNCTIONS[node.func.id]
        if not low <= len(node.args) <= high:
            raise ExpressionError(f"{node.func.id}() takes {low} to {high} argument(s)")
        args = [self.visit(arg) for arg in node.args]
        try:
            return float(function(*args))  # type: ignore[operator]
        except (ValueError, TypeError):
            raise ExpressionError(f"{node.func.id}() is not defined for these values") from None


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
MAX_NUMBER_INPUT = 100


def parse_number(raw: str) -> float:
    """A number typed by a student: `0.75`, `-2`, `1e-3`, `1,234,567`, `0,75`, `20 000`, `3/4`, `2^20`.
    Raises ExpressionError with a message a person understands."""
    text = (raw or "").strip()
    if not text:
        raise ExpressionError("the answer is empty")
    if len(text) > MAX_NUMBER_INPUT:
        raise ExpressionError(f"the answer is longer than {MAX_NUMBER_INPUT} characters")
    if text.endswith("%"):
        raise ExpressionError("leave out the % sign and give the number in the unit the question asks for")
    text = (text.replace("\u2212", "-").replace("\u00d7", "*").replace("^", "**")
            .replace("\u202f", " ").replace("\u00a0", " "))
    text = re.sub(r"(?<=\d)[ _](?=\d)", "", text)
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    elif "," in text:
        raise ExpressionError("use a dot as the decimal separator")
    try:
        return evaluate(text)
    except ExpressionError as exc:
        if re.search(r"[A-Za-z]", re.sub(r"\d[eE][+-]?\d", "", text)):
            raise ExpressionError("it contains letters; type a number such as 0.75 or 1.2e-3") from None
        raise ExpressionError(str(exc)) from None


def format_number(value: float) -> str:
    """A readable rendering of an expected value: integers without a decimal point, else 6 significant digits."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"
