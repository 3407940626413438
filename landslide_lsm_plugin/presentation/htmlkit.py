"""A small HTML builder that escapes by default.

Text is escaped unless it is :class:`Markup` (HTML this module built); attribute values are
always escaped. So a value from a results file reaches the page as text whatever it holds:
escaping cannot be forgotten at one call site.

    el("td", name, class_="l")          -> <td class="l">&lt;b&gt;</td>   (name = "<b>")
    el("p", "Run on ", el("b", n), ".") -> nested, each part escaped once
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Union

#: HTML elements without content or end tag
VOID = frozenset({"img", "meta", "br", "hr", "link", "input"})


class Markup(str):
    """HTML built here (or a trusted constant): inserted as it is."""


Child = Union[str, Markup, None, Iterable]


def text(value) -> Markup:
    """Any value as escaped HTML text (None: nothing)."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def _children(parts) -> Iterable[Markup]:
    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            yield text(part)
        elif isinstance(part, Iterable):
            yield from _children(part)
        else:
            yield text(part)


def el(tag: str, *children: Child, **attrs) -> Markup:
    """An element: escaped children (strings, Markup, numbers, nested lists) and attributes
    (``class_`` for class; None and False leave an attribute out, True writes it bare)."""
    items = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        items.append(f" {name}" if value is True else f' {name}="{text(value)}"')
    opening = f"<{tag}{''.join(items)}>"
    if tag in VOID:
        return Markup(opening)
    return Markup(opening + "".join(_children(children)) + f"</{tag}>")


def join(*parts: Child) -> Markup:
    """Fragments side by side, each escaped unless already Markup."""
    return Markup("".join(_children(parts)))
