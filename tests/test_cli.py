"""The `tousu` command line: output formats, exit codes, messages."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from cli.main import build_parser, main
from cli.output import display_width, render
from models.store import schema


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_db(use_db, capsys):
    assert run(capsys, "demo", "--complaints", "3000", "--seed", "5")[0] == 0
    return use_db


def test_init_is_idempotent(use_db, capsys):
    code, out, _ = run(capsys, "init")
    assert code == 0 and schema.head_revision() in out
    code, out, _ = run(capsys, "init")
    assert code == 0 and "最新" in out


def test_ratings_csv_matches_the_report_format(demo_db, capsys):
    code, out, _ = run(
        capsys, "ratings", "--platform", "小红书", "--year", "2024", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "年份",
        "时间段",
        "平台反馈率",
        "回复时效性",
        "用户满意度",
        "综合指数",
        "评级",
    ]
    assert rows[1][:2] == ["2024年", "全年"]
    assert all(r[2].endswith("%") and len(r[3].split(".")[1]) == 3 for r in rows[1:])


def test_stats_csv_and_json_agree(demo_db, capsys):
    _, out_csv, _ = run(capsys, "stats", "--by", "province", "--year", "2024", "--format", "csv")
    _, out_json, _ = run(capsys, "stats", "--by", "province", "--year", "2024", "--format", "json")
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    as_json = json.loads(out_json)
    assert [
        dict(r, count=int(r["count"]), percent=float(r["percent"].rstrip("%"))) for r in rows
    ] == as_json
    counts = [r["count"] for r in as_json]
    assert counts == sorted(counts, reverse=True)
    assert all(type(r["count"]) is int and type(r["percent"]) is float for r in as_json)
    assert abs(sum(r["percent"] for r in as_json) - 100) < 0.5


def test_stats_by_month_reads_in_time_order(demo_db, capsys):
    code, out, _ = run(capsys, "stats", "--by", "month", "--format", "csv")
    months = [r["label"] for r in csv.DictReader(io.StringIO(out))]
    assert code == 0 and len(months) >= 24
    assert months == sorted(months) and months[0].endswith("-01")


def test_stats_province_accepts_the_short_name_as_the_importer_does(demo_db, capsys):
    _, short, _ = run(capsys, "stats", "--by", "gender", "--province", "广东", "--format", "csv")
    _, full, _ = run(capsys, "stats", "--by", "gender", "--province", "广东省", "--format", "csv")
    _, everywhere, _ = run(capsys, "stats", "--by", "gender", "--format", "csv")
    assert short == full != everywhere and len(short.splitlines()) > 1
    code, out, err = run(capsys, "stats", "--by", "gender", "--province", "火星")
    assert code == 2 and out == "" and "火星" in err and "广东" in err


@pytest.mark.parametrize(("option", "known"), [("--sector", "金融科技"), ("--platform", "云集")])
def test_stats_unknown_sector_or_platform_exits_2_with_the_known_names(
    demo_db, capsys, option, known
):
    code, out, err = run(capsys, "stats", "--by", "gender", option, "不存在的名字")
    assert code == 2 and out == ""
    assert err.startswith("错误：") and "不存在的名字" in err and known in err
    assert "没有符合条件的投诉" not in err


NAMED_OPTIONS = ("--sector", "--platform", "--province")
#: A valid value for each other argument a command requires, by its destination.
REQUIRED = {
    "year": "2024",
    "by": "gender",
    "output": "report.html",
    "name": "pdd-service",
    "period": "2024",
}


def _commands(parser, prefix=()):
    """Every command (``("share", "create")`` …) with its parser, found in the parser."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield prefix, parser
    for action in subs:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*prefix, name))


def _named_cases():
    """(command, option) for every command that takes a sector, platform or province."""
    return [
        (command, option)
        for command, parser in _commands(build_parser())
        for action in parser._actions
        for option in action.option_strings
        if option in NAMED_OPTIONS
    ]


def _argv(command, option, value):
    """The command with every required argument filled in and ``option`` set to ``value``."""
    parser = dict(_commands(build_parser()))[command]
    argv = [*command, option, value]
    for action in parser._actions:
        needed = action.required or (not action.option_strings and action.nargs != 0)
        if not needed or option in action.option_strings or action.dest == "help":
            continue
        if action.choices:
            filled = next(iter(action.choices))
        elif action.dest in REQUIRED:
            filled = REQUIRED[action.dest]
        else:
            pytest.fail(f"add a valid value for {action.dest!r} ({command}) to REQUIRED")
        argv += [*action.option_strings[:1], filled]
    return argv


def test_every_command_taking_names_is_swept():
    swept = {(" ".join(command), option) for command, option in _named_cases()}
    assert {
        ("stats", "--sector"),
        ("stats", "--platform"),
        ("stats", "--province"),
        ("ratings", "--platform"),
        ("report", "--sector"),
        ("report", "--platform"),
        ("publish", "--sector"),
        ("share create", "--sector"),
        ("share create", "--platform"),
        ("user add", "--platform"),
    } <= swept


#: Options spelled like a filter that are not one, each with the reason.
NOT_FILTERS = {
    (("user", "add"), "--platform"): "the platforms an account answers for",
    (("migrate",), "--to"): "a database address",
}


def test_every_filter_option_comes_from_the_shared_helper():
    """Walk every command: each --sector, --platform, --province, --year, --from, --to
    (and --by) is the one cli/filter_options.py declares — a command that spelled one out
    by hand, or changed its help, type or destination, fails here."""
    from cli.filter_options import OPTIONS, add_dimension_option

    by = add_dimension_option(argparse.ArgumentParser())
    seen = set()
    for command, parser in _commands(build_parser()):
        for action in parser._actions:
            for flag in set(action.option_strings) & {*OPTIONS, "--by"}:
                if (command, flag) in NOT_FILTERS:
                    continue
                seen.add((" ".join(command), flag))
                if flag == "--by":
                    same = ("dest", "help", "type", "choices", "metavar", "required")
                    assert [getattr(action, a) for a in same] == [getattr(by, a) for a in same]
                    continue
                option = OPTIONS[flag]
                assert getattr(action, "filter_option", None) is option, (command, flag)
                one = action.filter_one  # the one value the command is about
                expected = (
                    option.dest,
                    option.type,
                    (option.one_help or option.help) if one else option.help,
                    (option.one_metavar or option.metavar) if one else option.metavar,
                )
                assert (action.dest, action.type, action.help, action.metavar) == expected, (
                    command,
                    flag,
                )
    assert {
        ("stats", "--by"),
        ("stats", "--year"),
        ("stats", "--from"),
        ("stats", "--to"),
        ("share create", "--from"),
        ("share create", "--to"),
        ("ratings", "--year"),
        ("report", "--year"),
        *((" ".join(c), o) for c, o in _named_cases() if (c, o) not in NOT_FILTERS),
    } <= seen


def test_an_unknown_name_exits_2_with_the_known_names_in_every_command(
    demo_db, capsys, monkeypatch, tmp_path
):
    """Every option naming a sector, platform or province, in every command: a name that
    matches nothing is a wrong argument (exit 2, nothing printed on stdout, nothing done)
    and the message lists every known name."""
    from models.rules.labels import PROVINCES
    from models.store.db import get_engine
    from models.store.tables import AuditLog, Platform

    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-password\n"))
    engine = get_engine(demo_db)
    with engine.connect() as conn:
        known_rows = conn.execute(select(Platform.name, Platform.sector)).all()
        audited = conn.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    known = {
        "--sector": {sector for _name, sector in known_rows},
        "--platform": {name for name, _sector in known_rows},
        "--province": set(PROVINCES),
    }
    for command, option in _named_cases():
        code, out, err = run(capsys, *_argv(command, option, "不存在的名字"))
        assert code == 2, (command, option, err)
        assert out == "" and err.startswith("错误：") and "不存在的名字" in err, (command, err)
        missing = {name for name in known[option] if name not in err}
        assert not missing, (command, option, sorted(missing)[:5])
    assert not list((tmp_path / "cwd").iterdir())  # no report written
    with engine.connect() as conn:  # no account, no link made
        assert conn.execute(select(func.count()).select_from(AuditLog)).scalar_one() == audited


def test_ratings_json_writes_numbers_as_numbers(demo_db, capsys):
    code, out, _ = run(
        capsys, "ratings", "--platform", "小红书", "--year", "2024", "--format", "json"
    )
    first = json.loads(out)[0]
    assert code == 0 and first["年份"] == "2024年"
    for column in ("平台反馈率", "回复时效性", "用户满意度", "综合指数"):
        assert type(first[column]) is float, column
    _, table, _ = run(capsys, "ratings", "--platform", "小红书", "--year", "2024")
    assert f"{first['平台反馈率']:.2f}%" in table


def test_help_and_argument_errors_are_chinese(use_db, capsys):
    for argv in (
        ["--help"],
        ["stats", "--help"],
        ["demo", "--help"],
        ["report", "-h"],
        ["user", "--help"],
        ["share", "create", "-h"],
        ["backup", "-h"],
        ["restore", "-h"],
        ["migrate", "-h"],
        ["doctor", "-h"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        out = capsys.readouterr().out
        assert exit_info.value.code == 0 and out.startswith("用法：")
        assert "选项：" in out and ":\n" not in out
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"--?[\w-]+", "", out))}
        english = {"usage", "options", "show", "help", "the", "and", "of", "to", "for", "with"}
        assert not words & english, out
        assert {"repeatable", "default", "arguments"}.isdisjoint(words), out
    with pytest.raises(SystemExit) as exit_info:
        main(["stats", "--by", "weekday"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "错误：" in err and "无效的取值" in err
    assert "invalid" not in err and "usage" not in err


def test_demo_is_deterministic_for_a_seed(use_db, capsys, tmp_path, monkeypatch):
    _, first, _ = run(capsys, "stats", "--by", "platform", "--format", "csv")
    assert run(capsys, "demo", "--complaints", "2000", "--seed", "9")[0] == 0
    _, a, _ = run(capsys, "stats", "--by", "problem_type", "--format", "csv")
    assert run(capsys, "demo", "--complaints", "2000", "--seed", "9", "--replace")[0] == 0
    _, b, _ = run(capsys, "stats", "--by", "problem_type", "--format", "csv")
    assert run(capsys, "demo", "--complaints", "2000", "--seed", "10", "--replace")[0] == 0
    _, c, _ = run(capsys, "stats", "--by", "problem_type", "--format", "csv")
    assert a == b != c
    assert first == "label,count,percent\n"


def test_demo_refuses_to_overwrite_without_replace(demo_db, capsys):
    code, _, err = run(capsys, "demo", "--complaints", "10")
    assert code == 1 and "--replace" in err


def test_user_mistakes_exit_non_zero_without_traceback(demo_db, capsys, tmp_path):
    code, _, err = run(capsys, "ratings", "--platform", "不存在的平台", "--year", "2024")
    assert code == 2 and "不存在的平台" in err  # a wrong argument, as every unknown name
    code, _, err = run(capsys, "stats", "--by", "gender", "--year", "2024", "--from", "2024-01-01")
    assert code == 1 and "--year" in err
    code, _, err = run(capsys, "import", "complaints", str(tmp_path / "missing.csv"))
    assert code == 1 and "无法读取" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("投诉平台,投诉时间,问题类型\n甲,昨天,退款问题\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "complaints", str(bad))
    assert code == 1 and "第2行" in err and "投诉时间" in err


def test_uninitialised_database_is_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TOUSU_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = run(capsys, "stats", "--by", "gender")
    assert code == 1 and "tousu init" in err


def test_import_dry_run_then_real(use_db, capsys, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "投诉平台,投诉时间,问题类型,投诉地区\n甲,2024-03-01,退款问题,广东\n", encoding="gbk"
    )
    code, out, _ = run(capsys, "import", "complaints", str(path), "--dry-run")
    assert code == 0 and "试运行" in out
    _, out, _ = run(capsys, "stats", "--by", "province", "--format", "csv")
    assert out == "label,count,percent\n"
    assert run(capsys, "import", "complaints", str(path))[0] == 0
    _, out, _ = run(capsys, "stats", "--by", "province", "--format", "csv")
    assert out == "label,count,percent\n广东省,1,100.00%\n"


def test_console_script_prints_no_traceback(tmp_path):
    env = dict(os.environ, TOUSU_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "ratings", "--platform", "甲", "--year", "2024"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("错误：")


def test_table_output_aligns_chinese_text():
    text = render(
        [{"label": "广东省", "count": 5}, {"label": "x", "count": 10}], ("label", "count"), "table"
    )
    lines = text.splitlines()
    assert len({display_width(line) for line in lines}) == 1


def test_summary_check_finds_a_stale_row_and_rebuild_repairs_it(demo_db, capsys):
    from sqlalchemy import update

    from models.store.db import get_engine, session_scope
    from models.store.tables import SummaryCount

    assert run(capsys, "summary", "check")[0] == 0
    with session_scope(get_engine(demo_db)) as session:
        session.execute(update(SummaryCount).values(complaints=SummaryCount.complaints + 1))
    code, _out, err = run(capsys, "summary", "check")
    assert code == 1 and "summary_count" in err and "tousu summary rebuild" in err
    assert run(capsys, "summary", "rebuild")[0] == 0
    assert run(capsys, "summary", "check")[0] == 0


def test_share_create_refuses_unknown_names_and_prints_a_working_address(
    demo_db, capsys, monkeypatch
):
    monkeypatch.delenv("TOUSU_BASE_URL", raising=False)
    code, out, err = run(capsys, "share", "create", "--sector", "不存在的赛道")
    assert code == 2 and out == "" and "未知赛道：不存在的赛道" in err and "金融科技" in err
    code, _out, err = run(capsys, "share", "create", "--platform", "没有这个平台")
    assert code == 2 and "未知平台：没有这个平台" in err

    from models.ops import serving

    noted = serving.Serving("http://127.0.0.1:8701", False, None, None, os.getpid())
    serving.record(noted)  # what `tousu serve --port 8701` notes
    code, out, err = run(capsys, "share", "create", "--sector", "金融科技")
    assert code == 0 and out.startswith("http://127.0.0.1:8701/?share=")
    assert "只能在本机打开" in err and "TOUSU_BASE_URL" in err

    # The server's TOUSU_BASE_URL, though this shell lacks it: never a backend's address.
    serving.record(dataclasses.replace(noted, base_url="https://board.example.org"))
    code, out, err = run(capsys, "share", "create", "--sector", "金融科技")
    assert code == 0 and out.startswith("https://board.example.org/?share=")
    assert "只能在本机打开" not in err

    monkeypatch.setenv("TOUSU_BASE_URL", "https://tousu.example.org")
    code, out, err = run(capsys, "share", "create", "--sector", "金融科技")
    assert code == 0 and out.startswith("https://tousu.example.org/?share=")
    assert "只能在本机打开" not in err


def test_serve_records_the_address_share_links_use(use_db, tmp_path):
    from tests.browser import free_port

    port = free_port()
    env = {**os.environ, "TOUSU_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        recorded = tmp_path / "state" / "serving.json"
        for _ in range(200):
            if recorded.exists() or proc.poll() is not None:
                break
            import time

            time.sleep(0.1)
        noted = json.loads(recorded.read_text())
        assert noted["address"] == f"http://127.0.0.1:{port}" and noted["pid"] == proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_import_and_date_mistakes_are_reported_in_chinese(use_db, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "投诉平台,投诉时间,问题类型,回复时间,移交时间,年龄,满意度\n"
        "甲,2024-13-01,退款问题,2024-02-30T25:00,20241301,abc,11\n"
        "甲,2024-01-01T10:00:00+25:00,退款问题,2024-00-10,2024-W60,-1,x\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "import", "complaints", str(bad))
    assert code == 1 and err.count("第") >= 8
    assert not re.findall(r"[A-Za-z]{3,}", re.sub(r"“[^”]*”", "", err)), err
    with pytest.raises(SystemExit):
        main(["stats", "--by", "gender", "--from", "2024-13-01"])
    err = capsys.readouterr().err
    assert "不是日期" in err and "must" not in err and "not a date" not in err


def test_every_command_is_in_the_readme():
    import argparse
    from pathlib import Path

    from cli.main import build_parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (commands,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    missing = [name for name in commands.choices if f"| `tousu {name}" not in readme]
    assert missing == []


def test_an_import_from_the_command_line_is_audited_like_one_from_the_admin_page(
    use_db, capsys, tmp_path
):
    """`tousu import` and the admin page's import leave the same audit entry; only the
    actor differs (the operator at the terminal, `cli`). A dry run leaves none."""
    from models.access import users
    from models.access.roles import CLI, Actor
    from models.store.db import get_engine, session_scope
    from models.writes import audit
    from models.writes.imports import import_file

    header = "投诉平台,投诉时间,问题类型,投诉地区\n"
    by_cli, by_page = tmp_path / "终端.csv", tmp_path / "页面.csv"
    by_cli.write_text(header + "甲,2024-03-01,退款问题,广东\n", encoding="utf-8")
    by_page.write_text(header + "乙,2024-03-02,虚假促销,福建\n", encoding="utf-8")
    engine = get_engine(use_db)
    with session_scope(engine, write=True) as session:
        users.add_user(session, CLI, "boss", "admin", "correct-horse-battery")

    assert run(capsys, "import", "complaints", str(by_cli), "--dry-run")[0] == 0
    assert run(capsys, "import", "complaints", str(by_cli))[0] == 0
    with session_scope(engine, write=True) as session:
        import_file(
            session, Actor("boss"), "complaints", by_page.read_bytes(), by_page.name, dry_run=False
        )
    with session_scope(engine) as session:
        cli_entry, page_entry = sorted(
            audit.entries(session, CLI, entity="import"), key=lambda e: e.id
        )
    assert (cli_entry.actor, page_entry.actor) == ("cli", "boss")
    assert (cli_entry.entity_id, page_entry.entity_id) == ("终端.csv", "页面.csv")
    same = ("action", "entity", "before", "after")
    assert [getattr(cli_entry, f) for f in same] == [getattr(page_entry, f) for f in same]
    assert cli_entry.action == "import_complaints" and cli_entry.after["inserted"] == 1


def test_serve_on_a_taken_port_is_refused_and_notes_nothing(use_db, tmp_path):
    """A port another program holds: a clear error before anything is noted, so share
    links and `tousu doctor` never point at that program."""
    import socket

    from tests.browser import free_port

    port = free_port()
    env = {**os.environ, "TOUSU_STATE_DIR": str(tmp_path / "state")}
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from cli.main import main; raise SystemExit(main())",
                "serve",
                "--port",
                str(port),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1 and f"无法在 http://127.0.0.1:{port} 启动" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "state" / "serving.json").exists()
