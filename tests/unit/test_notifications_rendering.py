"""Rendering message templates in the sandbox: escaping, missing variables, refusals, limits."""

import pytest

from coachway.core.errors import Invalid
from coachway.notifications import rendering


def _render(subject="", body_html="", body_text="", **context):
    return rendering.render(subject=subject, body_html=body_html, body_text=body_text, context=context)


def _refusal(source: str, part: str = "body_html", **context) -> dict:
    with pytest.raises(Invalid) as caught:
        rendering.render_part(part, source, context)
    [error] = caught.value.errors
    assert caught.value.status == 422 and error["field"] == part
    return error


def test_html_is_escaped_but_subject_and_text_are_not():
    out = _render(subject="Hi {{ name }}", body_html="<p>{{ name }}</p>", body_text="{{ name }}",
                  name="Tom & <Jerry>")
    assert out.subject == "Hi Tom & <Jerry>"
    assert out.html == "<p>Tom &amp; &lt;Jerry&gt;</p>"
    assert out.text == "Tom & <Jerry>"


def test_subject_becomes_one_line():
    assert _render(subject="Trip\n{{ day }}\r\n  confirmed ", day="Friday").subject == "Trip Friday confirmed"


def test_money_filter_formats_dollars_and_cents():
    out = _render(body_text="{{ a | money }} {{ b | money }} {{ c | money }}", a="1250.5", b=3, c=-7.125)
    assert out.text == "$1,250.50 $3.00 -$7.13"


def test_money_filter_refuses_what_is_not_an_amount():
    assert "not an amount" in _refusal("{{ a | money }}", a="lots")["message"]


def test_missing_variable_is_a_clear_error():
    error = _refusal("Hello {{ client_name }}", part="body_text")
    assert "'client_name' is undefined" in error["message"]


def test_attribute_of_a_missing_variable_is_an_error_too():
    assert "undefined" in _refusal("{{ client.name }}")["message"]


def test_reaching_for_python_internals_is_refused():
    error = _refusal("{{ ''.__class__.__mro__ }}")
    assert "may not use" in error["message"]


def test_internals_by_subscript_are_refused():
    assert "may not use" in _refusal("{{ x['__class__'] }}", x="a")["message"]


def test_unsafe_format_string_is_refused():
    assert "unsafe" in _refusal("{{ '{0.__class__}'.format(1) }}")["message"]


def test_syntax_error_names_the_line():
    error = _refusal("<p>fine</p>\n{% if x %}no end", x=1)
    assert "syntax error at line 2" in error["message"]


def test_huge_range_is_refused():
    assert "range() is limited" in _refusal("{% for i in range(100000) %}x{% endfor %}")["message"]


def test_huge_repetition_is_refused():
    assert "too large" in _refusal("{{ 'x' * 10000000 }}")["message"]


def test_output_size_is_bounded():
    source = "{% for i in range(1000) %}{% for j in range(1000) %}xxxxxxxxxx{% endfor %}{% endfor %}"
    assert "longer than" in _refusal(source)["message"]


def test_runtime_error_in_a_template_is_refused_not_raised():
    assert "ZeroDivisionError" in _refusal("{{ 1 / 0 }}")["message"]


def test_missing_variables_are_listed_per_part():
    missing = rendering.missing_variables(subject="{{ a }}", body_html="{{ b }}{{ a }}", body_text="{{ c }}",
                                          context={"b": 1})
    assert missing == {"subject": ["a"], "body_html": ["a"], "body_text": ["c"]}


def test_loop_variables_and_globals_are_not_missing():
    source = "{% for i in range(3) %}{{ i }}{{ loop.index }}{% endfor %}"
    assert rendering.variables("body_text", source) == set()
