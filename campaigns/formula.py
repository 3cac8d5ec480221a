"""The safe formula evaluator.

A target's formula is arithmetic over measure codes: `+ - * /`, parentheses, unary minus and
decimal numbers. It is parsed with `ast` and walked node by node; anything else (names that
are not measures, calls, attributes, powers, strings, comparisons) is refused. All arithmetic
is `Decimal`. Division by zero, or a measure with no data, gives `None` ("no data").
"""

import ast
from decimal import Decimal, InvalidOperation, localcontext

OPERATORS = {ast.Add: "+", ast.Sub: "−", ast.Mult: "×", ast.Div: "÷"}


class FormulaError(ValueError):
    """A formula that cannot be evaluated safely; the message names the target."""


class Formula:
    """A parsed, checked formula. Build it with `Formula.parse`."""

    def __init__(self, source, tree, names):
        self.source = source
        self.tree = tree
        self.names = names

    @classmethod
    def parse(cls, source, *, known=None, target="?"):
        """Parse `source`; refuse anything but arithmetic on names (and, when `known` is
        given, names that are not in it)."""
        if not isinstance(source, str) or not source.strip():
            raise FormulaError(f"chỉ tiêu '{target}': công thức trống")
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"chỉ tiêu '{target}': công thức sai cú pháp ({exc.msg})") from None
        names = []
        for node in ast.walk(tree):
            _check_node(node, target)
            if isinstance(node, ast.Name) and node.id not in names:
                names.append(node.id)
        if known is not None:
            unknown = [name for name in names if name not in known]
            if unknown:
                raise FormulaError(f"chỉ tiêu '{target}': công thức dùng mã chỉ số không có: {', '.join(unknown)}")
        return cls(source.strip(), tree, names)

    def evaluate(self, values):
        """Evaluate with `values` (code → Decimal or None). Returns a Decimal, or None for
        "no data" (a missing value or a division by zero)."""
        with localcontext() as ctx:
            ctx.prec = 34
            return _eval(self.tree.body, values)

    def in_words(self, names):
        """The formula with each code replaced by its human name (`names`: code → name)."""
        return _words(self.tree.body, names)


def _check_node(node, target):
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.USub,
        ast.UAdd,
    )
    if not isinstance(node, allowed):
        what = {
            ast.Call: "lời gọi hàm",
            ast.Attribute: "thuộc tính",
            ast.Pow: "phép lũy thừa (**)",
            ast.Compare: "phép so sánh",
            ast.Subscript: "chỉ mục",
            ast.Mod: "phép chia lấy dư",
            ast.FloorDiv: "phép chia nguyên",
            ast.BoolOp: "phép logic",
            ast.Lambda: "lambda",
        }.get(type(node), type(node).__name__)
        raise FormulaError(f"chỉ tiêu '{target}': công thức không được dùng {what}")
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, (int, float))):
        raise FormulaError(f"chỉ tiêu '{target}': công thức chỉ được chứa số, không chứa {node.value!r}")


def _eval(node, values):
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        return None if value is None else Decimal(value)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    left = _eval(node.left, values)
    right = _eval(node.right, values)
    if left is None or right is None:
        return None
    if isinstance(node.op, ast.Add):
        return left + right
    if isinstance(node.op, ast.Sub):
        return left - right
    if isinstance(node.op, ast.Mult):
        return left * right
    if right == 0:
        return None
    try:
        return left / right
    except InvalidOperation:
        return None


def _words(node, names, parent_precedence=0):
    if isinstance(node, ast.Constant):
        return str(node.value).replace(".", ",")
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id)
    if isinstance(node, ast.UnaryOp):
        sign = "−" if isinstance(node.op, ast.USub) else "+"
        return sign + _words(node.operand, names, 3)
    precedence = 1 if isinstance(node.op, (ast.Add, ast.Sub)) else 2
    text = (
        f"{_words(node.left, names, precedence)} {OPERATORS[type(node.op)]} "
        f"{_words(node.right, names, precedence + (1 if isinstance(node.op, (ast.Sub, ast.Div)) else 0))}"
    )
    return f"({text})" if precedence < parent_precedence else text
