"""Each URL's live-check history, and the rule that turns repeated failures into a confirmed death.

Wikipedia's archive bot calls a link dead only after several failed checks
days apart; a single 404 may be a deploy gone wrong. Scheduled CI runs keep
the SQLite store between runs, so the history accumulates here.

The store also keeps each URL's latest full result, written the moment the
check finishes: a run killed half-way and started again reuses every result
younger than :data:`DEFAULT_FRESH_FOR` instead of asking the site again, and
reports exactly what the first run saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from citecheck.models import LiveCheck, LiveStatus
from citecheck.store.db import Store

SCHEMA_NAME = "live_history@2"
SCHEMA_DDL = """
CREATE TABLE IF NOT EXISTS live_check_history (
    url TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER
);
CREATE INDEX IF NOT EXISTS live_check_history_url ON live_check_history (url, checked_at);
CREATE TABLE IF NOT EXISTS live_check_latest (
    url TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL,
    result TEXT NOT NULL
);
"""

# Long enough for a resumed or repeated run on the same day, short enough that
# a nightly job checks every link again.
DEFAULT_FRESH_FOR = timedelta(hours=20)

# Verdicts that say nothing about whether the page is gone: they neither count
# toward death nor interrupt a run of failures.
INCONCLUSIVE = frozenset({LiveStatus.not_checked, LiveStatus.unreachable, LiveStatus.blocked})
# Verdicts that show the server still answers for the URL: they end a run of failures.
SUCCESS = frozenset({LiveStatus.alive})
# Results that say nothing about the page (our side or the host failed): asked again, never reused,
# like the archive cache that never stores not-checked answers.
NOT_REUSABLE = frozenset({LiveStatus.not_checked, LiveStatus.unreachable})
# Offline nothing can be asked again, so the last answer stands, ``unreachable`` included: it was settled
# with our network proven (a check that says only "our network may be down" is never stored), so it says
# the host failed us then, and when — never that the page is gone. Only a ``not-checked`` one was no answer.
NOT_REUSABLE_OFFLINE = frozenset({LiveStatus.not_checked})


@dataclass(frozen=True)
class HistoryEntry:
    checked_at: datetime
    status: LiveStatus
    http_status: int | None = None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_confirmed_dead(entries: Sequence[HistoryEntry], confirm_checks: int = 3, confirm_days: float = 3.0) -> bool:
    """True when the latest conclusive checks are ≥ ``confirm_checks`` deaths spanning ≥ ``confirm_days``.

    Walking back from the newest entry, dead results are counted until a
    success; inconclusive results (unreachable, blocked, not checked) are
    skipped, and other verdicts (soft-404, redirected, parked) are neither
    deaths nor successes.
    """
    ordered = sorted(entries, key=lambda entry: _as_utc(entry.checked_at))
    if not ordered or ordered[-1].status is not LiveStatus.dead:
        return False
    deaths: list[datetime] = []
    for entry in reversed(ordered):
        if entry.status in SUCCESS:
            break
        if entry.status is LiveStatus.dead:
            deaths.append(_as_utc(entry.checked_at))
    if len(deaths) < confirm_checks:
        return False
    return max(deaths) - min(deaths) >= timedelta(days=confirm_days)


class LiveHistory:
    """The check history of every URL, kept in the shared :class:`Store`."""

    def __init__(
        self,
        store: Store,
        confirm_checks: int = 3,
        confirm_days: float = 3.0,
        fresh_for: timedelta = DEFAULT_FRESH_FOR,
    ) -> None:
        self.store = store
        self.confirm_checks = confirm_checks
        self.confirm_days = confirm_days
        self.fresh_for = fresh_for
        store.ensure_schema(SCHEMA_NAME, SCHEMA_DDL)

    def record(self, url: str, check: LiveCheck) -> None:
        """Append one check (its ``checked_at``, or now) to the URL's history."""
        moment = _as_utc(check.checked_at or datetime.now(UTC))
        self.store.execute(
            "INSERT INTO live_check_history (url, checked_at, status, http_status) VALUES (?, ?, ?, ?)",
            (url, moment.isoformat(), check.status.value, check.http_status),
        )

    def entries(self, url: str) -> list[HistoryEntry]:
        rows = self.store.execute(
            "SELECT checked_at, status, http_status FROM live_check_history WHERE url = ? ORDER BY checked_at",
            (url,),
        ).fetchall()
        return [HistoryEntry(datetime.fromisoformat(row[0]), LiveStatus(row[1]), row[2]) for row in rows]

    def remember(self, url: str, check: LiveCheck) -> None:
        """Keep ``check`` whole as the URL's latest result (replacing the previous one)."""
        moment = _as_utc(check.checked_at or datetime.now(UTC))
        self.store.execute(
            "INSERT OR REPLACE INTO live_check_latest (url, checked_at, result) VALUES (?, ?, ?)",
            (url, moment.isoformat(), check.model_dump_json()),
        )

    def recent(
        self,
        url: str,
        max_age: timedelta | None = None,
        now: datetime | None = None,
        *,
        skip: frozenset[LiveStatus] = NOT_REUSABLE,
    ) -> LiveCheck | None:
        """The URL's latest result if it is younger than ``max_age`` (default :attr:`fresh_for`) and not in ``skip``.

        By default ``unreachable`` and ``not-checked`` results are never
        returned: they describe a bad moment, not the page, and must be asked
        again.  An offline run, which asks nothing, passes
        :data:`NOT_REUSABLE_OFFLINE`.
        """
        row = self.store.execute("SELECT checked_at, result FROM live_check_latest WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        age = _as_utc(now or datetime.now(UTC)) - _as_utc(datetime.fromisoformat(row[0]))
        if age < timedelta(0) or age > (self.fresh_for if max_age is None else max_age):
            return None  # a check "from the future" means a clock jumped: do not trust it
        check = LiveCheck.model_validate_json(row[1])
        return None if check.status in skip else check

    def record_and_confirm(self, url: str, check: LiveCheck) -> LiveCheck:
        """Record ``check`` and return it with ``confirmed`` set by the history (dead results only).

        The returned result is also kept whole (see :meth:`recent`).
        """
        with self.store.transaction():  # the history row and the latest result: one commit
            confirmed = self._confirm(url, check)
            self.remember(url, confirmed)
        return confirmed

    def _confirm(self, url: str, check: LiveCheck) -> LiveCheck:
        self.record(url, check)
        if check.status is not LiveStatus.dead:
            return check.model_copy(update={"confirmed": False})
        history = self.entries(url)
        confirmed = is_confirmed_dead(history, self.confirm_checks, self.confirm_days)
        deaths = sum(1 for entry in history if entry.status is LiveStatus.dead)
        note = (
            f"confirmed dead: {deaths} failed checks over ≥{self.confirm_days:g} days"
            if confirmed
            else f"unconfirmed: needs {self.confirm_checks} failed checks over ≥{self.confirm_days:g} days "
            f"with no success between ({deaths} dead check(s) on record)"
        )
        return check.model_copy(update={"confirmed": confirmed, "evidence": [*check.evidence, note]})
