"""消费预警 as a read: the alerts of a week or month within the reader's scope."""

from __future__ import annotations

from sqlmodel import Session

from models.alerts.detect import Alert, When, detect, trace
from models.rules.filters import Filters


def alerts(session: Session, filters: Filters, when: When) -> list[Alert]:
    """Every alert for ``when`` within ``filters`` and the session's scope, surest first."""
    return detect(session, filters, when)


def alert_trace(session: Session, filters: Filters, alert: Alert, periods: int = 26):
    """The series ``alert`` is about, period by period (:func:`models.alerts.detect.trace`),
    within ``filters`` and the session's scope."""
    return trace(session, filters, alert, periods)
