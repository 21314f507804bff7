"""`tousu doctor`: one screen on the deployment's health; exits 1 when something is wrong."""

from __future__ import annotations

import argparse

from cli.ops import shown
from cli.output import display_width
from models.ops import doctor
from models.settings import get_settings
from models.store.db import get_engine

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}


def add_parser(sub) -> None:
    p = sub.add_parser("doctor", help="检查数据库、结构版本、汇总表和设置")
    p.set_defaults(handler=cmd_doctor)


def cmd_doctor(_args: argparse.Namespace) -> int:
    settings = get_settings()
    findings = doctor.examine(settings, get_engine(), shown(settings.database_url))
    width = max(display_width(f.topic) for f in findings)
    print("Tousu 运行检查")
    for f in findings:
        gap = " " * (width - display_width(f.topic))
        print(f"  {MARKS[f.status]} {f.topic}{gap}  {f.detail}")
    failed = sum(f.status == "fail" for f in findings)
    warned = sum(f.status == "warn" for f in findings)
    if failed:
        print(f"有 {failed} 项问题（✗），{warned} 项提醒（!）")
        return 1
    print(f"没有发现问题；{warned} 项提醒（!）" if warned else "没有发现问题")
    return 0
