"""Complaint data shaped like a published 2024 report (seeds 001 and 003), made from the
report's own text.

:func:`read_seed` reads the facts a reader checks from the seed file: the 投诉榜 and the
earlier platforms, the sector's shares, each section's ratings, problem types, regions,
gender shares, amount brackets and cases. :func:`plan` finds complaint counts that give
those facts (an integer program: every per-platform fact and the 投诉榜 order are hard,
each sector share is soft, so a share no count can give alongside the rest is reported,
not hidden); :func:`rows` turns the counts into importable rows. Nothing here knows what
Tousu prints: the tests compare its output with the seed's sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations, pairwise
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from models.rules.labels import FEMALE, MALE, NOT_CHOSEN, UNKNOWN
from models.rules.numbers import percent
from models.rules.periods import report_order

SEEDS = Path("/work/shared/seeds")
CN = "一二三四五六七八九十"
#: Typos in the seeds, as the README lists them: (what is printed, what is meant).
FIXES = [
    ("重庆市（39.5%）", "重庆市（3.95%）"),  # 001: 3/76
    ("北云南省", "云南省"),  # 003, 京东金融's regions
    ("广西省", "广西壮族自治区"),  # 003, 来分期's regions: the province's name
]
#: How many labels the default template names per platform (types, regions): a longer
#: list in the seed means the rest are at most as frequent as the last one named.
NAMED = {"problem_type": 5, "province": 15, "amount_bracket": 99}
TOP = 10  # the sector's TOP10 sentences
SCHEME_BRACKETS = (
    "0-100元",
    "100-500元",
    "500-1000元",
    "1000-5000元",
    "5000-10000元",
    "10000元以上",
)
DIMENSIONS = ("problem_type", "province", "gender", "amount_bracket")
#: What a row says for no label: 未知 is a problem type the reports never name.
UNKNOWN_OF = {"problem_type": UNKNOWN, "province": "", "gender": "", "amount_bracket": ""}


@dataclass
class Case:
    month: int
    day: int
    province: str
    person: str  # 胡先生
    headline: str
    content: list[str]  # its paragraphs
    handling: str  # the sentence after it
    reply: str | None  # the platform's reply it quotes, if any

    @property
    def gender(self) -> str:
        return MALE if self.person.endswith("先生") else FEMALE


@dataclass
class Section:
    platform: str
    ratings: int
    grade: str
    lists: dict[str, list[str]]  # problem_type, province, amount_bracket: labels in order
    genders: dict[str, Decimal]
    cases: list[Case]


@dataclass
class Seed:
    sector: str
    year: int
    leaderboard: list[str]
    earlier: list[str]
    shares: dict[str, list[tuple[str, Decimal]]]  # the sector's, as printed
    unrated: list[str]  # named 不予评级 in the abstract
    worst: list[str]  # named 不建议下单 in the abstract
    sections: list[Section]
    #: Printed shares of labels outside the scheme (0-5万元 overlaps every bracket).
    outside: list[tuple[str, Decimal]] = field(default_factory=list)


def _clean(text: str) -> list[str]:
    for wrong, right in FIXES:
        text = text.replace(wrong, right)
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("[image")]


def _shares(text: str) -> list[tuple[str, Decimal]]:
    return [(label, Decimal(p)) for label, p in re.findall(r"([^、（：]+)（([\d.]+)%）", text)]


def _genders(text: str) -> dict[str, Decimal]:
    return {
        g: Decimal(p) for g, p in re.findall(r"([男女])性用户投诉比例(?:为|高达)([\d.]+)%", text)
    }


def _case(lines: list[str]) -> Case:
    headline = re.sub(r"^\s*【案例[一二三四五六七八九十]+】", "", lines[0]).strip()
    first = re.match(r"(\d+)月(\d+)日，(.*?)向“?电诉宝”?投诉称[，,]?(.*)", lines[1])
    assert first, lines[1]
    month, day, who, rest = first.groups()
    where = re.match(r"(.+?(?:省|市|自治区))?的?(.+)", who)
    assert where
    province, person = where.group(1) or "", where.group(2)
    body = [rest, *lines[2:-1]]
    handling = lines[-1]
    replied = re.search(r"回复称：(.+)$", handling)
    return Case(
        int(month),
        int(day),
        province,
        person,
        headline,
        [b for b in body if b],
        handling,
        replied.group(1) if replied else None,
    )


def _section(platform: str, lines: list[str]) -> Section:
    text = "\n".join(lines)
    ratings = int(re.search(r"共获得(\d+)次消费评级", text).group(1))
    grade = re.search(r"整体消费评级为“([^”]+)”", text).group(1)
    lists = {
        "problem_type": re.search(r"问题类型主要集中于([^；]+)；", text).group(1).split("、"),
        "province": re.search(r"聚集地区为([^；]+)；", text).group(1).split("、"),
        "amount_bracket": [
            b
            for b in re.search(r"投诉金额分布于(.+?)区间", text).group(1).split("、")
            if b in SCHEME_BRACKETS  # 0-5万元 spans the scheme's brackets: not one of them
        ],
    }
    starts = [i for i, line in enumerate(lines) if line.startswith("【案例")]
    ends = [*starts[1:], len(lines)]
    cases = [_case(lines[a:b]) for a, b in zip(starts, ends, strict=True)]
    return Section(platform, ratings, grade, lists, _genders(text), cases)


def read_seed(name: str) -> Seed:
    """The facts of seed ``name`` (001 or 003)."""
    path = next(SEEDS.glob(f"{name}_*.txt"))
    lines = _clean(path.read_text(encoding="utf-8"))
    text = "\n".join(lines)
    year, sector = re.search(r"《(\d{4})年中国(\S+?)投诉数据与典型案例报告》", text).groups()
    board = re.search(r"(?:入选投诉榜的平台的依次为|投诉量依次为：)([^；。]+)", text).group(1)
    earlier = re.search(r"也曾收到过(.+?)等", text).group(1).split("、")
    highlight = next(line for line in lines if "评级榜" in line and "获“" in line)
    named = dict(re.findall(r"([^：，；中]+?)获“(不予评级|不建议下单)”", highlight)[::-1])
    named = {grade: names.split("、") for names, grade in named.items()}
    overall = text[text.index("二、整体数据") :]
    shares = {
        "problem_type": _shares(re.search(r"问题类型TOP10依次为：(.+?)。", overall).group(1)),
        "province": _shares(re.search(r"聚集地区TOP10依次为(.+?)。", overall).group(1)),
        "gender": sorted(
            _genders(re.search(r"性别分布\n(.+?)\n", overall).group(1)).items(),
            key=lambda item: -item[1],
        ),
        "amount_bracket": _shares(re.search(r"金额分布主要集中在(.+?)[区，。]", overall).group(1)),
    }
    outside = [s for s in shares["amount_bracket"] if s[0] not in SCHEME_BRACKETS]
    shares["amount_bracket"] = [s for s in shares["amount_bracket"] if s[0] in SCHEME_BRACKETS]
    heads = [
        (i, m.group(1))
        for i, line in enumerate(lines)
        if (m := re.match(r"（\d）\s*“([^”]+)”数据与典型案例", line))
    ]
    stop = next(i for i, line in enumerate(lines) if re.match(r"(四、关于我们|注意：)", line))
    bounds = [i for i, _p in heads[1:]] + [stop]
    sections = [
        _section(platform, lines[i + 1 : end])
        for (i, platform), end in zip(heads, bounds, strict=True)
    ]
    return Seed(
        sector,
        int(year),
        board.split("、"),
        earlier,
        shares,
        named.get("不予评级", []),
        named.get("不建议下单", []),
        sections,
        outside,
    )


# --- counts that give the facts ------------------------------------------------------


class _Program:
    """A small integer program over named variables (scipy's HiGHS)."""

    def __init__(self) -> None:
        self.names: dict[object, int] = {}
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, key: object, low: float = 0, high: float = 5000) -> int:
        if key not in self.names:
            self.names[key] = len(self.lower)
            self.lower.append(low)
            self.upper.append(high)
        return self.names[key]

    def add(self, terms: dict[int, float], low: float = -np.inf, high: float = np.inf) -> None:
        self.rows.append((terms, low, high))

    def solve(self, objective: dict[int, float]) -> dict[object, int] | None:
        a = np.zeros((len(self.rows), len(self.lower)))
        for r, (terms, _low, _high) in enumerate(self.rows):
            for i, c in terms.items():
                a[r, i] += c
        c = np.zeros(len(self.lower))
        for i, w in objective.items():
            c[i] = w
        result = milp(
            c,
            constraints=LinearConstraint(a, [r[1] for r in self.rows], [r[2] for r in self.rows]),
            integrality=np.ones(len(self.lower)),
            bounds=Bounds(self.lower, self.upper),
            options={"time_limit": 10},
        )
        if result.x is None:
            return None
        return {key: round(result.x[i]) for key, i in self.names.items()}


def _after(a: str, b: str) -> int:
    """1 when ``a`` listed before ``b`` at equal counts would contradict the tie order
    (labels ascending), so ``a`` must have more."""
    return 1 if a > b else 0


@dataclass
class Plan:
    counts: dict[str, int]  # complaints per 投诉榜 platform
    labels: dict[tuple[str, str], Counter]  # (dimension, platform) → label counts
    unmet: list[str]  # the sector facts no counts could give alongside the rest


def totals(seed: Seed, most: int = 2000) -> list[int]:
    """Sector totals, those that can give the most printed sector shares first (then the
    smallest): a share no total gives together with the others is a seed's own slip."""
    printed = [share for d in DIMENSIONS for _v, share in seed.shares[d]]

    def given(total: int) -> int:
        return sum(any(percent(k, total) == s for k in _near(s, total)) for s in printed)

    return sorted(range(1, most), key=lambda total: (-given(total), total))


def _near(share: Decimal, total: int) -> range:
    k = int(share * total / 100)
    return range(max(k - 1, 0), k + 2)


def plan(seed: Seed) -> Plan:
    """Complaint counts per platform and label giving every fact of ``seed`` it can: the
    first sector total (of those the printed shares allow) that gives them all, else the
    one that gives the most."""
    best = None
    for total in totals(seed)[:8]:
        found = _plan(seed, total)
        if found is not None and (best is None or len(found.unmet) < len(best.unmet)):
            best = found
        if best is not None and not best.unmet:
            break
    assert best is not None, "no counts give the per-platform facts"
    return best


def _plan(seed: Seed, total: int) -> Plan | None:
    prog = _Program()
    board = seed.leaderboard
    n = {p: prog.var(("n", p), low=1) for p in board}
    prog.add({i: 1 for i in n.values()}, total, total)
    for a, b in pairwise(board):
        prog.add({n[a]: 1, n[b]: -1}, low=_after(a, b))
    sections = {s.platform: s for s in seed.sections}
    labels = {
        d: sorted(
            {label for label, _s in seed.shares[d]}
            | {label for s in seed.sections for label in s.lists.get(d, ())}
            | (
                {c.province for s in seed.sections for c in s.cases if c.province}
                if d == "province"
                else set()
            )
            | ({FEMALE, MALE} if d == "gender" else set())
        )
        for d in DIMENSIONS
    }
    x = {}
    for d in DIMENSIONS:
        for p in board:
            cells = {v: prog.var((d, p, v)) for v in [*labels[d], UNKNOWN]}
            x.update({(d, p, v): i for v, i in cells.items()})
            prog.add({**{i: 1 for i in cells.values()}, n[p]: -1}, 0, 0)
            if d == "gender":
                prog.upper[cells[UNKNOWN]] = 0
    for p, s in sections.items():
        on_cases = {
            "province": Counter(c.province or UNKNOWN for c in s.cases),
            "gender": Counter(c.gender for c in s.cases),
        }
        for d, listed in s.lists.items():
            for a, b in pairwise(listed):
                prog.add({x[d, p, a]: 1, x[d, p, b]: -1}, low=_after(a, b))
            prog.add({x[d, p, listed[-1]]: 1}, low=1)
            for v in labels[d]:
                if v in listed or v in on_cases.get(d, ()):  # a case's own is never refused
                    continue
                if len(listed) < NAMED[d]:
                    prog.upper[x[d, p, v]] = 0
                else:
                    prog.add({x[d, p, listed[-1]]: 1, x[d, p, v]: -1}, low=_after(listed[-1], v))
        for g, share in s.genders.items():
            _share(prog, {x["gender", p, g]: 1}, [n[p]], share, hard=True)
        for d, wanted in on_cases.items():
            for v, k in wanted.items():
                prog.add({x[d, p, v]: 1}, low=k)
    soft = {}
    slips: list[str] = []
    for d in DIMENSIONS:
        printed = seed.shares[d]
        for v, share in printed:
            z = prog.var(("z", d, v), 0, 1)
            soft[z] = f"{d}:{v}（{share}%）"
            if _counts(share, total):
                lo, hi = _counts(share, total)  # the counts printing as this share
            else:  # no count prints as it: a slip, so the nearest count, said unmet
                lo = hi = round(share * total / 100)
                slips.append(soft[z])
            terms = {x[d, p, v]: 1 for p in board}
            prog.add({**terms, z: -lo}, low=0)  # at least lo when met
            prog.add({**terms, z: total}, high=hi + total)  # at most hi when met
        listed = [v for v, _s in printed]
        for v in labels[d]:
            if v in listed or not listed:
                continue
            z = prog.var(("z", d, "rest", v), 0, 1)
            soft[z] = f"{d}:{v} outside the printed list"
            big = total
            terms = {x[d, p, v]: -1 for p in board}
            if d != "gender" and len(listed) >= TOP:  # at most the last named
                terms |= {x[d, p, listed[-1]]: 1 for p in board}
                prog.add({**terms, z: -big}, low=_after(listed[-1], v) - big)
            else:  # a shorter list names every label
                prog.add({**{i: -c for i, c in terms.items()}, z: big}, high=big)
    objective = {z: -1.0 for z in soft} | {i: 0.0001 for i in n.values()}
    solved = prog.solve(objective)
    if solved is None:
        return None
    counts = {p: solved["n", p] for p in board}
    out = {
        (d, p): Counter({v: solved[d, p, v] for v in [*labels[d], UNKNOWN] if solved[d, p, v]})
        for d in DIMENSIONS
        for p in board
    }
    unmet = sorted({label for z, label in soft.items() if solved[_key(prog, z)] == 0} | set(slips))
    return Plan(counts, out, unmet)


def _key(prog: _Program, index: int) -> object:
    return next(k for k, i in prog.names.items() if i == index)


def _share(prog, part: dict[int, float], whole: list[int], share: Decimal, *, hard=False, z=None):
    """100·part/sum(whole) rounds to ``share`` (two decimals, half up); with ``z``, only
    when z is 1."""
    total = {i: 1.0 for i in whole}
    low, high = float(share) - 0.005, float(share) + 0.00499
    big = 600_000
    above = {i: 100.0 * c for i, c in part.items()} | {i: -low for i in total}
    below = {i: 100.0 * c for i, c in part.items()} | {i: -high for i in total}
    if hard:
        prog.add(above, low=0)
        prog.add(below, high=0)
    else:
        prog.add({**above, z: -big}, low=-big)
        prog.add({**below, z: big}, high=big)


# --- rows ------------------------------------------------------------------------------


def _counts(share: Decimal, total: int) -> tuple[int, int] | tuple[()]:
    ks = [k for k in _near(share, total) if percent(k, total) == share]
    return (min(ks), max(ks)) if ks else ()


def rating_periods(months: set[int], year: int) -> int:
    """How many of the reports' periods a platform with complaints in ``months`` is rated in."""
    return sum(
        1
        for p in report_order(year)
        if any(p.first_day.month <= m <= p.last_day.month for m in months)
    )


def months_for(target: int, fixed: set[int], most: int, year: int) -> list[int]:
    """The fewest months, holding ``fixed``, whose complaints give ``target`` ratings."""
    free = [m for m in range(1, 13) if m not in fixed]
    for extra in range(0, 13):
        if len(fixed) + extra > most:
            break
        for more in combinations(free, extra):
            chosen = fixed | set(more)
            if rating_periods(chosen, year) == target:
                return sorted(chosen)
    raise AssertionError(f"no months give {target} ratings with {fixed} in {most} complaints")


def rows(seed: Seed, planned: Plan) -> list[dict]:
    """Import rows for ``seed``: each 投诉榜 platform's complaints with the planned labels,
    in the months its rating count needs, its cases on their days; the earlier platforms'
    complaints in the years before, the most first."""
    out: list[dict] = []
    sections = {s.platform: s for s in seed.sections}
    serial = 0
    for p in seed.leaderboard:
        count = planned.counts[p]
        s = sections.get(p)
        cases = s.cases if s else []
        pools = {d: _pool(planned.labels[d, p]) for d in DIMENSIONS}
        fixed = {c.month for c in cases}
        months = months_for(s.ratings, fixed, count, seed.year) if s else [6]
        # the other complaints fill the months no case is in first
        spread = [m for m in months if m not in fixed] + months
        for i in range(count):
            serial += 1
            row = {
                "platform": p,
                "submitted_at": f"{seed.year}-{spread[(i - len(cases)) % len(spread)]:02d}-15 09:00",
                "complainant": f"林{serial}号",
                "title": f"{p}投诉{serial}",
            }
            if i < len(cases):
                c = cases[i]
                row |= {
                    "submitted_at": f"{seed.year}-{c.month:02d}-{c.day:02d} 10:00",
                    "complainant": c.person[0] + ("志强" if c.gender == MALE else "秀英"),
                    "typical": "是",
                    "headline": c.headline,
                    "content": "\n".join(c.content),
                }
                if c.reply:
                    row |= {"replied_at": f"{seed.year}-{c.month:02d}-{c.day:02d} 18:00"}
                    row["reply"] = c.reply
                take = {"gender": c.gender, "province": c.province or UNKNOWN}
            else:
                take = {}
            for d in DIMENSIONS:
                value = _take(pools[d], take.get(d))
                row[d] = UNKNOWN_OF[d] if value in (UNKNOWN, NOT_CHOSEN) else value
            if not s or s.grade not in ("不予评级", "不建议下单"):  # replied at once
                at = row["submitted_at"][:10]
                row |= {"replied_at": f"{at} 20:00", "reply": row.get("reply") or "已处理"}
            out.append(row)
    for i, p in enumerate(seed.earlier):
        for k in range(len(seed.earlier) - i):
            out.append(
                {
                    "platform": p,
                    "submitted_at": f"{seed.year - 1 - k % 2}-03-0{1 + k % 9} 09:00",
                    "complainant": f"旧{i}{k}",
                }
            )
    return out


def _pool(counts: Counter) -> list[str]:
    return [label for label, k in sorted(counts.items()) for _ in range(k)]


def _take(pool: list[str], wanted: str | None) -> str:
    if wanted is not None and wanted in pool:
        pool.remove(wanted)
        return wanted
    return pool.pop()


def onboarded(seed: Seed) -> dict[str, bool]:
    """Who is onboarded: 不予评级 is a platform that is not."""
    grades = {s.platform: s.grade for s in seed.sections}
    return {p: grades.get(p) != "不予评级" for p in [*seed.leaderboard, *seed.earlier]}
