"""Synthetic complaints: column arrays drawn from the published shares, then rows."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

import numpy as np

from models.importing.complaints import DIMENSION_COLUMNS
from models.rules.complaint import public_text
from models.rules.labels import (
    COARSE_BRACKETS,
    PENDING,
    RATED,
    REJECTED,
    REPLIED,
    TRANSFERRED,
    bracket_for_amount,
)
from models.rules.rating import TIER_FAST, TIER_LATE, TIER_SLOW

LAST_DAY = date(2025, 12, 31)  # the last of the full years; after it, up to today
YEARS = 3  # 2023–2025 unless asked for more history
PENDING_DAYS = 22  # complaints of the last 22 days are partly not yet reviewed …
PENDING_SHARE = 0.35  # … about a third of them
BATCH = 50_000

# Share of all complaints per sector (电诉宝 receives most about general retail).
SECTOR_SHARES = {
    "零售电商": 0.34,
    "生活服务": 0.14,
    "金融科技": 0.12,
    "跨境电商": 0.08,
    "社交电商": 0.08,
    "在线票务": 0.08,
    "产业电商": 0.08,
    "物流科技": 0.08,
}
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
FRAGMENTS = (
    "客服一直拖延不处理",
    "多次联系商家无果",
    "平台介入后仍未解决",
    "商家态度恶劣",
    "页面宣传与实际不符",
    "已提交凭证但被驳回",
    "超过承诺时间仍无进展",
    "要求平台尽快给出答复",
)
DEMANDS = ("要求退款", "要求赔偿损失", "要求平台介入处理", "要求商家道歉并退款", "要求解除合同")
REPLIES = (
    "您好，关于您反馈的问题，我们已安排专员联系您核实处理，请保持电话畅通。",
    "您好，您的问题已反馈至相关部门，处理结果将尽快通知您，感谢您的耐心等待。",
    "您好，经核实已为您办理退款，款项将在 1-3 个工作日内原路退回。",
)
#: The columns of a synthetic complaint, as :meth:`Synthetic.rows` orders them; its rows are
#: built by name, column by column.
COLUMNS = (
    *("id", "external_id", "platform_id", "submitted_at", "submitted_month", "age", "amount"),
    *DIMENSION_COLUMNS,
    *("title", "content", "demand", "public_text", "complainant", "phone", "email"),
    *("status", "transferred_at", "replied_at", "reply_tier", "score"),
    *("created_at", "updated_at", "version"),
)
#: What a sector's profile gives shares of, in the order they are drawn: fixed, so that a
#: seed gives the same complaints (a dimension added later draws from its own stream).
PROFILED = ("province", "gender", "amount_bracket", "problem_type")
#: 投诉人类型: merchants file a few percent of the complaints, mostly about what platforms
#: do to sellers; the chance that a complaint of each problem type is a merchant's.
MERCHANT_CHANCE = {"任意仅退款": 0.9, "冻结商家资金": 0.9, "退店保证金不退还": 0.6, "恶意罚款": 0.6}
MERCHANT_ELSEWHERE = 0.006
REPLIED_AT, SCORE = COLUMNS.index("replied_at"), COLUMNS.index("score")
_TITLES = {"女": "女士", "男": "先生"}  # 王女士, 王先生; 王 when the gender is unknown
_BRACKET_RANGES = {
    "0-100元": (1, 100),
    "100-500元": (100, 500),
    "500-1000元": (500, 1000),
    "1000-5000元": (1000, 5000),
    "5000-10000元": (5000, 10000),
    "10000元以上": (10000, 200000),
    **{label: (max(low, 1), high) for label, (low, high) in COARSE_BRACKETS.items()},
}


def _load(name: str):
    return resources.files("models.demo.data").joinpath(name)


@dataclass
class _Choice:
    labels: np.ndarray
    probs: np.ndarray


def _choice(shares: dict[str, float]) -> _Choice:
    labels = np.array(list(shares), dtype=object)
    probs = np.array(list(shares.values()), dtype=float)
    return _Choice(labels, probs / probs.sum())


def _day_weights(days: np.ndarray) -> np.ndarray:
    """Relative volume per day: yearly growth, 618 and 双11 peaks."""
    as_dates = days.astype("datetime64[D]")
    years = as_dates.astype("datetime64[Y]").astype(int) + 1970
    months = as_dates.astype("datetime64[M]").astype(int) % 12 + 1
    day_of_month = (as_dates - as_dates.astype("datetime64[M]")).astype(int) + 1
    weights = 1.0 + 0.12 * (years - 2023)
    weights += np.where((months == 11) & (day_of_month <= 20), 0.8, 0.0)
    weights += np.where((months == 6) & (day_of_month <= 20), 0.4, 0.0)
    return weights


def _sqlite_time(values: np.ndarray) -> list[str | None]:
    # The exact text SQLAlchemy's SQLite DateTime writes, so range filters compare correctly.
    out = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
    return [None if s == "NaT" else s.replace("T", " ") + ".000000" for s in out]


def _py_time(values: np.ndarray) -> list[datetime | None]:
    return [None if np.isnat(v) else v.astype("datetime64[s]").item() for v in values]


def _complainant_types(rng: np.random.Generator, drawn: dict[str, np.ndarray]) -> np.ndarray:
    """消费者 or 商家, merchants mostly where the problem is one a seller has."""
    problems = drawn["problem_type"]
    kinds, which = np.unique(problems, return_inverse=True)
    chance = np.array([MERCHANT_CHANCE.get(k, MERCHANT_ELSEWHERE) for k in kinds])[which]
    return np.where(rng.random(len(problems)) < chance, "商家", "消费者").astype(object)


#: Dimensions drawn after the profiles' (each a function of its own random stream and
#: the columns drawn so far), so that adding one leaves every other draw as it was.
DRAWN = {"complainant_type": _complainant_types}


def _stream(name: str) -> int:
    """A dimension's own random stream, the same in every process (unlike hash())."""
    return zlib.crc32(name.encode())


def day_weight_sum(first: date, last: date) -> float:
    """The summed volume weights of the days ``first``..``last`` (0 when empty)."""
    if last < first:
        return 0.0
    days = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    return float(_day_weights(days).sum())


class Synthetic:
    """Column arrays of ``n`` synthetic complaints filed from ``first_day`` to ``last_day``
    (default: the ``years`` up to :data:`LAST_DAY`), their workflow as it stands at ``now``:
    nothing is transferred, replied or scored later than ``now``."""

    def __init__(
        self,
        n: int,
        seed: int | tuple[int, ...],
        platforms: dict[str, tuple[int, str, bool]],
        years: int = YEARS,
        *,
        first_day: date | None = None,
        last_day: date = LAST_DAY,
        now: datetime = datetime(2026, 1, 1),
    ):
        self._scrubbed: dict[tuple[str, str], str | None] = {}
        self.n = n
        self.now = np.datetime64(now, "s")
        rng = np.random.default_rng(seed)
        profiles = json.loads(_load("platform_profiles.json").read_text("utf-8"))
        names = [name for name in profiles if name in platforms]
        index = self._platforms(rng, names, platforms, profiles)
        self._times(rng, first_day or date(last_day.year - years + 1, 1, 1), last_day)
        sector_of = np.array([platforms[name][1] for name in names], dtype=object)[index]
        self._people(rng, seed, sector_of)
        self._workflow(rng, [profiles[name] for name in names], index)

    def _platforms(self, rng, names: list[str], platforms: dict, profiles: dict) -> np.ndarray:
        """Which platform each complaint is about: sector shares × platform weights."""
        sector_weight: dict[str, float] = {}
        for name in names:
            sector = platforms[name][1]
            sector_weight[sector] = sector_weight.get(sector, 0) + profiles[name]["weight"]
        weights = np.array(
            [
                SECTOR_SHARES.get(platforms[name][1], 0.02)
                * profiles[name]["weight"]
                / sector_weight[platforms[name][1]]
                for name in names
            ]
        )
        index = rng.choice(len(names), size=self.n, p=weights / weights.sum())
        self.platform_names = np.array(names, dtype=object)[index]
        self.platform_ids = np.array([platforms[name][0] for name in names])[index]
        return index

    def _times(self, rng, first_day: date, last_day: date) -> None:
        """When each complaint was filed: yearly growth, 618 and 双11 peaks, daytime hours."""
        days = np.arange(np.datetime64(first_day), np.datetime64(last_day) + 1)
        day_w = _day_weights(days)
        picked = rng.choice(len(days), size=self.n, p=day_w / day_w.sum())
        seconds = rng.integers(7 * 3600, 24 * 3600, size=self.n)
        submitted = days[picked].astype("datetime64[s]") + seconds.astype("timedelta64[s]")
        # Today's complaints later than now were filed at that hour yesterday instead.
        self.submitted = np.where(
            submitted > self.now, submitted - np.timedelta64(1, "D"), submitted
        )
        months = self.submitted.astype("datetime64[M]").astype(int)
        self.month = (months // 12 + 1970) * 100 + months % 12 + 1  # YYYYMM, as month_of()

    def _people(self, rng, seed, sector_of: np.ndarray) -> None:
        """Province, gender, amount, problem per the sector's published shares; the rest."""
        n = self.n
        sectors = json.loads(_load("sector_profiles.json").read_text("utf-8"))
        drawn = {key: np.empty(n, dtype=object) for key in PROFILED}
        for sector in np.unique(sector_of):
            mask = sector_of == sector
            profile = sectors.get(sector) or sectors["零售电商"]
            for key, column in drawn.items():
                choice = _choice(profile[key])
                column[mask] = rng.choice(choice.labels, size=int(mask.sum()), p=choice.probs)
        seeds = seed if isinstance(seed, tuple) else (seed,)
        for key, draw in DRAWN.items():  # each from its own stream, after the profiles
            drawn[key] = draw(np.random.default_rng([*seeds, _stream(key)]), drawn)
        #: Each dimension's values by column; one without a draw takes an empty cell's value.
        self.dimensions = {
            key: drawn[key] if key in drawn else np.full(n, spec.empty, dtype=object)
            for key, spec in DIMENSION_COLUMNS.items()
        }
        self.amount = np.full(n, np.nan)
        for bracket, (low, high) in _BRACKET_RANGES.items():
            mask = drawn["amount_bracket"] == bracket
            self.amount[mask] = np.round(
                np.exp(rng.uniform(np.log(low), np.log(high), size=int(mask.sum()))), 2
            )
        # Stored as an import reads it: the scheme's bracket of the amount (a report's
        # coarse 0-5万元 gave the amount's range; a rounded amount may cross a bound).
        given = ~np.isnan(self.amount)
        brackets = self.dimensions["amount_bracket"]
        brackets[given] = [bracket_for_amount(a) for a in self.amount[given].tolist()]
        self.age = np.clip(rng.normal(33, 9, size=n).round(), 16, 75).astype(int)
        self.age_known = rng.random(n) < 0.85
        self.surname = rng.integers(0, len(SURNAMES), size=n)
        self.fragment = rng.integers(0, len(FRAGMENTS), size=n)
        self.demand = rng.integers(0, len(DEMANDS), size=n)
        self.reply_text = rng.integers(0, len(REPLIES), size=n)
        self.phone_tail = rng.integers(0, 10**8, size=n)

    def _workflow(self, rng, profile_of: list[dict], index: np.ndarray) -> None:
        """Status, transfer, reply (per the platform's reply behaviour) and score, as they
        stand at ``now``: the last weeks partly still pending review, and the replies due
        after now not yet in — the reply queue's fresh complaints."""
        n = self.n
        rejected = rng.random(n) < 0.015
        backlog = (self.submitted >= self._backlog_start()) & (rng.random(n) < PENDING_SHARE)
        planned_transfer = self.submitted + rng.integers(600, 20 * 3600, size=n).astype(
            "timedelta64[s]"
        )
        pending = backlog | (planned_transfer > self.now)
        counting = ~pending & ~rejected
        status = np.where(pending, PENDING, np.where(rejected, REJECTED, TRANSFERRED)).astype(
            object
        )
        self.transferred = np.where(counting, planned_transfer, np.datetime64("NaT"))

        def per_row(key: str) -> np.ndarray:
            return np.array([p[key] for p in profile_of])[index]

        p_fast, p_mid = per_row("fast_share"), per_row("mid_share")
        will_reply = counting & (rng.random(n) < per_row("reply_rate"))
        draw = rng.random(n)
        tier = np.where(
            draw < p_fast, TIER_FAST, np.where(draw < p_fast + p_mid, TIER_SLOW, TIER_LATE)
        )
        hours = np.select(
            [tier == TIER_FAST, tier == TIER_SLOW],
            [rng.uniform(0.5, 71.9, size=n), rng.uniform(72, 119.9, size=n)],
            rng.uniform(120, 480, size=n),
        )
        planned_reply = planned_transfer + (hours * 3600).astype("timedelta64[s]")
        replied = will_reply & (planned_reply <= self.now)
        self.replied = np.where(replied, planned_reply, np.datetime64("NaT"))
        self.tier = np.where(replied, tier, -1)
        scored = replied & (rng.random(n) < per_row("score_rate"))
        self.score = np.where(
            scored, np.clip(rng.normal(per_row("score_mean"), 1.8).round(), 0, 10), -1
        ).astype(int)
        status[replied] = REPLIED
        status[scored] = RATED
        self.status = status

    def _backlog_start(self) -> np.datetime64:
        """Complaints filed since this day may still wait for review (about three weeks)."""
        return self.now.astype("datetime64[D]") - np.timedelta64(PENDING_DAYS, "D")

    def _public_text(self, title: str, content: str) -> str | None:
        # Synthetic texts name no one: scrubbed once per distinct text, not per row.
        key = (title, content)
        if key not in self._scrubbed:
            self._scrubbed[key] = public_text({"title": title, "content": content})
        return self._scrubbed[key]

    def rows(self, first_id: int, start: int, stop: int, sqlite: bool, now) -> Iterator[tuple]:
        """Complaints ``start``..``stop`` as rows in :data:`COLUMNS` order, built by name."""
        fmt = _sqlite_time if sqlite else _py_time
        part = slice(start, stop)
        n = stop - start
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.000000") if sqlite else now
        platforms = self.platform_names[part]
        problems = self.dimensions["problem_type"][part]
        fragments = [FRAGMENTS[f] for f in self.fragment[part]]
        demands = [DEMANDS[d] for d in self.demand[part]]
        titles = [f"{p}{q}：{f}" for p, q, f in zip(platforms, problems, fragments, strict=True)]
        contents = [
            f"消费者反映在“{p}”遇到{q}，{f}。{d}。"
            for p, q, f, d in zip(platforms, problems, fragments, demands, strict=True)
        ]
        ids = range(first_id + start, first_id + stop)
        columns = {
            "id": ids,
            "external_id": [None] * n,
            "platform_id": self.platform_ids[part].tolist(),
            "submitted_at": fmt(self.submitted[part]),
            "submitted_month": self.month[part].tolist(),
            "age": [
                int(age) if known else None
                for age, known in zip(self.age[part], self.age_known[part], strict=True)
            ],
            "amount": [None if np.isnan(a) else round(float(a), 2) for a in self.amount[part]],
            **{key: values[part] for key, values in self.dimensions.items()},
            "title": titles,
            "content": contents,
            "demand": demands,
            "public_text": [self._public_text(t, c) for t, c in zip(titles, contents, strict=True)],
            "complainant": [
                SURNAMES[s] + _TITLES.get(g, "")
                for s, g in zip(self.surname[part], self.dimensions["gender"][part], strict=True)
            ],
            "phone": [f"13{t % 10:01d}{t:08d}" for t in self.phone_tail[part]],
            "email": [f"user{i}@example.com" for i in ids],
            "status": self.status[part],
            "transferred_at": fmt(self.transferred[part]),
            "replied_at": fmt(self.replied[part]),
            "reply_tier": [int(t) if t >= 0 else None for t in self.tier[part]],
            "score": [int(v) if v >= 0 else None for v in self.score[part]],
            "created_at": [stamp] * n,
            "updated_at": [stamp] * n,
            "version": [1] * n,
        }
        return zip(*(columns[name] for name in COLUMNS), strict=True)
