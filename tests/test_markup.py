"""dashboard.markup.literal: data in Markdown elements is escaped, character for character.

The browser test (tests/test_browser_markdown.py) shows the result in Chromium; these
pin down the escaping itself."""

from __future__ import annotations

import re
import string

import pytest

from web.markup import WORD_JOINER, literal

HOSTILE = [
    "XSS平台![x](http://evil.test/x.png)",
    "**粗体** _斜体_ ~~删除~~ `代码`",
    ":red[红色] :material/warning: :smile:",
    r"$\LaTeX$ $$x^2$$",
    '<img src="http://evil.test/y.png">',
    "# 标题",
    "- 列表",
    "1. 列表",
    "> 引用",
    "[链接](http://evil.test/z) www.evil.test a@evil.test",
    "\\*已转义\\*",
]


def unescape(text: str) -> str:
    """What CommonMark shows for ``text``: each backslash escape becomes its character."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace(WORD_JOINER, "")


@pytest.mark.parametrize("value", HOSTILE)
def test_every_markdown_character_is_escaped(value):
    escaped = literal(value)
    assert unescape(escaped) == value
    bare = re.sub(r"\\.", "", escaped)  # what is left outside escapes
    assert not set(bare) & set(string.punctuation), escaped


def test_bare_addresses_cannot_become_links():
    escaped = literal("见 http://evil.test、www.evil.test 或 a@evil.test")
    assert escaped.count(WORD_JOINER) == 3
    for start in ("http", "www", "@"):
        assert WORD_JOINER + start in escaped.replace("\\", "")


def test_text_stays_on_one_line_and_plain_text_is_unchanged():
    assert literal("第一行\n# 第二行\r\n第三行") == "第一行 \\# 第二行 第三行"
    assert (
        literal("小红书 退款问题 广东省 2024年第三季度") == "小红书 退款问题 广东省 2024年第三季度"
    )
    assert literal(42) == "42"
