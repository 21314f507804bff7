"""The longer sentences of the 2023 house style (seed 000) that the report context carries
for the ``2023`` template (and the 平台评级 page's ratings sentence); every other word of a
report is its template's (reports/templates/).

Pure functions of figures already computed: the report adds words, never numbers.
``org`` is the complaint platform's name (电诉宝 in the seeds) and ``data_org`` the data
brand's (电数宝); both come from the settings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from models.rules.labels import FEMALE, MALE, NOT_CHOSEN, UNKNOWN
from models.rules.periods import progress_note
from models.rules.rating import Rating, completed

if TYPE_CHECKING:  # the registry of dimensions (read by stats) names these sentences
    from models.reads.stats import Share

MAIN_SHARE = Decimal(10)  # shares of 10% and more are named with their percentage
TOP = 10
_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 16 → 十六, 23 → 二十三 (section and case numbers, up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _DIGITS[tens]}十{'' if ones == 0 else _DIGITS[ones]}"


def percent(value: Decimal) -> str:
    return f"{value:.2f}%"


def _known(shares: Sequence[Share]) -> list[Share]:
    return [s for s in shares if s.label not in (UNKNOWN, NOT_CHOSEN)]


def _listed(shares: Sequence[Share]) -> str:
    return "、".join(f"{s.label}（{percent(s.percent)}）" for s in shares)


def _main_and_rest(shares: Sequence[Share]) -> tuple[list[Share], list[Share]]:
    """The labels named with a percentage (10% and more, at least one, at most ten), and
    the rest (named only, at most ten)."""
    known = _known(shares)
    main = [s for s in known if s.percent >= MAIN_SHARE][:TOP] or known[:1]
    return main, known[len(main) : len(main) + TOP]


def problem_types_sentence(org: str, year: int, sector: str, shares: Sequence[Share]) -> str:
    main, rest = _main_and_rest(shares)
    sentence = f"据“{org}”显示，{year}年全国{sector}用户投诉问题类型主要有：{_listed(main)}"
    if rest:
        sentence += f"，此外，还有{'、'.join(s.label for s in rest)}等问题"
    return sentence + "。"


def regions_sentence(org: str, shares: Sequence[Share]) -> str:
    known = _known(shares)
    if len(known) > TOP:
        return f"同时，“{org}”受理投诉用户聚集地区TOP10依次为{_listed(known[:TOP])}。"
    main, rest = _main_and_rest(shares)
    sentence = f"同时，“{org}”受理投诉用户聚集地区主要在{_listed(main)}"
    if rest:
        sentence += f"，其余分别为{'、'.join(s.label for s in rest)}"
    return sentence + "。"


def gender_sentence(org: str, year: int, sector: str, shares: Sequence[Share]) -> str:
    """Larger share first, as the reports write it; an unknown share is said, not dropped."""
    by_label = {s.label: s for s in shares}
    known = sorted((by_label[g] for g in (FEMALE, MALE) if g in by_label), key=lambda s: -s.percent)
    parts = [f"{s.label}性用户投诉比例为{percent(s.percent)}" for s in known]
    if UNKNOWN in by_label:
        parts.append(f"未填写性别的用户占{percent(by_label[UNKNOWN].percent)}")
    return f"据“{org}”显示，{sector}{year}年" + "，".join(parts) + "。"


def amounts_sentence(org: str, year: int, sector: str, shares: Sequence[Share]) -> str:
    """Where the amounts lie, in the brackets chosen; 未选择 is no amount, so it is not
    among them: its share is said after."""
    chosen = _known(shares)
    unchosen = next((s for s in shares if s.label == NOT_CHOSEN), None)
    if not chosen:
        return f"据“{org}”显示，{year}年{sector}投诉用户均未选择金额区间。"
    sentence = f"据“{org}”显示，{year}年{sector}投诉金额主要分布为：{_listed(chosen)}"
    if unchosen is not None:
        sentence += f"；另有{percent(unchosen.percent)}的投诉未选择金额区间"
    return sentence + "。"


def distribution_sentence(
    org: str, year: int, sector: str, what: str, shares: Sequence[Share]
) -> str:
    """Any distribution without a sentence of its own: 据“…”显示，2024年社交电商投诉人类型
    分布为：消费者（95.00%）、商家（5.00%）。 (largest first; 未知 said last)."""
    ordered = [*_known(shares), *(s for s in shares if s.label in (UNKNOWN, NOT_CHOSEN))]
    return f"据“{org}”显示，{year}年{sector}{what}分布为：{_listed(ordered)}。"


def ratings_count_sentence(
    data_org: str,
    year: int,
    platform: str,
    grades: Sequence[str],
    pending: Sequence[str] = (),
    through: date | None = None,
) -> str:
    """``grades``: the year's ratings of periods that have ended, 全年 first when it has
    (the reports' table order); ``pending``: the periods still in progress on ``through``
    (统计中), named but not counted."""
    head = f"据电商大数据库“{data_org}”监测数据显示，{year}年“{platform}”"
    counts = Counter(grades)
    n = len(grades)
    if not n:
        sentence = head + "尚未获得消费评级"
    elif len(counts) == 1:
        sentence = head + f"共获得{n}次消费评级，{n}次获“{grades[0]}”"
    else:
        split = "、".join(f"{k}次获“{g}”" for g, k in counts.most_common())
        sentence = head + f"共获得{n}次消费评级，其中{split}"
    if pending:
        note = progress_note(through) if through else "统计中"
        sentence += f"；{'、'.join(pending)}{note}，不计入"
    if n and "全年" not in pending:
        sentence += f"，{year}年整体消费评级为“{grades[0]}”评级"
    return sentence + "。"


def year_ratings_sentence(
    data_org: str, year: int, platform: str, year_ratings: Sequence[Rating], today: date
) -> str:
    """:func:`ratings_count_sentence` of a platform's year (its ratings in the reports'
    order, as the report and the 平台评级 page list them); empty without ratings."""
    if not year_ratings:
        return ""
    pending = [r.period.label for r in year_ratings if r.period and not r.complete(today)]
    grades = [r.grade for r in completed(year_ratings, today)]
    return ratings_count_sentence(data_org, year, platform, grades, pending, today)


def platform_problems_sentence(
    year: int, platform: str, problem_types: Sequence[Share], brackets: Sequence[Share]
) -> str:
    types = "、".join(s.label for s in _known(problem_types)) or "其他"
    sentence = f"{year}年，“{platform}”涉嫌存在{types}等问题。"
    chosen = [s.label for s in _known(brackets)]  # 未选择 is no amount: not where they lie
    if chosen:
        sentence += f"用户投诉“{platform}”的消费金额主要在{'、'.join(chosen)}区间。"
    return sentence


def case_paragraph(
    org: str, submitted_at: datetime, complainant: str, content: str, demand: str | None
) -> str:
    """M月D日，山东省宫女士向“电诉宝”投诉称，…… (texts already masked and scrubbed)."""
    text = ended(
        f"{submitted_at.month}月{submitted_at.day}日，{complainant}向“{org}”投诉称，{content}"
    )
    if demand:
        text += f"其诉求是：{ended(demand)}"
    return text


def ended(text: str) -> str:
    """``text`` as a finished sentence: a full stop added unless it ends with one (。！？…),
    so the next sentence never runs into it (“…重新定责接到该用户投诉后”)."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？", ".", "!", "?", "…", "”")) else text + "。"
