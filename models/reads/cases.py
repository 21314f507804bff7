"""Browsing and reading complaints, with personal data masked unless the reader is staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, literal_column, select
from sqlmodel import Session

from models.access.policy import Can, authorize
from models.access.roles import Actor
from models.reads import stats
from models.rules.dimensions import FILTERED
from models.rules.filters import Filters
from models.rules.labels import COUNTING_STATUSES, mask_name
from models.rules.privacy import Subject, scrub
from models.rules.search import search_words
from models.store import scope, search_index
from models.store.tables import Complaint, Platform, Reply, SatisfactionScore

COUNT_CAP = 10_000  # a search's count stops here ("10,000+")
#: A typical case is a complaint staff chose that also counts: one still 待审核 (an import
#: can bring one marked) or 不予受理 is a typical case only in the staff's own queues.
TYPICAL = and_(Complaint.typical.is_(True), Complaint.status.in_(COUNTING_STATUSES))


@dataclass(frozen=True)
class CaseRow:
    """A complaint as a list shows it. ``complainant`` is masked unless revealed."""

    id: int
    submitted_at: datetime
    platform: str
    sector: str
    problem_type: str
    province: str | None
    status: str
    title: str | None
    complainant: str
    amount_bracket: str
    typical: bool = False
    headline: str | None = None  # 案例标题 of a typical case, scrubbed unless revealed
    #: The label of each dimension the sidebar filters by (投诉人类型 …), by name: a list
    #: downloaded can be narrowed as the page was.
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CaseQuery:
    """What a case search asks beyond the filters: words (each in the title or the
    content), problem types, and 仅典型案例 — the keywords of :func:`search_cases`."""

    text: str = ""
    problem_types: tuple[str, ...] = ()
    typical_only: bool = False


EVERY_CASE = CaseQuery()  # no words, every problem type, typical or not


@dataclass(frozen=True)
class CaseDetail:
    """One complaint in full. Unless revealed (staff), contact fields are None and every
    free text is scrubbed of personal data."""

    row: CaseRow
    content: str | None
    demand: str | None
    amount: str | None
    transferred_at: datetime | None
    replied_at: datetime | None
    reply: str | None
    rejection_reason: str | None
    score: int | None
    score_history: list[tuple[int, datetime]]
    phone: str | None
    email: str | None
    id_number: str | None
    order_number: str | None
    version: int
    #: 处理情况 as staff wrote it for reports (scrubbed like every free text), or None.
    handling: str | None = None


_ROW_COLUMNS = (
    Complaint.id,
    Complaint.submitted_at,
    Platform.name,
    Platform.sector,
    Complaint.problem_type,
    Complaint.province,
    Complaint.status,
    Complaint.title,
    Complaint.complainant,
    Complaint.gender,
    Complaint.amount_bracket,
    Complaint.phone,
    Complaint.email,
    Complaint.id_number,
    Complaint.order_number,
    Complaint.typical,
    Complaint.headline,
    *(d.labelled().label(f"dim_{d.name}") for d in FILTERED),
)


def _subject(values) -> Subject:
    """Whom a complaint's texts are about, from a row of _ROW_COLUMNS."""
    return Subject.of(
        values.complainant,
        values.gender,
        phone=values.phone,
        email=values.email,
        id_number=values.id_number,
        order_number=values.order_number,
    )


def _row(values, reveal: bool) -> CaseRow:
    """A list row; for anyone but staff the name is masked and the texts scrubbed."""
    name, title, headline = values.complainant, values.title, values.headline
    if not reveal:
        subject = _subject(values)
        name = mask_name(name, values.province, values.gender)
        title, headline = scrub(title, subject), scrub(headline, subject)
    return CaseRow(
        id=values.id,
        submitted_at=values.submitted_at,
        platform=values.name,
        sector=values.sector,
        problem_type=values.problem_type,
        province=values.province,
        status=values.status,
        title=title,
        complainant=name or "",
        amount_bracket=values.amount_bracket,
        typical=bool(values.typical) and values.status in COUNTING_STATUSES,
        headline=headline,
        choices=tuple((d.name, getattr(values, f"dim_{d.name}")) for d in FILTERED),
    )


def _conditions(session: Session, filters: Filters) -> list:
    """``filters`` as SQL, with the status as a plain filter on SQLite.

    SQLite's sampled statistics take the status (five values) for a selective column: it
    would fetch every counting complaint by the status index and sort them all to show
    the newest 50 (5 s at a million). ``+status`` keeps the term out of index choice.
    """
    filters = scope.narrow(session, filters)
    if filters.statuses is None or session.get_bind().dialect.name != "sqlite":
        return list(filters.conditions())
    where = list(replace(filters, statuses=None).conditions())
    where.append(literal_column("+complaint.status").in_(filters.statuses))
    return where


def search_cases(
    session: Session,
    filters: Filters,
    *,
    text: str = "",
    problem_types: tuple[str, ...] = (),
    typical_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    reveal: bool = False,
) -> tuple[list[CaseRow], int]:
    """Newest first; every word of ``text`` must appear in the title or the content.
    The count is exact up to :data:`COUNT_CAP`; above it, it is ``COUNT_CAP + 1``.

    Unless ``reveal``, words are looked up in the scrubbed text (``public_text``), so no
    one but staff can find a complaint by a phone number, an ID or a complainant's name.
    """
    reveal = scope.reveals(session, reveal)
    where = _conditions(session, filters)
    words = search_words(text).words  # a few, whoever asks: models/rules/search.py
    if problem_types:
        where.append(Complaint.problem_type.in_(problem_types))
    if typical_only:
        where.append(TYPICAL)
    newest = (Complaint.submitted_at.desc(), Complaint.id.desc())
    stmt = select(*_ROW_COLUMNS).join(Platform, Platform.id == Complaint.platform_id)
    if words or problem_types or typical_only:
        search_index.prepare(session)
        # How many complaints a walk could read: an index is worth it below that.
        scope_rows = stats.total(session, filters) if words else 0
        narrowed = search_index.narrowings(
            session, words, reveal, scope_rows=scope_rows, cap=COUNT_CAP
        )
        # Found up to just past COUNT_CAP: "10,000+" is as useful as an exact figure there,
        # and stops a common word from reading half a million rows. Under the cap every
        # match is at hand and the page is picked from them (walking the newest complaints
        # for it would read the whole scope again when the matches are rare in it). Over
        # it, the page is fetched as they were, through the index if it was worth it.
        where += search_index.likes(session, words, reveal, narrowed=bool(narrowed))
        where += narrowed
        found = (
            session.connection()  # plain rows: the ORM's row making was a third of the time
            .execute(
                select(Complaint.id, Complaint.submitted_at).where(*where).limit(COUNT_CAP + 1)
            )
            .all()
        )
        total = len(found)
        if total <= COUNT_CAP:
            found.sort(key=lambda match: (match.submitted_at, match.id), reverse=True)
            page = [match.id for match in found[offset : offset + limit]]
            rows = session.execute(stmt.where(Complaint.id.in_(page)).order_by(*newest))
            return [_row(values, reveal) for values in rows], total
    else:  # the plain count of a selection comes from the summaries
        total = stats.total(session, filters)
    # The page's ids first, then its rows: sorting tens of thousands of matches with every
    # column a list shows made a temporary table of them on disk (2.7 s the first time).
    page_ids = select(Complaint.id).where(*where).order_by(*newest).limit(limit).offset(offset)
    rows = session.execute(stmt.where(Complaint.id.in_(page_ids)).order_by(*newest))
    return [_row(values, reveal) for values in rows], int(total)


def _texts_for(values, reveal: bool) -> Callable[[str | None], str | None]:
    """How this reader sees a free text of the complaint: as typed (staff) or scrubbed."""
    if reveal:
        return lambda text: text
    subject = _subject(values)
    return lambda text: scrub(text, subject)


def case_detail(
    session: Session, filters: Filters, case_id: int, *, reveal: bool = False
) -> CaseDetail | None:
    """One complaint, or None when it does not exist or lies outside ``filters``."""
    reveal = scope.reveals(session, reveal)
    stmt = (
        select(*_ROW_COLUMNS, Complaint)
        .join(Platform, Platform.id == Complaint.platform_id)
        .where(and_(Complaint.id == case_id, *scope.where(session, filters)))
    )
    found = session.execute(stmt).first()
    if found is None:
        return None
    complaint: Complaint = found.Complaint
    reply = session.execute(
        select(Reply.content)
        .where(Reply.complaint_id == case_id)
        .order_by(Reply.id.desc())
        .limit(1)
    ).scalar()
    history = session.execute(
        select(SatisfactionScore.score, SatisfactionScore.entered_at)
        .where(SatisfactionScore.complaint_id == case_id)
        .order_by(SatisfactionScore.id)
    ).all()
    shown = _texts_for(found, reveal)
    return CaseDetail(
        row=_row(found, reveal),
        content=shown(complaint.content),
        demand=shown(complaint.demand),
        amount=None if complaint.amount is None else f"{complaint.amount:,.2f}",
        transferred_at=complaint.transferred_at,
        replied_at=complaint.replied_at,
        reply=shown(reply),
        rejection_reason=shown(complaint.rejection_reason),
        score=complaint.score,
        score_history=[(int(s), at) for s, at in history],
        phone=complaint.phone if reveal else None,
        email=complaint.email if reveal else None,
        id_number=complaint.id_number if reveal else None,
        order_number=complaint.order_number if reveal else None,
        version=complaint.version,
        handling=shown(complaint.handling),
    )


def complaint_for_staff(session: Session, actor: Actor, complaint_id: int) -> CaseDetail | None:
    """A complaint in full, personal data included, for someone who handles it (staff; a
    platform account for its own complaints); NotFound outside the actor's scope. Marked
    typical as staff or an import marked it, whatever its status (the queues show a
    pending one so)."""
    who = authorize(session, actor, Can.VIEW_PERSONAL, complaint_id)
    detail = case_detail(session, who.scope.filters, complaint_id, reveal=True)
    if detail is None:
        return None
    marked = session.get(Complaint, complaint_id)
    return replace(detail, row=replace(detail.row, typical=bool(marked and marked.typical)))
