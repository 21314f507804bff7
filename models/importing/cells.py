"""Parsers for single cells: dates, amounts, integers, yes/no, and the checks every text
cell passes (length against its column, no control characters).

Parsers take stripped text and raise ``ValueError`` with a Chinese reason, which the
row validation reports with the row and column.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from models.clock import local_now, to_local
from models.importing.limits import EARLIEST_DATE

_TRUE = {"是", "true", "1", "yes", "y", "已入驻", "入驻"}
_FALSE = {"否", "false", "0", "no", "n", "未入驻", ""}

# --- dates ------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T](\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?)?$"
)
_DATE_HELP = "应为 2024-03-05 或 2024-03-05 14:30:00"


def parse_datetime(text: str) -> datetime:
    """A date or date-time in the usual spellings (2024-03-05, 2024/3/5 14:30, 2024年3月5日).

    A time with a UTC offset is converted to the local time zone, as all times are stored.
    The range is checked by :func:`check_moment`.
    """
    if len(text) > 40:
        raise ValueError(f"无法识别的日期，{_DATE_HELP}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        match = _DATE_RE.match(text)
        if not match:
            raise ValueError(f"无法识别的日期，{_DATE_HELP}") from None
        y, mo, d, h, mi, s = match.groups()
        try:
            moment = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        except ValueError:
            raise ValueError(f"不存在的日期或时间，{_DATE_HELP}") from None
    if moment.tzinfo is not None:
        moment = to_local(moment)
    return moment


def latest_moment() -> datetime:
    """The latest time an import accepts: a day from now (clocks run a little ahead)."""
    return local_now() + timedelta(days=1)


def check_moment(moment: datetime, latest: datetime) -> str | None:
    """Why ``moment`` is outside the accepted range, or None."""
    if moment.date() < EARLIEST_DATE:
        return f"日期早于 {EARLIEST_DATE:%Y-%m-%d}，超出可导入的范围"
    if moment > latest:
        return "时间晚于当前时间"
    return None


# --- numbers ----------------------------------------------------------------------------

# Plain decimal notation only: no NaN, Infinity or sNaN, no exponent that makes Decimal
# build a number of a million digits.
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,2})?$")


def _decimal(text: str, what: str) -> Decimal:
    if len(text) > 40 or not _NUMBER_RE.match(text):
        raise ValueError(f"{what}应为数字")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise ValueError(f"{what}应为数字") from None


def parse_amount(text: str) -> Decimal:
    """An amount in yuan: 1,234.50, 1234元; two decimals, 0 up to below 10¹²."""
    value = _decimal(
        text.replace(",", "").replace("，", "").removesuffix("元").strip(), "金额（元）"
    )
    if value < 0:
        raise ValueError("金额不能为负数")
    if value >= Decimal("1e12"):
        raise ValueError("金额过大")
    return value.quantize(Decimal("0.01"))


def parse_int(text: str, low: int, high: int, what: str) -> int:
    """An integer from ``low`` to ``high`` (``8`` and ``8.0`` alike)."""
    value = _decimal(text, what)
    if value != value.to_integral_value():
        raise ValueError(f"{what}应为整数")
    if not low <= value <= high:
        raise ValueError(f"{what}应在 {low} 到 {high} 之间")
    return int(value)


def parse_bool(text: str) -> bool:
    """是/否, true/false, 1/0 (empty is 否)."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("应为 是/否、true/false 或 1/0")
