"""argparse speaking Chinese: its usage line, headings and error messages.

argparse looks its messages up through the module's ``_`` at call time, so swapping that
function while the parser is built and used translates them without touching anything else.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager

_MESSAGES = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必填参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出其中之一",
    "ignored explicit argument %r": "忽略了多余的值 %r",
}


def translate(message: str) -> str:
    """The Chinese text of one of argparse's messages (unknown ones unchanged)."""
    return _MESSAGES.get(message, message)


@contextmanager
def chinese() -> Iterator[None]:
    """argparse's own texts in Chinese while the block runs (parser built and used in it)."""
    saved = argparse._  # type: ignore[attr-defined]
    argparse._ = translate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = saved  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help headings end with a full-width colon (选项：)."""

    def format_help(self) -> str:
        return re.sub(r"(?m)^(\S[^\n]*?):$", r"\1：", super().format_help())
