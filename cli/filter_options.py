"""The filter options every command shares, declared once: --sector, --platform, --province,
--year, --from, --to and the dimension a count is split by (--by).

A command names the options it takes; it never declares one itself (tests/test_cli.py walks
the parser and checks each such option came from here). ``cli/names.py`` then checks the
names given, whichever command took them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.errors import TousuError
from models.rules.dimensions import DIMENSIONS, REGISTRY
from models.rules.filters import Filters


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是日期（应为 YYYY-MM-DD）：{text!r}") from None


def year_arg(text: str) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"不是年份（应为 YYYY）：{text!r}")
    return int(text)


@dataclass(frozen=True)
class FilterOption:
    """One filter option. A command takes it as an optional filter (names repeatable) or,
    with ``one=True``, as the one required value it is about (``tousu ratings --platform``)."""

    flag: str
    dest: str
    metavar: str
    help: str
    type: Callable[[str], Any] | None = None
    repeatable: bool = False
    one_metavar: str | None = None  # for one=True, where it reads differently
    one_help: str | None = None

    def add_to(
        self, parser: argparse.ArgumentParser, one: bool, required: bool = True
    ) -> argparse.Action:
        kwargs: dict[str, Any] = {"dest": self.dest, "type": self.type}
        if one:
            kwargs |= {"required": required, "metavar": self.one_metavar or self.metavar}
            kwargs["help"] = self.one_help or self.help
        else:
            kwargs |= {"metavar": self.metavar, "help": self.help}
            if self.repeatable:
                kwargs |= {"action": "append", "default": []}
        action = parser.add_argument(self.flag, **kwargs)
        action.filter_option = self  # type: ignore[attr-defined]  # the sweep checks it
        action.filter_one = one  # type: ignore[attr-defined]
        return action


OPTIONS = {
    option.flag: option
    for option in (
        FilterOption("--sector", "sector", "S", "赛道，可重复", repeatable=True, one_help="赛道"),
        FilterOption(
            "--platform",
            "platform",
            "P",
            "平台，可重复",
            repeatable=True,
            one_metavar="平台",
            one_help="平台名称",
        ),
        FilterOption(
            "--province", "province", "R", "省级地区（广东或广东省），可重复", repeatable=True
        ),
        FilterOption("--year", "year", "YYYY", "年份", type=year_arg),
        FilterOption("--from", "date_from", "DATE", "起始日期", type=date_arg),
        FilterOption("--to", "date_to", "DATE", "截止日期（含当天）", type=date_arg),
    )
}


def add_filter_options(
    parser: argparse.ArgumentParser, *flags: str, one: bool = False, required: bool = True
) -> None:
    """Declare the filter options ``flags`` (``"--sector"`` …) on a command's parser;
    ``one=True``: each takes exactly one value, and is required unless ``required=False``
    (a command that checks itself)."""
    for flag in flags:
        OPTIONS[flag].add_to(parser, one, required)


def add_dimension_option(parser: argparse.ArgumentParser) -> argparse.Action:
    """``--by DIM``: one dimension of the registry (models/rules/dimensions.py)."""
    by = "、".join(f"{d.name}（{d.label}）" for d in REGISTRY)
    return parser.add_argument(
        "--by", required=True, choices=DIMENSIONS, metavar="DIM", help=f"统计维度：{by}"
    )


def filters_from(args: argparse.Namespace) -> Filters:
    """The Filters the options describe (the names were checked by cli/names.py)."""
    year = getattr(args, "year", None)
    date_from, date_to = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if year is not None and (date_from or date_to):
        raise TousuError("--year 与 --from/--to 不能同时使用")
    if date_from and date_to and date_from > date_to:
        raise TousuError("--from 晚于 --to")
    filters = Filters(
        sectors=tuple(getattr(args, "sector", ())) or None,
        platforms=tuple(getattr(args, "platform", ())) or None,
        provinces=tuple(getattr(args, "province", ())) or None,
    )
    if year is not None:
        return filters.with_dates(date(year, 1, 1), date(year, 12, 31))
    return filters.with_dates(date_from, date_to)
