"""Import of complaints and platforms: formats, normalisation, validation, upserts."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from openpyxl import Workbook
from sqlalchemy import func, select

from models.importing import import_complaints, import_platforms
from models.rules.labels import (
    AMOUNT_BRACKETS,
    COARSE_BRACKETS,
    bracket_for_amount,
    is_coarse_bracket,
    normalize_bracket,
)
from models.store.db import session_scope
from models.store.tables import Complaint, Platform, Reply, SatisfactionScore
from tests.factories import csv_bytes

CHINESE_HEADER = [
    "投诉编号",
    "投诉平台",
    "投诉时间",
    "投诉地区",
    "性别",
    "投诉金额",
    "问题类型",
    "投诉人",
    "电话",
    "回复时间",
    "回复内容",
    "满意度",
]


def _import(engine, data, name="c.csv", dry_run=False):
    with session_scope(engine) as session:
        return import_complaints(session, data, name, dry_run=dry_run)


def _complaints(engine):
    with session_scope(engine) as session:
        return session.exec(select(Complaint).order_by(Complaint.id)).scalars().all()


def _chinese_rows():
    return [
        dict(
            zip(
                CHINESE_HEADER,
                [
                    "A1",
                    "小红书",
                    "2023-12-12 10:00",
                    "福建",
                    "女",
                    "650",
                    "退款问题",
                    "黄女士",
                    "13800000000",
                    "2023-12-13 09:00",
                    "已处理",
                    "8",
                ],
                strict=True,
            )
        ),
        dict(
            zip(
                CHINESE_HEADER,
                ["A2", "新平台", "2023/5/14", "内蒙古", "M", "", "网络售假", "", "", "", "", ""],
                strict=True,
            )
        ),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_chinese_headers_in_every_csv_encoding(engine, encoding):
    report = _import(engine, csv_bytes(_chinese_rows(), CHINESE_HEADER, encoding))
    assert report.ok, report.errors
    assert (report.inserted, report.updated, report.platforms_created) == (
        2,
        0,
        ["小红书", "新平台"],
    )
    first, second = _complaints(engine)
    assert first.province == "福建省" and second.province == "内蒙古自治区"
    assert first.gender == "女" and second.gender == "男"
    assert first.amount == Decimal("650.00") and first.amount_bracket == "500-1000元"
    assert second.amount_bracket == "未选择"
    assert first.status == "已评价" and second.status == "已移交"
    assert first.transferred_at == datetime(2023, 12, 12, 10, 0)
    assert first.reply_tier == 0 and first.score == 8
    assert second.submitted_at == datetime(2023, 5, 14) and second.submitted_month == 202305


def test_xlsx_import(engine):
    book = Workbook()
    sheet = book.active
    sheet.append(CHINESE_HEADER)
    sheet.append(
        [
            "X1",
            "1688",
            datetime(2024, 8, 16, 9, 30),
            "广东省",
            "男",
            1340.7,
            "任意仅退款",
            "卢先生",
            None,
            None,
            None,
            None,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = _import(engine, buffer.getvalue(), "cases.xlsx")
    assert report.ok, report.errors
    (row,) = _complaints(engine)
    assert row.submitted_at == datetime(2024, 8, 16, 9, 30)
    assert row.amount == Decimal("1340.70") and row.amount_bracket == "1000-5000元"


@pytest.mark.parametrize(
    ("amount", "bracket"),
    [
        (0, "0-100元"),
        (99.99, "0-100元"),
        (100, "100-500元"),
        (500, "500-1000元"),
        (1000, "1000-5000元"),
        (5000, "5000-10000元"),
        (9999.99, "5000-10000元"),
        (10000, "10000元以上"),
        (None, "未选择"),
    ],
)
def test_amount_brackets_include_their_lower_bound(amount, bracket):
    assert bracket_for_amount(None if amount is None else Decimal(str(amount))) == bracket


def test_every_bad_cell_is_reported_and_nothing_is_written(engine):
    rows = [
        {"platform": "甲", "submitted_at": "2024-01-01", "problem_type": "退款问题"},
        {
            "platform": "",
            "submitted_at": "2024-13-01",
            "problem_type": "退款问题",
            "province": "火星",
        },
        {
            "platform": "乙",
            "submitted_at": "2024-01-02",
            "problem_type": "",
            "gender": "x",
            "satisfaction": "11",
            "amount": "-5",
        },
        {
            "platform": "丙",
            "submitted_at": "2024-01-05 10:00",
            "problem_type": "退款问题",
            "replied_at": "2024-01-04 10:00",
            "email": "not-an-email",
            "age": "abc",
        },
    ]
    columns = [
        "platform",
        "submitted_at",
        "problem_type",
        "province",
        "gender",
        "satisfaction",
        "amount",
        "replied_at",
        "email",
        "age",
    ]
    report = _import(engine, csv_bytes(rows, columns))
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found >= {
        (3, "platform"),
        (3, "submitted_at"),
        (3, "province"),
        (4, "problem_type"),
        (4, "gender"),
        (4, "satisfaction"),
        (4, "amount"),
        (5, "replied_at"),
        (5, "email"),
        (5, "age"),
    }
    assert not any(e.row == 2 for e in report.errors)
    assert "第3行" in str(report.errors[0]) or "第3行" in "".join(map(str, report.errors))
    assert _complaints(engine) == []
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Platform)) == 0


def test_missing_required_column_is_reported(engine):
    report = _import(engine, b"platform,problem_type\nx,y\n")
    assert [(e.row, e.reason) for e in report.errors] == [(1, "缺少必需的列")]


def test_dry_run_writes_nothing_and_says_what_an_import_would_do(engine):
    report = _import(engine, csv_bytes(_chinese_rows(), CHINESE_HEADER), dry_run=True)
    assert report.ok and report.dry_run and report.inserted == 2
    assert report.platforms_created == ["小红书", "新平台"]  # a misspelt platform shows here
    assert _complaints(engine) == []


def test_reimport_with_same_external_id_updates(engine):
    rows = _chinese_rows()
    assert _import(engine, csv_bytes(rows, CHINESE_HEADER)).ok
    rows[0]["满意度"] = "3"
    rows[0]["回复内容"] = "再次回复"
    rows[1]["问题类型"] = "虚假促销"
    report = _import(engine, csv_bytes(rows, CHINESE_HEADER))
    assert (report.inserted, report.updated) == (0, 2)
    first, second = _complaints(engine)
    assert first.score == 3 and second.problem_type == "虚假促销"
    assert first.version == 2
    with session_scope(engine) as session:
        replies = session.exec(select(Reply.content)).scalars().all()
        scores = (
            session.exec(select(SatisfactionScore.score).order_by(SatisfactionScore.id))
            .scalars()
            .all()
        )
    assert replies == ["再次回复"]
    assert scores == [8, 3]  # the earlier score stays in the history


def test_duplicate_external_id_within_a_file(engine):
    rows = _chinese_rows()
    rows[1]["投诉编号"] = "A1"
    report = _import(engine, csv_bytes(rows, CHINESE_HEADER))
    assert [(e.row, e.column) for e in report.errors] == [(3, "投诉编号")]


def test_status_must_match_what_the_row_holds(engine):
    rows = [
        {
            "platform": "甲",
            "submitted_at": "2024-01-01",
            "problem_type": "退款问题",
            "status": "已回复",
        }
    ]
    report = _import(
        engine, csv_bytes(rows, ["platform", "submitted_at", "problem_type", "status"])
    )
    assert [e.column for e in report.errors] == ["status"]


def test_platform_import_adds_and_updates(engine):
    data = "平台,赛道,是否入驻\n云集,社交电商,是\n萌推,社交电商,否\n".encode()
    with session_scope(engine) as session:
        assert import_platforms(session, data, "p.csv").inserted == 2
    with session_scope(engine) as session:
        report = import_platforms(
            session, "name,sector,onboarded\n萌推,社交电商,true\n".encode(), "p.csv"
        )
    assert report.updated == 1
    with session_scope(engine) as session:
        onboarded = dict(session.execute(select(Platform.name, Platform.onboarded)).all())
    assert onboarded == {"云集": True, "萌推": True}


def test_platform_import_rejects_bad_onboarded_value(engine):
    with session_scope(engine) as session:
        report = import_platforms(
            session, "name,sector,onboarded\n云集,社交电商,maybe\n".encode(), "p.csv"
        )
    assert [(e.row, e.column) for e in report.errors] == [(2, "onboarded")]


def test_typical_case_columns_and_a_reimport_keeps_what_staff_chose(engine):
    header = ["投诉编号", "投诉平台", "投诉时间", "问题类型", "典型案例", "案例标题"]
    rows = [
        {
            "投诉编号": "A",
            "投诉平台": "云集",
            "投诉时间": "2023-10-28 09:00",
            "问题类型": "售后服务",
            "典型案例": "是",
            "案例标题": "签到送商品活动没得送？",
        },
        {
            "投诉编号": "B",
            "投诉平台": "云集",
            "投诉时间": "2023-10-29 09:00",
            "问题类型": "售后服务",
            "典型案例": "否",
            "案例标题": "",
        },
        {
            "投诉编号": "C",
            "投诉平台": "云集",
            "投诉时间": "2023-10-30 09:00",
            "问题类型": "售后服务",
            "典型案例": "",
            "案例标题": "",
        },
    ]
    assert _import(engine, csv_bytes(rows, header)).ok
    a, b, c = _complaints(engine)
    assert (a.typical, a.headline) == (True, "签到送商品活动没得送？")
    assert (b.typical, c.typical) == (False, False)
    # the same file without the columns: the marks stay; 否 in the column unmarks
    plain = [{k: r[k] for k in header[:4]} for r in rows]
    assert _import(engine, csv_bytes(plain, header[:4])).ok
    assert _complaints(engine)[0].typical and _complaints(engine)[0].headline
    rows[0]["典型案例"] = "否"
    assert _import(engine, csv_bytes(rows[:1], header)).ok
    assert not _complaints(engine)[0].typical
    bad = [{**rows[0], "投诉编号": "D", "典型案例": "也许"}]
    report = _import(engine, csv_bytes(bad, header))
    assert not report.ok and "典型案例" in str(report.errors[0])


@given(
    spelling=hs.sampled_from(
        [*AMOUNT_BRACKETS, *COARSE_BRACKETS, "0-5万", "1000元-5000元", "未选择金额区间", "很多"]
    ),
    amount=hs.one_of(hs.none(), hs.decimals(0, 200000, places=2)),
)
def test_every_bracket_read_is_one_of_the_one_scheme(spelling, amount):
    """Whatever bracket a file names, what is stored is a bracket of the reports' ordered
    scheme; a coarse one (0-5万元) is the bracket of the complaint's amount."""
    read = normalize_bracket(spelling, amount)
    assert read is None or read in AMOUNT_BRACKETS
    if is_coarse_bracket(spelling):
        assert read == bracket_for_amount(amount)
    else:
        assert read == normalize_bracket(spelling)  # the amount changes nothing else


@pytest.mark.parametrize(
    ("cell", "kind"),
    [("", "消费者"), ("消费者", "消费者"), ("个人", "消费者"), ("商家", "商家"), ("商户", "商家"),
     (" Merchant ", "商家"), ("卖家", "商家")],
)  # fmt: skip
def test_complainant_type_spellings(engine, cell, kind):
    data = csv_bytes(
        [{"投诉平台": "甲", "投诉时间": "2024-01-02", "问题类型": "退款问题", "投诉人类型": cell}],
        ["投诉平台", "投诉时间", "问题类型", "投诉人类型"],
    )
    assert _import(engine, data).ok
    assert [c.complainant_type for c in _complaints(engine)] == [kind]


WORKFLOW_ROWS = {  # what a re-imported row says of the workflow, as the file's cells
    "derived": {},
    "待审核": {"状态": "待审核"},
    "已移交": {"状态": "已移交", "移交时间": "2023-12-12 11:00"},
    "已回复": {"回复时间": "2023-12-14 09:00", "回复内容": "文件中的回复"},
    "已评价": {"回复时间": "2023-12-14 09:00", "回复内容": "文件中的回复", "满意度": "5"},
}


def test_a_reimport_never_moves_a_complaint_back_in_the_workflow(engine):
    """Every status staff can bring a complaint to, re-imported with every workflow a row
    can say: the further one wins; a row behind leaves the review, reply and score staff
    entered — and their history — as they were, and nothing contradicts itself."""
    from models.access.roles import CLI
    from models.rules.complaint import status_problem
    from models.writes import workflow

    steps = {  # staff's writes from 待审核 to each status
        "待审核": [],
        "不予受理": [("review", {"accept": False, "reason": "重复投诉"})],
        "已移交": [("review", {"accept": True})],
        "已回复": [("review", {"accept": True}), ("reply", {"text": "工作人员录入"})],
        "已评价": [
            ("review", {"accept": True}),
            ("reply", {"text": "工作人员录入"}),
            ("score", {"score": 9}),
        ],
    }
    write = {
        "review": workflow.review,
        "reply": workflow.enter_reply,
        "score": workflow.enter_score,
    }
    cases = [(stored, row) for stored in steps for row in WORKFLOW_ROWS]
    header = [
        "投诉编号",
        "投诉平台",
        "投诉时间",
        "标题",
        "问题类型",
        "状态",
        "移交时间",
        "回复时间",
        "回复内容",
        "满意度",
    ]
    base = {
        "投诉平台": "小红书",
        "投诉时间": "2023-12-12 10:00",
        "标题": "初版",
        "问题类型": "退款问题",
    }
    first = [{**base, "投诉编号": f"W{i}", "状态": "待审核"} for i in range(len(cases))]
    assert _import(engine, csv_bytes(first, header)).ok
    before = {}
    with session_scope(engine) as session:
        ids = dict(session.execute(select(Complaint.external_id, Complaint.id)).all())
        for i, (stored, _row) in enumerate(cases):
            cid = ids[f"W{i}"]
            for step, kwargs in steps[stored]:
                version = session.get(Complaint, cid).version
                write[step](session, CLI, cid, seen_version=version, **kwargs)
                session.flush()
    with session_scope(engine) as session:
        for i, _case in enumerate(cases):
            c = session.get(Complaint, ids[f"W{i}"])
            replies = session.scalars(select(Reply.content).where(Reply.complaint_id == c.id)).all()
            before[i] = (c.status, c.transferred_at, c.replied_at, c.score, replies)
    again = [
        {**base, "投诉编号": f"W{i}", "标题": "更正", **WORKFLOW_ROWS[row]}
        for i, (_s, row) in enumerate(cases)
    ]
    data = csv_bytes(again, header)
    checked = _import(engine, data, dry_run=True)  # the check says what the import does
    report = _import(engine, data)
    assert report.ok, [str(e) for e in report.errors]
    said_by = lambda r: (r.inserted, r.updated, r.kept_work, r.platforms_created)  # noqa: E731
    assert said_by(checked) == said_by(report) and "保留工作人员录入" in checked.summary()
    progress = {"待审核": 0, "已移交": 1, "不予受理": 1.5, "已回复": 2, "已评价": 3}
    behind = 0
    with session_scope(engine) as session:
        for i, (stored, row) in enumerate(cases):
            c = session.get(Complaint, ids[f"W{i}"])
            replies = session.scalars(select(Reply.content).where(Reply.complaint_id == c.id)).all()
            said = "已移交" if row == "derived" else row
            assert c.title == "更正", (stored, row)  # the rest of the row is taken
            assert status_problem(c.status, c.replied_at is not None, c.score is not None) is None
            assert bool(replies) == (c.replied_at is not None), (stored, row)
            if progress[said] < progress[stored]:
                behind += 1
                assert (c.status, c.transferred_at, c.replied_at, c.score, replies) == before[i]
            else:
                assert c.status == said, (stored, row)
                assert ("文件中的回复" in replies) == (said in ("已回复", "已评价")), (stored, row)
    assert report.kept_work == behind > 0
