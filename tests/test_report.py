"""The annual sector report, rebuilt from data shaped like seed 000 (2023 社交电商).

Six platforms in the report's leaderboard order, its shares, rating tables and six typical
cases — plus noise from another year, another sector, and unreviewed complaints. The
report is written by the real command (`tousu report`) as HTML, DOCX and Markdown.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as hs

from cli.main import main as tousu
from models.errors import TousuError
from models.reads.report import DISTRIBUTIONS, sector_report
from models.reads.stats import Share
from models.rules import report_text as text
from models.rules.filters import Filters
from models.rules.labels import AMOUNT_BRACKETS, NOT_CHOSEN
from models.store.db import session_scope
from reports.html import CSP
from tests.factories import add_complaints, add_platforms

LEADERBOARD = ["小红书", "萌推", "云集", "爱库存", "一直娱", "全民严选"]
# (platform, onboarded, months with complaints: a complaint on the 3rd of each, twice in
# the months listed twice) — 12 + 9 + 6 + 4 + 3 + 2 = 36 complaints.
PLATFORMS = [
    ("小红书", True, list(range(1, 13))),
    ("萌推", False, [1, 2, 4, 5, 10, 12, 1, 2, 4]),
    ("云集", True, [6, 10, 6, 10, 6, 10]),
    ("爱库存", True, [1, 1, 1, 1]),
    ("一直娱", False, [2, 2, 2]),
    ("全民严选", False, [10, 10]),
]
# 14/36 = 38.89%, 6/36 = 16.67%, 4/36 = 11.11% twice, then 3, 3, 2 (under 10%).
PROBLEMS = (
    ["退款问题"] * 14
    + ["虚假促销"] * 6
    + ["售后服务"] * 4
    + ["网络售假"] * 4
    + ["网络欺诈"] * 3
    + ["冻结商家资金"] * 3
    + ["退店保证金不还"] * 2
)
# The six typical cases of seed 000: (platform, day, province, full name, gender, headline).
TYPICAL = [
    (
        "爱库存",
        "2023-01-08",
        "山东省",
        "宫秀英",
        "女",
        "“爱库存”生鲜产品竟无保鲜措施？用户要求补发被拒",
    ),
    (
        "一直娱",
        "2023-02-12",
        "上海市",
        "施雨桐",
        "女",
        "“一直娱”侵犯个人权益？用户要求退款客服直接拒绝",
    ),
    (
        "小红书",
        "2023-05-14",
        "湖南省",
        "陈晓梅",
        "女",
        "未收到货竟影响二次销售？“小红书”商家拒绝退款申请",
    ),
    (
        "全民严选",
        "2023-10-05",
        "河南省",
        "刘建国",
        "男",
        "“全民严选”商家被指态度蛮横 不让消费者表达诉求",
    ),
    (
        "萌推",
        "2023-10-08",
        "辽宁省",
        "李志强",
        "男",
        "退店完成不退保证金？“萌推”被指无故推迟退款日期",
    ),
    (
        "云集",
        "2023-10-28",
        "浙江省",
        "米佳怡",
        "女",
        "签到送商品活动没得送？“云集”被指服务态度差 客服只会拖延",
    ),
]
NO_REPLY = (  # seed 000's sentence after a case without a reply
    "接到该用户投诉后，我们第一时间将投诉案件移交该平台相关工作人员督办妥善处理，"
    "但截至发稿前，我们尚未收到来自被投诉平台的任何有关处理回复。"
)
YUNJI_REPLY = "您好，关于您反馈的签到活动问题，我们会尽快安排专员联系您核实处理。"


def _phone(i: int) -> str:
    return f"139{i:08d}"


def _seed_000_rows() -> list[dict]:
    rows, n = [], 0
    typical = {(p, int(day[5:7])): t for t in TYPICAL for p, day in [(t[0], t[1])]}
    for platform, _onboarded, months in PLATFORMS:
        used: set[int] = set()
        for month in months:
            day = 3 if month not in used else 20
            used.add(month)
            submitted = datetime(2023, month, day, 9, 0)
            row = {
                "platform": platform,
                "submitted_at": submitted.isoformat(sep=" "),
                "problem_type": PROBLEMS[n],
                "province": "福建省",
                "complainant": f"林{n}号",
                "phone": _phone(n),
                "title": f"{platform}投诉{n}",
                "content": f"{platform}的订单没有处理，请回电{_phone(n)}。",
            }
            if platform == "云集":  # every reply within 72 hours: 建议下单
                row["replied_at"] = (submitted + timedelta(hours=30)).isoformat(sep=" ")
                row["reply"] = "已处理"
            pick = typical.pop((platform, month), None)
            if pick is not None:
                _p, day_text, province, name, gender, headline = pick
                when = datetime.fromisoformat(day_text + " 10:00")
                row.update(
                    submitted_at=when.isoformat(sep=" "),
                    province=province,
                    complainant=name,
                    gender=gender,
                    typical="是",
                    headline=headline,
                    content=f"{name}称自己在{platform}的订单被拒绝退款，联系电话{_phone(100 + n)}，"
                    f"{name}多次联系客服无果。",
                    demand="要求退款",
                )
                if platform == "云集":
                    row["replied_at"] = (when + timedelta(hours=20)).isoformat(sep=" ")
                    row["reply"] = YUNJI_REPLY
            rows.append(row)
            n += 1
    assert n == 36 and not typical
    # 24 of 36 women (66.67%): the typical cases keep theirs, the others make up the rest
    women = 24 - sum(1 for r in rows if r.get("gender") == "女")
    for row in (r for r in rows if "gender" not in r):
        row["gender"], women = ("女", women - 1) if women > 0 else ("男", women)
    return rows


def _noise_rows() -> list[dict]:
    return [
        # the year before, marked typical: not in a 2023 report
        {
            "platform": "小红书",
            "submitted_at": "2022-06-01 10:00",
            "problem_type": "商品质量",
            "typical": "是",
            "headline": "2022年的案例",
            "complainant": "赵旧年",
        },
        # another sector
        {"platform": "分期乐", "submitted_at": "2023-06-01 10:00", "problem_type": "信息泄露"},
        {"platform": "分期乐", "submitted_at": "2023-06-02 10:00", "problem_type": "信息泄露"},
        # not reviewed, or rejected: they do not count
        {
            "platform": "全民严选",
            "submitted_at": "2023-07-01 10:00",
            "problem_type": "网络欺诈",
            "status": "待审核",
            "complainant": "钱未审",
        },
        {
            "platform": "一直娱",
            "submitted_at": "2023-07-02 10:00",
            "problem_type": "网络欺诈",
            "status": "不予受理",
            "complainant": "孙驳回",
        },
    ]


@pytest.fixture
def seed_000(engine, use_db, monkeypatch):
    monkeypatch.setenv("TOUSU_REPORT_ORG", "电诉宝")
    monkeypatch.setenv("TOUSU_REPORT_DATA_ORG", "电数宝")
    add_platforms(
        engine,
        *[(name, "社交电商", onboarded) for name, onboarded, _m in PLATFORMS],
        ("分期乐", "金融科技", True),
    )
    add_complaints(engine, _seed_000_rows() + _noise_rows())
    return engine


def _write(tmp_path, capsys, fmt: str) -> bytes:
    out = tmp_path / f"report.{fmt}"
    argv = ["report", "--sector", "社交电商", "--year", "2023", "--template", "2023"]
    code = tousu([*argv, "--output", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "已写入" in captured.out
    return out.read_bytes()


def _ratings_csv(capsys, platform: str) -> list[list[str]]:
    capsys.readouterr()
    assert tousu(["ratings", "--platform", platform, "--year", "2023", "--format", "csv"]) == 0
    return list(csv.reader(io.StringIO(capsys.readouterr().out)))


SENTENCES = [
    "根据“电诉宝”2023年受理的社交电商领域用户有效投诉显示，"
    "入选投诉榜的依次为：小红书、萌推、云集、爱库存、一直娱、全民严选。",
    "主要有：退款问题（38.89%）、虚假促销（16.67%）、售后服务（11.11%）、网络售假（11.11%），"
    "此外，还有",
    "女性用户投诉比例为66.67%，男性用户投诉比例为33.33%",
    "据电商大数据库“电数宝”监测数据显示，2023年“小红书”共获得18次消费评级，"
    "18次获“不建议下单”，2023年整体消费评级为“不建议下单”评级。",
    "2023年“萌推”共获得11次消费评级，11次获“不予评级”",
    "2023年“云集”共获得6次消费评级，6次获“建议下单”",
    "1月8日，山东省宫女士向“电诉宝”投诉称，",
    "10月8日，辽宁省李先生向“电诉宝”投诉称，",
    f"对此，云集回复称：{YUNJI_REPLY}",
    NO_REPLY,
    "综合指数=平台反馈率×0.5+回复时效性×0.3+用户满意度/10×0.2。",
]


def _personal(engine_rows: list[dict]) -> list[str]:
    names = {r["complainant"] for r in engine_rows if r.get("complainant")}
    phones = {_phone(i) for i in range(200)}
    return sorted(names | phones)


def _section_order(text: str) -> list[str]:
    found = re.findall(r"（[一二三四五六]）2023年“([^”]+)”获", text)
    return found


def test_html_report_has_the_seed_sentences_sections_and_no_personal_data(
    seed_000, tmp_path, capsys
):
    page = unescape(_write(tmp_path, capsys, "html").decode("utf-8"))
    text = re.sub(r"<[^>]+>", "\n", page)
    for sentence in SENTENCES:
        assert sentence in text, sentence
    assert _section_order(text) == LEADERBOARD
    for headline in (t[5] for t in TYPICAL):
        assert headline in text
    assert "2022年的案例" not in text and "分期乐" not in text
    leaked = [v for v in _personal(_seed_000_rows() + _noise_rows()) if v in page]
    assert leaked == []
    charts = len(DISTRIBUTIONS)  # a chart per dimension the report shows, embedded
    assert page.count('src="data:image/png;base64,') == charts
    assert "http://" not in page and "https://" not in page


class _Elements(HTMLParser):
    """Every start tag of a page, with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_report_carries_its_content_security_policy_first(seed_000, tmp_path, capsys):
    """The file as written: its policy is the head's first element, forbids every script
    and request, and allows what the file itself uses (data: images, its <style>)."""
    parser = _Elements()
    parser.feed(_write(tmp_path, capsys, "html").decode("utf-8"))
    tags = parser.tags
    head = [tag for tag, _ in tags].index("head")
    assert tags[head + 1] == ("meta", {"http-equiv": "Content-Security-Policy", "content": CSP})
    policy = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    assert policy == {
        "default-src": "'none'",
        "img-src": "data:",
        "style-src": "'unsafe-inline'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    used = {tag for tag, _ in tags}
    assert used <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "h3",
        "div",
        "p",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "img",
    }, used
    sources = [attrs.get("src") or "" for tag, attrs in tags if tag == "img"]
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)


def test_docx_reads_back_with_headings_tables_and_pictures(seed_000, tmp_path, capsys):
    document = Document(io.BytesIO(_write(tmp_path, capsys, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == ["一、报告摘要", "二、整体数据", "（一）投诉问题类型分布"]
    assert "三、评级数据与典型案例" in headings
    assert [h for h in headings if "获“" in h] == [
        "（一）2023年“小红书”获“不建议下单”",
        "（二）2023年“萌推”获“不予评级”",
        "（三）2023年“云集”获“建议下单”",
        "（四）2023年“爱库存”获“不建议下单”",
        "（五）2023年“一直娱”获“不予评级”",
        "（六）2023年“全民严选”获“不予评级”",
    ]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    for platform in LEADERBOARD:  # each rating table exactly as `tousu ratings` prints it
        assert _ratings_csv(capsys, platform) in tables
    yunji = _ratings_csv(capsys, "云集")
    assert [row[2:] for row in yunji[1:]] == [
        ["100.00%", "1.000", "0.000", "0.800", "建议下单"]
    ] * 6
    cases_table = next(t for t in tables if t[0] == ["投诉时间", "投诉平台", "投诉案例"])
    assert [row[:2] for row in cases_table[1:]] == [
        ["1月8日", "爱库存"],
        ["2月12日", "一直娱"],
        ["5月14日", "小红书"],
        ["10月5日", "全民严选"],
        ["10月8日", "萌推"],
        ["10月28日", "云集"],
    ]
    assert len(document.inline_shapes) == len(DISTRIBUTIONS)
    body = "\n".join(p.text for p in document.paragraphs)
    for sentence in SENTENCES:
        assert sentence in body, sentence
    everything = body + str(tables)
    assert [v for v in _personal(_seed_000_rows() + _noise_rows()) if v in everything] == []


def test_markdown_report_is_escaped_text(seed_000, tmp_path, capsys):
    text = _write(tmp_path, capsys, "md").decode("utf-8")
    assert text.startswith("# 2023年度中国社交电商消费投诉数据与典型案例报告")
    assert "| 2023年 | 全年 | 100.00% | 1.000 | 0.000 | 0.800 | 建议下单 |" in text
    assert "【案例一】" in text
    assert [v for v in _personal(_seed_000_rows() + _noise_rows()) if v in text] == []


def test_a_scope_narrows_the_report_and_an_outside_sector_is_refused(seed_000):
    with session_scope(seed_000) as session:
        narrow = sector_report(session, Filters(platforms=("云集", "萌推")), "社交电商", 2023)
        assert narrow.leaderboard == ["萌推", "云集"]
        assert {c.platform for c in narrow.cases} == {"萌推", "云集"}
        with pytest.raises(TousuError, match="未知赛道"):
            sector_report(session, Filters(sectors=("金融科技",)), "社交电商", 2023)
        with pytest.raises(TousuError, match="2021年社交电商没有"):
            sector_report(session, Filters(), "社交电商", 2021)
        dated = Filters(date_from=date(2023, 7, 1), date_to=date(2023, 12, 31))
        half = sector_report(session, dated, "社交电商", 2023)
        assert all(c.submitted_at.month >= 7 for c in half.cases)


def test_intro_is_only_what_was_given(seed_000, tmp_path, capsys):
    without = _write(tmp_path, capsys, "md").decode("utf-8")
    intro = tmp_path / "intro.txt"
    intro.write_text("2023年，个性化产品成为了社交电商市场的主流。", encoding="utf-8")
    out = tmp_path / "with.md"
    argv = ["report", "--sector", "社交电商", "--year", "2023", "--intro", str(intro)]
    argv += ["--template", "2023"]
    assert tousu([*argv, "--output", str(out)]) == 0
    with_intro = out.read_text(encoding="utf-8")
    assert "个性化产品" in with_intro and "个性化产品" not in without
    assert with_intro.index("个性化产品") < with_intro.index("入选投诉榜的依次为")


def test_cli_mistakes_are_one_line_errors(seed_000, tmp_path, capsys):
    cases = [  # an unknown name is a wrong argument (2, the known names listed); else 1
        (["--sector", "不存在", "--year", "2023"], "未知赛道：不存在", 2),
        (["--sector", "社交电商", "--year", "2021"], "没有可用于报告的投诉数据", 1),
        (["--sector", "社交电商", "--year", "2023", "--top", "0"], "--top", 1),
    ]
    for argv, message, code in cases:
        out = tmp_path / "x.html"
        assert tousu(["report", *argv, "--output", str(out)]) == code
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
        assert not out.exists()
    assert (
        tousu(
            [
                "report",
                "--sector",
                "社交电商",
                "--year",
                "2023",
                "--output",
                str(tmp_path / "x.odt"),  # .pdf is a format now
            ]
        )
        == 1
    )
    assert "无法从文件名判断格式" in capsys.readouterr().err


_BRACKET_SHARES = hs.lists(
    hs.tuples(hs.sampled_from(AMOUNT_BRACKETS), hs.integers(1, 500)),
    min_size=1,
    max_size=7,
    unique_by=lambda t: t[0],
)


@given(_BRACKET_SHARES)
def test_where_amounts_lie_never_includes_no_amount(counts):
    """The report's 主要分布为 / 主要在 sentences name only brackets with an amount, in the
    order of the shares; the share that chose none is said apart, never as a place."""
    total = sum(n for _label, n in counts)
    shares = [
        Share(label, n, (Decimal(100) * n / total).quantize(Decimal("0.01")))
        for label, n in sorted(counts, key=lambda t: -t[1])
    ]
    chosen = [s.label for s in shares if s.label != NOT_CHOSEN]
    amounts = text.amounts_sentence("电诉宝", 2024, "产业电商", shares)
    platform = text.platform_problems_sentence(2024, "慧聪网", [], shares)
    main = amounts.split("主要分布为：")[1].split("；")[0].rstrip("。") if chosen else ""
    assert [re.sub(r"（[\d.]+%）$", "", part) for part in main.split("、") if part] == chosen
    assert ("主要在" in platform) == bool(chosen)
    if chosen:
        assert platform.split("主要在")[1] == "、".join(chosen) + "区间。"
    for sentence in (main, platform):
        assert NOT_CHOSEN not in sentence
    if any(s.label == NOT_CHOSEN for s in shares):
        assert "未选择金额区间" in amounts


def test_all_formats_share_one_rendering_of_the_charts(seed_000, monkeypatch):
    """The 报告 page's files: the charts rendered once, the same PNGs in HTML and DOCX
    (and the PDF printed from that HTML), each file what writing it alone gives."""
    from reports import figures, write, write_all

    with session_scope(seed_000) as session:
        report = sector_report(session, Filters(), "社交电商", 2023, data_org="电数宝")
    renders = []
    real = figures.charts_for
    monkeypatch.setattr(figures, "charts_for", lambda *a: renders.append(1) or real(*a))
    files = write_all(report, template="2023")
    assert len(renders) == 1 and set(files) == {"html", "docx", "md", "pdf"}
    assert files["pdf"].startswith(b"%PDF-")
    in_html = [
        base64.b64decode(m)
        for m in re.findall(rb'src="data:image/png;base64,([^"]+)"', files["html"])
    ]
    document = Document(io.BytesIO(files["docx"]))
    ids = [p._inline.graphic.graphicData.pic.blipFill.blip.embed for p in document.inline_shapes]
    in_docx = [document.part.related_parts[i].blob for i in ids]
    assert len(in_html) == len(report.distributions) and in_docx == in_html
    alone = {fmt: write(report, fmt, template="2023") for fmt in ("html", "md")}
    assert files["html"] == alone["html"] and files["md"] == alone["md"]
    assert len(renders) == 2  # alone, the HTML renders its own; Markdown has no pictures


def test_the_reports_charts_label_shares_as_the_pages_do(seed_000):
    """Every picture's labels are the reported shares with their percent sign (38.89%), as
    on the pages, never a bare 38.89."""
    from reports import figures

    with session_scope(seed_000) as session:
        report = sector_report(session, Filters(), "社交电商", 2023, data_org="电数宝")
    drawn = [d for d in report.distributions if d.shares]
    assert drawn
    for distribution in drawn:
        spec = figures._chart(distribution).to_dict()
        rows = [row for values in spec["datasets"].values() for row in values]
        shown = [s for s in distribution.shares[: figures.MOST_BARS]]
        assert [r["percent"] for r in rows] == [f"{s.percent}%" for s in shown]


def test_every_paragraph_of_every_style_ends_its_sentence(seed_000):
    """Every shipped style: each paragraph ends with 。！？ (a case's content and demand
    that lack one get it: no “…重新定责接到该用户投诉后”), no doubled full stop, and no
    caption runs a platform's name into the year (16882024年)."""
    from dataclasses import replace

    from reports.templating import available, render

    with session_scope(seed_000) as session:
        report = sector_report(session, Filters(), "社交电商", 2023, data_org="电数宝")
    # Contents and demands as people type them: some end a sentence, some do not.
    endings = itertools.cycle(["", "。", "！", "", "…"])

    def typed(case):
        return replace(
            case,
            content=case.content.rstrip("。！？") + next(endings),
            demand=(case.demand or "要求退款").rstrip("。！？") + next(endings),
        )

    # Amounts partly unchosen: a sentence listing the chosen ones must say the rest.
    mixed = [Share("0-100元", 2, Decimal("66.67")), Share(NOT_CHOSEN, 1, Decimal("33.33"))]
    report = replace(
        report,
        platforms=[replace(p, cases=[typed(c) for c in p.cases]) for p in report.platforms],
        cases=[typed(c) for c in report.cases],
        distributions=[
            replace(d, shares=mixed) if d.dimension == "amount_bracket" else d
            for d in report.distributions
        ],
    )
    assert any(c.demand for s in report.sections for c in s.cases)  # the rule is exercised
    for style in available():
        blocks = render(report, style).blocks
        paragraphs = [b.text for b in blocks if b.kind == "p"]
        assert paragraphs, style
        for said in paragraphs:
            assert said.rstrip().endswith(("。", "！", "？", "”", "…")), (style, said)
            assert "。。" not in said, (style, said)
        body = "\n".join(paragraphs)
        if "0-100元（66.67%）" in body:  # a style listing the shares given says the rest
            assert "另有33.33%的投诉未选择金额区间" in body, style
        for case in (c for s in report.sections for c in s.cases):
            for typed_text in (case.content, case.demand):
                bare = typed_text.rstrip("。！？…")
                for at in (m.end() for m in re.finditer(re.escape(bare), body)):
                    assert body[at : at + 1] in ("。", "！", "？", "…"), (
                        style,
                        body[at - 20 : at + 20],
                    )
        for caption in (b.text for b in blocks if b.kind == "caption"):
            assert not re.search(r"\d(?:19|20)\d\d年", caption), (style, caption)


def test_the_command_says_the_title_and_sections_each_style_wrote(seed_000, tmp_path, capsys):
    """Each style titles its report and chooses its platform sections in its own way: the
    command's closing line says what the file holds, and 评级数据与典型案例 is never empty
    (with no typical case every 投诉榜 platform gets a section)."""
    from sqlalchemy import update

    from models.store.tables import Complaint
    from reports.templating import available

    with session_scope(seed_000) as session:  # a year whose complaints none is typical of
        session.execute(update(Complaint).values(typical=False))
    for style in available():
        out = tmp_path / f"{style}.md"
        argv = ["report", "--sector", "社交电商", "--year", "2023", "--template", style]
        assert tousu([*argv, "--output", str(out)]) == 0
        said = capsys.readouterr().out
        written = out.read_text(encoding="utf-8")
        title = re.search(r"：(.+?)，投诉榜", said).group(1)
        sections = int(re.search(r"(\d+) 个平台有专节", said).group(1))
        assert title in written.splitlines()[0], (style, said)
        chapter = written.split("评级数据与典型案例", 1)[1].split("评级原理", 1)[0]
        assert sections == len(re.findall(r"^### ", chapter, flags=re.M)) > 0, (style, said)
