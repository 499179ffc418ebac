"""Rendering message templates in Jinja2's sandbox: subject, HTML body and text body.

Templates are written by staff in the admin, so they run in `SandboxedEnvironment`: no reaching for
`__class__` and friends, no unsafe calls. StrictUndefined makes a missing variable a clear error instead of
a silently empty gap in a client's email. HTML is autoescaped; the subject and the text body are not (they
are not HTML). Output size and `range()` are bounded so that a careless loop cannot eat the server.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, UndefinedError, nodes
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from coachway.core.errors import Invalid
from coachway.core.money import to_money

MAX_OUTPUT = 256 * 1024  # characters per rendered part
MAX_RANGE = 1000
MAX_SUBJECT = 500
PARTS = ("subject", "body_html", "body_text")
_SPACES = re.compile(r"\s+")


class RenderingTooLarge(TemplateError):
    """The template produced more text than any message may hold."""


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with `*` and `**` kept from building huge values."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        """Refuse a repetition or a power whose result would be enormous."""
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("the exponent is too large")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > MAX_OUTPUT:
                    raise SecurityError("the repeated value would be too large")
        return super().call_binop(context, operator, left, right)


def _bounded_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} items in message templates")
    return result


def money(value: Any) -> str:
    """1250.5 -> $1,250.50 (accepts numbers and numeric strings)."""
    try:
        amount = to_money(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise TemplateError(f"money: {value!r} is not an amount") from exc
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _environment(*, autoescape: bool) -> SandboxedEnvironment:
    env = _BoundedSandbox(autoescape=autoescape, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals["range"] = _bounded_range
    env.filters["money"] = money
    return env


_HTML = _environment(autoescape=True)
_PLAIN = _environment(autoescape=False)


def _env_for(part: str) -> SandboxedEnvironment:
    return _HTML if part == "body_html" else _PLAIN


@dataclass(frozen=True)
class Rendered:
    """A message as it will be sent: one-line subject, HTML body (may be empty) and text body."""

    subject: str
    html: str
    text: str


def _location(exc: TemplateError) -> str:
    line = getattr(exc, "lineno", None)
    return f"line {line}: " if line else ""


def _refusal(part: str, exc: Exception) -> Invalid:
    """The error a person sees for a template that cannot be rendered."""
    if isinstance(exc, SecurityError):
        message = f"This uses something templates may not use ({str(exc).rstrip('.')})."
    elif isinstance(exc, UndefinedError):
        message = f"{exc.message}: add it to the sample data (or the context) or remove it."
    elif isinstance(exc, TemplateSyntaxError):
        message = f"Template syntax error at {_location(exc)}{exc.message}"
    elif isinstance(exc, TemplateError):
        message = f"The template cannot be rendered: {exc.message or exc}"
    else:
        message = f"The template cannot be rendered: {type(exc).__name__}: {exc}"
    return Invalid(f"{part.replace('_', ' ').capitalize()}: {message}",
                   errors=[{"field": part, "message": message}])


def _unsafe_attributes(ast: nodes.Template) -> list[str]:
    """Attribute names starting with an underscore: the sandbox would refuse them when reached."""
    found = [n.attr for n in ast.find_all(nodes.Getattr) if n.attr.startswith("_")]
    found += [n.arg.value for n in ast.find_all(nodes.Getitem)
              if isinstance(n.arg, nodes.Const) and str(n.arg.value).startswith("_")]
    return found


def variables(part: str, source: str) -> set[str]:
    """The context variables a template part reads; raises Invalid on a syntax error or unsafe access."""
    env = _env_for(part)
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        raise _refusal(part, exc) from None
    unsafe = _unsafe_attributes(ast)
    if unsafe:
        raise _refusal(part, SecurityError(f"access to {unsafe[0]!r} is not allowed"))
    return find_undeclared_variables(ast) - set(env.globals)


def _bounded(chunks: Iterator[str]) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise RenderingTooLarge(f"the result is longer than {MAX_OUTPUT} characters")
        out.append(chunk)
    return "".join(out)


@lru_cache(maxsize=512)
def _compiled(part: str, source: str) -> Template:
    """A part's source checked and compiled once: parsing and compiling cost far more than rendering."""
    variables(part, source)
    try:
        return _env_for(part).from_string(source)
    except Exception as exc:  # noqa: BLE001 - a template that cannot compile is the template's fault
        raise _refusal(part, exc) from None


def render_part(part: str, source: str, context: Mapping[str, Any]) -> str:
    """One part rendered with context; Invalid (naming the part) when it cannot be."""
    if not source:
        return ""
    template = _compiled(part, source)
    try:
        return _bounded(template.generate(**dict(context)))
    except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's fault
        raise _refusal(part, exc) from None


def one_line(subject: str) -> str:
    """A subject as mail headers need it: whitespace (line breaks too) collapsed, trimmed."""
    return _SPACES.sub(" ", subject).strip()


def render(*, subject: str, body_html: str, body_text: str, context: Mapping[str, Any]) -> Rendered:
    """Render all three parts of a template with context (the same for a preview and a real send)."""
    rendered_subject = one_line(render_part("subject", subject, context))
    if len(rendered_subject) > MAX_SUBJECT:
        raise Invalid.field("subject", f"The rendered subject is longer than {MAX_SUBJECT} characters.")
    return Rendered(subject=rendered_subject, html=render_part("body_html", body_html, context),
                    text=render_part("body_text", body_text, context))


def missing_variables(*, subject: str, body_html: str, body_text: str,
                      context: Mapping[str, Any]) -> dict[str, list[str]]:
    """For each part, the variables it reads that context does not give (checks syntax as it goes)."""
    missing = {}
    for part, source in zip(PARTS, (subject, body_html, body_text), strict=True):
        lacking = sorted(variables(part, source) - set(context))
        if lacking:
            missing[part] = lacking
    return missing
