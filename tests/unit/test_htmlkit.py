"""The report's HTML builder escapes whatever it is given."""

from hypothesis import given
from hypothesis import strategies as st

from landslide_lsm_plugin.presentation.htmlkit import Markup, el, join, text


def test_text_and_attributes_are_escaped_markup_is_kept():
    page = el("td", '<script>alert("x")</script>', class_='l" onclick="evil()')
    assert page == ('<td class="l&quot; onclick=&quot;evil()">'
                    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</td>")
    nested = el("p", "a < b ", el("b", "& c"), None, [1.5, " ", Markup("<br>")])
    assert nested == "<p>a &lt; b <b>&amp; c</b>1.5 <br></p>"
    assert el("img", alt="<x>", src="data:,") == '<img alt="&lt;x&gt;" src="data:,">'
    assert join("<", Markup("<i>")) == "&lt;<i>" and text(None) == ""


@given(st.text())
def test_no_text_ever_becomes_a_tag(value):
    page = el("div", value, title=value)
    assert page.count("<") == 2 and page.count(">") == 2  # only the div's own tags
