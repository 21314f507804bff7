"""The weekly digest as a message: HTML with its style inline (mail clients drop <style>
blocks and outside files), a plain-text twin, and the mail that carries both.

Every text is escaped: platform names, sentences and titles come from data.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from urllib.parse import unquote, urlsplit

from models.alerts.digest import Digest
from models.errors import TousuError
from models.rules.labels import UNKNOWN

RED = "#c8102e"
_CELL = "padding:4px 10px;border-bottom:1px solid #e0e0e0;text-align:left"
_NUMBER = _CELL.replace("text-align:left", "text-align:right")


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th style="{_CELL};color:#555">{escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{_NUMBER if i in numeric else _CELL}">{escape(str(v))}</td>'
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        '<table style="border-collapse:collapse;font-size:14px;margin:6px 0 14px">'
        f"<tr>{head}</tr>{body}</table>"
    )


def _heading(text: str) -> str:
    return f'<h2 style="font-size:17px;color:{RED};margin:20px 0 6px">{escape(text)}</h2>'


def _paragraph(text: str) -> str:
    return f'<p style="margin:4px 0">{escape(text)}</p>'


def sections(digest: Digest) -> list[tuple[str, list[str], list[list[str]] | None]]:
    """The digest's parts in order: heading, sentences, and a table (header first) or None —
    what both the HTML and the text say."""
    figures = [["指标", "本周", "上周", "去年同周"]] + [
        [f.label, f.week, f.week_before, f.year_before] for f in digest.figures
    ]
    parts: list[tuple[str, list[str], list[list[str]] | None]] = [("本周概况", [], figures)]
    rises = [a.sentence + "。" for a in digest.alerts] or ["本周没有投诉异常上升。"]
    parts.append(("消费预警", rises, None))
    month = f"{digest.month.first.year}年{digest.month.first.month}月"
    changes = [a.sentence + "。" for a in digest.rating_changes] or [
        f"{month}没有平台评级下降或回复明显变差。"
    ]
    parts.append((f"评级变化（{month}）", changes, None))
    queue = [["等待时长", "待回复投诉"]] + [[k, f"{v:,}"] for k, v in digest.queue.items()]
    overdue = f"超过72小时仍未回复的投诉共 {digest.overdue:,} 件。"
    parts.append(("回复队列", [overdue], queue))
    cases = [
        f"{c.submitted_at.month}月{c.submitted_at.day}日，{c.complainant or UNKNOWN}投诉“{c.platform}”"
        f"（{c.problem_type}）：{c.headline or c.title or '（无标题）'}"
        for c in digest.cases
    ] or ["本周没有新的投诉。"]
    parts.append(("本周新案例", cases, None))
    return parts


def html(digest: Digest, org: str) -> str:
    """The digest as one HTML document, its style inline, no outside resource."""
    body = [
        f'<h1 style="font-size:21px;margin:0 0 4px">{escape(digest.title)}</h1>',
        f'<p style="color:#666;margin:0 0 10px">{escape(org)} · 投诉人信息已脱敏</p>',
    ]
    for heading, sentences, table in sections(digest):
        body.append(_heading(heading))
        body += [_paragraph(s) for s in sentences]
        if table:
            body.append(_table(table[0], table[1:], numeric={1, 2, 3}))
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(digest.title)}</title></head>"
        "<body style=\"font-family:'Noto Sans CJK SC',sans-serif;color:#222;"
        f'max-width:720px;margin:16px auto;padding:0 12px">{"".join(body)}</body></html>\n'
    )


def pdf(digest: Digest, org: str) -> bytes:
    """The HTML as an A4 PDF (WeasyPrint, with the CJK fonts the system has)."""
    from weasyprint import HTML  # loads pango: only when a PDF is asked for

    return HTML(string=html(digest, org)).write_pdf()


def text(digest: Digest, org: str) -> str:
    """The digest as plain text (the mail's other part)."""
    lines = [digest.title, f"{org} · 投诉人信息已脱敏", ""]
    for heading, sentences, table in sections(digest):
        lines.append(f"【{heading}】")
        lines += sentences
        for row in table or []:
            lines.append("  ".join(row))
        lines.append("")
    return "\n".join(lines)


def message(digest: Digest, org: str, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = digest.title
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    mail.set_content(text(digest, org))
    mail.add_alternative(html(digest, org), subtype="html")
    return mail


def send(mail: EmailMessage, smtp_url: str, timeout: float = 30) -> None:
    """Hand ``mail`` to the server ``smtp_url`` names (smtp:// with STARTTLS when offered,
    smtps:// with TLS from the start; a user and password in the URL log in)."""
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise TousuError(
            f"TOUSU_SMTP_URL 应为 smtp://主机[:端口] 或 smtps://…，而不是 {smtp_url!r}"
        )
    port = url.port or (465 if url.scheme == "smtps" else 25)
    context = ssl.create_default_context()
    try:
        if url.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                url.hostname, port, timeout=timeout, context=context
            )
        else:
            server = smtplib.SMTP(url.hostname, port, timeout=timeout)
        with server:
            if url.scheme == "smtp":
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=context)
                    server.ehlo()
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            server.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise TousuError(f"无法通过 {url.hostname}:{port} 发送邮件：{exc}") from None
