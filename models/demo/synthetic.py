"""Synthetic complaints: column arrays drawn from the published shares, then rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

import numpy as np

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
COLUMNS = (
    "id",
    "external_id",
    "platform_id",
    "submitted_at",
    "submitted_month",
    "province",
    "gender",
    "age",
    "amount",
    "amount_bracket",
    "problem_type",
    "title",
    "content",
    "demand",
    "public_text",
    "complainant",
    "phone",
    "email",
    "status",
    "transferred_at",
    "replied_at",
    "reply_tier",
    "score",
    "created_at",
    "updated_at",
    "version",
)
REPLIED_AT, SCORE = COLUMNS.index("replied_at"), COLUMNS.index("score")
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
        self._people(rng, np.array([platforms[name][1] for name in names], dtype=object)[index])
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

    def _people(self, rng, sector_of: np.ndarray) -> None:
        """Province, gender, amount, problem per the sector's published shares; the rest."""
        n = self.n
        sectors = json.loads(_load("sector_profiles.json").read_text("utf-8"))
        self.province = np.empty(n, dtype=object)
        self.gender = np.empty(n, dtype=object)
        self.bracket = np.empty(n, dtype=object)
        self.problem = np.empty(n, dtype=object)
        for sector in np.unique(sector_of):
            mask = sector_of == sector
            profile = sectors.get(sector) or sectors["零售电商"]
            for column, key in (
                (self.province, "province"),
                (self.gender, "gender"),
                (self.bracket, "amount_bracket"),
                (self.problem, "problem_type"),
            ):
                choice = _choice(profile[key])
                column[mask] = rng.choice(choice.labels, size=int(mask.sum()), p=choice.probs)
        self.amount = np.full(n, np.nan)
        for bracket, (low, high) in _BRACKET_RANGES.items():
            mask = self.bracket == bracket
            self.amount[mask] = np.round(
                np.exp(rng.uniform(np.log(low), np.log(high), size=int(mask.sum()))), 2
            )
        # Stored as an import reads it: the scheme's bracket of the amount (a report's
        # coarse 0-5万元 gave the amount's range; a rounded amount may cross a bound).
        given = ~np.isnan(self.amount)
        self.bracket[given] = [bracket_for_amount(a) for a in self.amount[given].tolist()]
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
        fmt = _sqlite_time if sqlite else _py_time
        submitted = fmt(self.submitted[start:stop])
        transferred = fmt(self.transferred[start:stop])
        replied = fmt(self.replied[start:stop])
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.000000") if sqlite else now
        for k, i in enumerate(range(start, stop)):
            gender = self.gender[i]
            surname = SURNAMES[self.surname[i]]
            complainant = surname + ("女士" if gender == "女" else "先生" if gender == "男" else "")
            platform = self.platform_names[i]
            problem = self.problem[i]
            title = f"{platform}{problem}：{FRAGMENTS[self.fragment[i]]}"
            content = (
                f"消费者反映在“{platform}”遇到{problem}，{FRAGMENTS[self.fragment[i]]}。"
                f"{DEMANDS[self.demand[i]]}。"
            )
            amount = None if np.isnan(self.amount[i]) else round(float(self.amount[i]), 2)
            yield (
                first_id + i,
                None,
                int(self.platform_ids[i]),
                submitted[k],
                int(self.month[i]),
                self.province[i],
                gender,
                int(self.age[i]) if self.age_known[i] else None,
                amount,
                self.bracket[i],
                problem,
                title,
                content,
                DEMANDS[self.demand[i]],
                self._public_text(title, content),
                complainant,
                f"13{self.phone_tail[i] % 10:01d}{self.phone_tail[i]:08d}",
                f"user{first_id + i}@example.com",
                self.status[i],
                transferred[k],
                replied[k],
                int(self.tier[i]) if self.tier[i] >= 0 else None,
                int(self.score[i]) if self.score[i] >= 0 else None,
                stamp,
                stamp,
                1,
            )
