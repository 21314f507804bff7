"""The 2024 reports (seeds 001 产业电商 and 003 金融科技) rebuilt from data shaped by their
own text (tests/report_seeds.py), written in the default house style as HTML, DOCX and
Markdown: every data fact a reader checks is compared with the seed's sentences.

Also: a tester's template rewording every sentence keeps every number; hostile or broken
templates are refused, saying where.
"""

from __future__ import annotations

import functools
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from docx import Document

from cli.main import main as tousu
from models.access import users
from models.access.roles import CLI, Actor
from models.errors import TousuError
from models.importing import import_platforms
from models.reads import cases
from models.reads.report import sector_report
from models.rules.filters import Filters
from models.store.db import dispose_engines, get_engine, session_scope
from models.writes import workflow
from reports import FORMATS, templating, write_all
from tests.conftest import module_database
from tests.factories import add_complaints, csv_bytes
from tests.report_seeds import Seed, plan, read_seed, rows

PASSWORD = "correct-horse-battery"
#: Facts a seed prints that no data can give alongside its others (README, 报告生成).
SLIPS = {
    # 89/229 = 38.86%: no sector total gives 38.87% with the report's other shares
    "003": ["amount_bracket:10000元以上（38.87%）"],
    "001": [],
}
SEED_NAMES = ("001", "003")
BASELINE = "综合电商"  # the rest of the platform: 55% women, for 网购平均水平


def _baseline_rows() -> list[dict]:
    return [
        {
            "platform": f"综合{i % 3}",
            "submitted_at": f"2024-0{1 + i % 9}-10 09:00",
            "gender": "女" if i % 20 < 11 else "男",
            "complainant": f"常{i}",
        }
        for i in range(400)
    ]


def _platforms(seeds: dict[str, Seed]) -> bytes:
    out = [{"name": f"综合{i}", "sector": BASELINE, "onboarded": "是"} for i in range(3)]
    for seed in seeds.values():
        graded = {s.platform: s.grade for s in seed.sections}
        for p in [*seed.leaderboard, *seed.earlier]:
            unrated = graded.get(p) == "不予评级"
            out.append(
                {
                    "name": p,
                    "sector": seed.sector,
                    "onboarded": "否" if unrated else "是",
                    "unrated_reason": "未入驻" if unrated else "",
                }
            )
    return csv_bytes(out, ("name", "sector", "onboarded", "unrated_reason"))


def _handling(engine, seeds: dict[str, Seed]) -> None:
    """Staff write the 处理情况 of cases whose sentence is not what a reply, or none, gives."""
    with session_scope(engine) as session:
        users.add_user(session, CLI, "clerk", "staff", PASSWORD)
    clerk = Actor("clerk")
    for seed in seeds.values():
        for s in seed.sections:
            for c in s.cases:
                if c.reply or c.handling.endswith(f"尚未收到{s.platform}平台工作人员的回复。"):
                    continue  # the default says it
                with session_scope(engine) as session:
                    found, _n = cases.search_cases(
                        session, Filters(platforms=(s.platform,)), typical_only=True, limit=50
                    )
                    (row,) = [r for r in found if r.headline == c.headline]
                    detail = cases.case_detail(session, Filters(), row.id, reveal=True)
                    workflow.mark_typical(
                        session,
                        clerk,
                        row.id,
                        typical=True,
                        headline=c.headline,
                        seen_version=detail.version,
                        handling=c.handling,
                    )


@functools.cache
def _planned() -> tuple[dict[str, Seed], dict]:
    """The seeds and their counts, solved once for both databases."""
    seeds = {name: read_seed(name) for name in SEED_NAMES}
    return seeds, {name: plan(seed) for name, seed in seeds.items()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def published(request, tmp_path_factory):
    """Both seeds in one database (and the rest of the platform), each report written in
    the three formats from one rendering."""
    url = module_database(request, tmp_path_factory)
    engine = get_engine(url)
    seeds, plans = _planned()
    with session_scope(engine) as session:
        report = import_platforms(session, _platforms(seeds), "platforms.csv")
    assert report.ok, report.errors
    add_complaints(
        engine, _baseline_rows() + [r for n, s in seeds.items() for r in rows(s, plans[n])]
    )
    _handling(engine, seeds)
    out = {}
    for name, seed in seeds.items():
        with session_scope(engine) as session:
            made = sector_report(
                session, Filters(), seed.sector, seed.year, org="电诉宝", data_org="电数宝"
            )
        files = write_all(made)
        out[name] = (seed, plans[name], made, {fmt: _text(fmt, files[fmt]) for fmt in FORMATS})
    out["engine"] = engine
    yield out
    dispose_engines()


def _text(fmt: str, data: bytes) -> str:
    """A file's reading text, one block a line, spaces dropped (the seeds' are stray)."""
    if fmt == "html":
        text = unescape(re.sub(r"<[^>]+>", "\n", data.decode("utf-8").split("<body>")[1]))
    elif fmt == "md":
        text = re.sub(r"\\(.)", r"\1", data.decode("utf-8")).replace("**", "")
    elif fmt == "pdf":
        from pypdf import PdfReader

        # one line: a printed page wraps sentences wherever the line is full
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        text = text.replace("\n", "")
    else:
        document = Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        text = "\n".join([p.text for p in document.paragraphs] + cells)
    lines = (re.sub(r"\s+", "", line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _listed(sentence: str) -> list[tuple[str, str]]:
    return re.findall(r"([^、（：]+)（([\d.]+)%）", sentence)


def _by_share(listed: list[tuple[str, str]]) -> list[set[str]]:
    """The labels of a list grouped by their printed share, in the list's order."""
    groups: dict[str, set[str]] = {}
    for label, share in listed:
        groups.setdefault(share, set()).add(label)
    return list(groups.values())


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"（\d+）“([^”]+)”数据与典型案例\n?", text.split("评级原理")[0])
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("name", SEED_NAMES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_data_fact_of_the_seed_comes_out(published, name, fmt):
    seed, planned, _report, texts = published[name]
    text = texts[fmt]
    assert planned.unmet == SLIPS[name]  # what no data can give, said in the README
    assert f"入选投诉榜的平台的依次为{'、'.join(seed.leaderboard)}；" in text
    assert f"也曾收到过{'、'.join(seed.earlier)}等平台的投诉" in text
    # the sector's TOP10 sentences: every share, in order
    for dimension, lead in (
        ("problem_type", "问题类型TOP10依次为："),
        ("province", "聚集地区TOP10依次为"),
        ("amount_bracket", "金额分布主要集中在"),
    ):
        printed = _listed(text.split(lead)[1].split("。")[0])
        expected = [(v, str(s)) for v, s in seed.shares[dimension]]
        slips = {f.split(":")[1].split("（")[0] for f in SLIPS[name] if f.startswith(dimension)}
        # in order; at equal shares labels ascending (001 once puts 10000元以上 before
        # 1000-5000元 at 5.26% each, against its own 0-100元 before 100-500元: README)
        assert _by_share(printed) == _by_share(expected), dimension
        assert [p for p in printed if p[0] not in slips] == [
            e for e in sorted(expected, key=lambda e: (-float(e[1]), e[0])) if e[0] not in slips
        ]
        for label, share in printed:  # a slip: the nearest share any count gives
            if label in slips:
                assert abs(Decimal(share) - Decimal(dict(expected)[label])) <= Decimal("0.01")
    (male, m), (female, f) = seed.shares["gender"]
    assert (
        f"{male}性用户投诉比例为{m}%，{female}性用户投诉比例为{f}%，男性用户比例高于网购平均水平"
        in text
    )
    # the abstract's grades: the sections' (the seed's abstract leaves the last out)
    unrated = [s.platform for s in seed.sections if s.grade == "不予评级"]
    assert set(seed.unrated) < set(unrated) or seed.unrated == unrated
    assert f"{'、'.join(unrated)}获“不予评级”" in text
    if seed.worst:
        assert f"{'、'.join(seed.worst)}获“不建议下单”评级" in text
    sections = _sections(text)
    assert list(sections) == [s.platform for s in seed.sections]  # only those with cases
    for s in seed.sections:
        mine = sections[s.platform]
        assert f"共获得{s.ratings}次消费评级" in mine
        assert f"整体消费评级为“{s.grade}”" in mine
        if s.grade == "不予评级":
            assert "不予评级的原因：未入驻" in mine
        for dimension, lead, end in (
            ("problem_type", "问题类型主要集中于", "；"),
            ("province", "聚集地区为", "；"),
            ("amount_bracket", "投诉金额分布于", "区间"),
        ):
            said = mine.split(lead)[1].split(end)[0].split("、")
            expected = s.lists[dimension]
            assert [v for v in said if v in expected] == expected, (s.platform, dimension)
            # a case's own province is among them even where the seed leaves it out (README)
            extra = (
                {c.province for c in s.cases} - set(expected) if dimension == "province" else set()
            )
            assert set(said) == set(expected) | (extra - {""}), (s.platform, dimension)
        genders = dict(re.findall(r"([男女])性用户投诉比例为([\d.]+%)", mine))
        assert genders == {g: templating.percent(p) for g, p in s.genders.items()}
        # numbered oldest first (a printed page runs the headline on into the case)
        assert len(re.findall(r"【案例[一二三四五六七八九十]+】", mine)) == len(s.cases)
        starts = [
            mine.index(f"【案例{templating.cn_number(i)}】{_flat(c.headline)}")
            for i, c in enumerate(s.cases, 1)
        ]
        assert starts == sorted(starts)
        for c in s.cases:
            assert f"{c.month}月{c.day}日，{c.province}{c.person}向“电诉宝”投诉称" in mine
            for paragraph in c.content:
                assert _flat(paragraph) in mine
            assert _flat(c.handling) in mine
            assert c.person[0] + ("志强" if c.gender == "男" else "秀英") not in text


def test_the_2024_style_is_the_default_and_prints(published, capsys, monkeypatch, tmp_path):
    assert templating.DEFAULT == "2024"
    assert tousu(["report", "--print-template"]) == 0
    assert capsys.readouterr().out == templating.source("2024")
    folder = tmp_path / "styles"
    folder.mkdir()
    (folder / "简版.jinja").write_text("= {{ r.sector }}简报\n共{{ r.total }}件。\n", "utf-8")
    monkeypatch.setenv("TOUSU_REPORT_TEMPLATES", str(folder))
    assert "简版" in templating.available()
    _seed, _plan, report, _texts = published["003"]
    short = templating.render(report, "简版")
    assert [b.text for b in short.blocks] == ["金融科技简报", f"共{report.total}件。"]
    with pytest.raises(TousuError, match="找不到报告模板：没有"):
        templating.render(report, "没有")


def _reworded(source: str) -> str:
    """``source`` with every word of its own (outside tags) changed: a · after each
    Chinese character. Values printed stay as they are."""
    parts = re.split(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", source, flags=re.S)
    return "".join(
        part if i % 2 else re.sub(r"([\u4e00-\u9fff])", r"\1·", part)
        for i, part in enumerate(parts)
    )


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?%?", text)


def test_a_template_rewording_every_sentence_keeps_every_number(published, tmp_path):
    _seed, _plan, report, _texts = published["003"]
    mine = tmp_path / "mine.jinja"
    mine.write_text(_reworded(templating.source()), encoding="utf-8")
    # every sentence reworded but those that are data: staff's 处理情况, the registry's
    # names of the distributions
    data = {c.handling for c in report.cases if c.handling}
    data |= {f"（{i}）{d.heading}" for i, d in enumerate(report.distributions, 1)}
    for block in templating.render(report, str(mine)).blocks:
        if block.kind in ("title", "h1", "h2", "p", "case", "caption") and block.text:
            assert "·" in block.text or block.text in data, block
    default, reworded = write_all(report), write_all(report, template=str(mine))
    for fmt in FORMATS:
        before, after = _text(fmt, default[fmt]), _text(fmt, reworded[fmt])
        assert "入·选·投·诉·榜·的·平·台·的·依·次·为·分期乐" in after
        assert "入选投诉榜" not in after
        assert _numbers(after) == _numbers(before), fmt


HOSTILE = [
    "{{ ''.__class__.__mro__ }}",
    "{{ r.__class__.__init__.__globals__ }}",
    "{{ r.platforms.__class__.__subclasses__() }}",
    "{% for x in range(10**9) %}{% endfor %}",
    '{{ "{0.__class__.__mro__}".format(r) }}',
    "{{ r.cases.clear() }}",  # the report is read, never changed
]


@pytest.mark.parametrize("source", HOSTILE)
def test_a_hostile_template_is_refused_saying_where(published, tmp_path, source):
    _seed, _plan, report, _texts = published["001"]
    path = tmp_path / "evil.jinja"
    path.write_text(f"= 标题\n\n{source}\n", encoding="utf-8")
    with pytest.raises(TousuError) as caught:
        write_all(report, ("md",), template=str(path))
    said = str(caught.value)
    assert str(path) in said and "第3行" in said and "报告模板有误" in said, said


def test_a_broken_template_says_its_file_and_line(published, tmp_path, capsys):
    _seed, _plan, report, _texts = published["001"]
    for source, line, words in (
        ("= 标题\n{% if r.year %}\n没有结束\n", 3, "语法错误"),
        ("= 标题\n\n{{ r.no_such_field }}\n", 3, "不存在的字段"),
        ("= 标题\n{{ r.total / 0 }}\n", 2, "ZeroDivisionError"),
    ):
        path = tmp_path / "broken.jinja"
        path.write_text(source, encoding="utf-8")
        with pytest.raises(TousuError, match=f"第{line}行.*{words}"):
            templating.render(report, str(path))


def test_a_handling_sentence_is_audited_and_masked_for_the_public(published):
    """Staff's 处理情况 naming the complainant and a phone: kept for staff, scrubbed in the
    report, the change in the audit log."""
    engine = published["engine"]
    seed, _plan, _report, _texts = published["003"]
    case = seed.sections[0].cases[0]
    full = case.person[0] + ("志强" if case.gender == "男" else "秀英")
    sentence = f"经核实，{full}（电话13912345678）已与平台达成和解。"
    with session_scope(engine) as session:
        found, _n = cases.search_cases(
            session, Filters(platforms=(seed.sections[0].platform,)), typical_only=True
        )
        (row,) = [r for r in found if r.headline == case.headline]
        version = cases.case_detail(session, Filters(), row.id, reveal=True).version
        workflow.mark_typical(
            session,
            Actor("clerk"),
            row.id,
            typical=True,
            headline=case.headline,
            seen_version=version,
            handling=sentence,
        )
    with session_scope(engine) as session:
        assert cases.case_detail(session, Filters(), row.id, reveal=True).handling == sentence
        said = workflow.changes_since_seen(session, row.id, version)
        report = sector_report(session, Filters(), seed.sector, seed.year, org="电诉宝")
    assert "处理情况" in said
    (mine,) = [c for c in report.cases if c.id == row.id]
    assert mine.handling and "已与平台达成和解" in mine.handling
    assert full not in mine.handling and "13912345678" not in mine.handling
    page = write_all(report, ("md",))["md"].decode("utf-8")
    assert "已与平台达成和解" in page and full not in page and "13912345678" not in page


def test_the_leaderboard_length_and_sections_come_from_the_data(published, tmp_path, capsys):
    engine = published["engine"]
    seed, planned, report, _texts = published["003"]
    assert report.leaderboard == seed.leaderboard  # all 12, none cut at 10
    assert report.leaderboard_counts == [planned.counts[p] for p in seed.leaderboard]
    with session_scope(engine) as session:
        for least in (1, 10, 50):
            cut = sector_report(session, Filters(), seed.sector, seed.year, least=least)
            assert cut.leaderboard == [p for p in seed.leaderboard if planned.counts[p] >= least]
        top = sector_report(session, Filters(), seed.sector, seed.year, least=10, top=3)
        every = sector_report(session, Filters(), seed.sector, seed.year, all_sections=True)
    assert top.leaderboard == seed.leaderboard[:3]
    assert [s.platform for s in report.sections] == [s.platform for s in seed.sections]
    assert [s.platform for s in every.sections] == seed.leaderboard
    # the whole platform's share, for the template's comparison
    gender = report.distribution("gender")
    assert gender.difference("男") == gender.share("男") - gender.whole_share("男") > 5
