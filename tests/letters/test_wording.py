"""The funder's wording: placeholders filled in the sandbox, errors told at the field."""
from __future__ import annotations

import pytest

from grantflow.letters.wording import PLACEHOLDERS, WordingError, check_wording, default_wording, render_wording


def test_placeholders_are_filled_and_everything_is_escaped():
    out = render_wording("Dear {{ organization }},\n\nThanks & {{ amount }} > 0\nline two",
                         {"organization": "<script>x</script>", "amount": "$5.00"})
    assert str(out) == ("<p>Dear &lt;script&gt;x&lt;/script&gt;,</p>\n"
                        "<p>Thanks &amp; $5.00 &gt; 0<br>\nline two</p>")


@pytest.mark.parametrize("kind", ["award", "decline"])
def test_default_wordings_are_valid(kind):
    check_wording(default_wording(kind))


@pytest.mark.parametrize("source, message", [
    ("Dear {{ organisation }}", "Unknown placeholder {{ organisation }}"),
    ("Dear {{ organization }", "Line 1"),
    ("{% if amount %}x", "Line 1"),
    ("{{ organization.__class__.__mro__ }}", "not allowed"),
    ("{{ 'x' * 1000000 }}", "not allowed"),
    ("{{ 9 ** 999999 }}", "not allowed"),
])
def test_errors_are_specific(source, message):
    with pytest.raises(WordingError) as err:
        check_wording(source)
    assert message in str(err.value)


def test_sample_values_cover_every_placeholder():
    check_wording(" ".join("{{ %s }}" % name for name in PLACEHOLDERS))


@pytest.mark.parametrize("source", [
    "{% for i in range(999999999) %}x{% endfor %}",  # the sandbox's own OverflowError
    "{{ 1 / 0 }}", "{{ 1 // 0 }}", "{{ 10 % 0 }}", "{{ '%d' % organization }}",
    "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",  # recursion
])
def test_any_error_while_filling_in_is_told_not_raised(source):
    """The letter preview answered 500 on these (the wording is the funder's code, run in the sandbox)."""
    with pytest.raises(WordingError) as err:
        check_wording(source)
    assert str(err.value)


@pytest.mark.parametrize("source", [
    "Dear {{ recipient }},\n\nCongratulations.\n\nSincerely,\n{{ signatory }}\n{{ signatory_title }}",
    "Dear {{ recipient }},\n\nCongratulations.\n\nWith warm regards,\n{{ signatory }}, {{ signatory_title }}\n",
    "Congratulations.\n\n{{signatory}} — {{ signatory_title }}\n\n",
])
def test_a_wording_that_signs_itself_is_refused(source):
    """The letter ends with "Sincerely," and the signature: a wording ending with its own
    signature lines printed the name and title twice."""
    with pytest.raises(WordingError) as err:
        check_wording(source)
    assert "signed twice" in str(err.value)


def test_the_signatory_may_be_named_in_a_sentence():
    check_wording("Dear {{ recipient }},\n\n{{ signatory }}, our {{ signatory_title }}, will call you.\n\nThank you.")
