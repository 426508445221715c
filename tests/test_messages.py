"""The words of each language (graph/answers/messages.py): counts follow CLDR's plural rules."""

from __future__ import annotations

import pytest

from graph.answers.messages import count


@pytest.mark.parametrize(("number", "noun", "lang", "text"), [
    (1, "node", "en", "1 node"), (3, "node", "en", "3 nodes"), (0, "link", "en", "0 links"),
    (1, "node", "ru", "1 узел"), (3, "node", "ru", "3 узла"), (5, "node", "ru", "5 узлов"),
    (11, "node", "ru", "11 узлов"), (21, "link", "ru", "21 связь"), (22, "link", "ru", "22 связи"),
    (14, "record", "ru", "14 записей"), (2, "market", "ru", "2 рынка"),
    (1, "node", "kk", "1 түйін"), (3, "node", "kk", "3 түйін"), (25, "record", "kk", "25 жазба"),
    (1234, "product", "ru", "1\u00a0234 продукта"), (1234, "product", "en", "1,234 products"),
])
def test_counts_take_the_plural_form_cldr_gives(number, noun, lang, text) -> None:
    assert count(number, noun, lang) == text
