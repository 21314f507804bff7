"""Downloads clicked in headless Chromium: the whole case list (not the page of 50), masked
for a reader, and files named after the period and filters with numbers as numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.demo import generate_demo
from models.store import schema
from models.store.db import dispose_engines, get_engine
from tests.browser import CHROMIUM, CHROMIUM_ARGS, choose_download, streamlit_server, wait_idle
from tests.factories import add_complaints

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

TYPED = [
    {
        "platform": "分期乐",
        "submitted_at": f"2024-04-{d:02d} 10:00",
        "province": "广东省",
        "gender": "男",
        "complainant": f"陈志强{d}",
        "phone": f"139001390{d:02d}",
        "title": f"陈志强{d}反映分期乐乱收费，电话139001390{d:02d}",
        "transferred_at": f"2024-04-{d:02d} 12:00",
    }
    for d in range(1, 21)
]
SECRETS = {row["complainant"] for row in TYPED} | {row["phone"] for row in TYPED}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    url = f"sqlite:///{folder / 'downloads.db'}"
    engine = get_engine(url)
    schema.upgrade(engine)
    generate_demo(engine, complaints=2500, seed=8)
    add_complaints(engine, TYPED)
    dispose_engines()
    env = {
        "TOUSU_DATABASE_URL": url,
        "TOUSU_STATE_DIR": str(folder / "state"),
        "TOUSU_PUBLIC_DASHBOARDS": "1",
    }
    with streamlit_server(env) as base:
        yield base


def test_the_case_list_downloads_every_matching_case_masked(site):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        tab = context.new_page()

        def download(button: str) -> tuple[str, bytes]:
            caught = choose_download(tab, button)
            return caught.suggested_filename, Path(caught.path()).read_bytes()

        tab.goto(f"{site}/cases?period=2024&typical=false&sector=金融科技")
        wait_idle(tab)
        body = tab.inner_text("body")
        total = int(re.search(r"共 ([\d,]+) 件", body).group(1).replace(",", ""))
        assert total > 50 and f"下载包含全部 {total:,} 件" in body
        name, data = download("下载 CSV")
        assert name == "投诉列表_2024年_金融科技.csv"
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == total  # every matching case, not the 50 on screen
        assert {r["赛道"] for r in rows} == {"金融科技"}
        typed = [r for r in rows if "反映分期乐乱收费" in r["标题"]]
        assert len(typed) == len(TYPED) and {r["投诉人"] for r in typed} == {"广东省陈先生"}
        assert all(
            r["标题"].startswith("陈先生反映") and "[电话已隐去]" in r["标题"] for r in typed
        )
        name, data = download("下载 Excel")
        assert name == "投诉列表_2024年_金融科技.xlsx"
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet.max_row == total + 1 and sheet.title == "2024年 金融科技 投诉列表"
        assert sheet["B2"].is_date and sheet["A2"].data_type == "n"
        text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)
        assert [s for s in SECRETS if s in text or s.encode() in data] == []

        tab.goto(f"{site}/?period=2024")
        wait_idle(tab)
        name, data = download("下载 Excel")  # the first figure: monthly volume
        assert name == "月度投诉量（同比）_2024年.xlsx"
        sheet = load_workbook(io.BytesIO(data)).active
        assert [c.value for c in sheet[1]] == ["年份", "月份", "投诉量"]
        assert sheet["C2"].data_type == "n" and sheet["C2"].number_format == "#,##0"
        browser.close()
