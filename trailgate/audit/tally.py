"""Adding up ``CommitFacts`` as history streams past, into a finished ``Summary``.

Pure and streaming: every table is keyed by something other than the
commit (a day, a tool, an author, a directory, a rule, a reviewer), the
distinct keys of each are capped (the rest fold into ``(other)``), and the
two lists of commits the report shows in full keep only the newest
``LISTED`` of them. Memory is flat in the number of commits.
"""
from __future__ import annotations

import datetime
import heapq
from collections.abc import Callable
from collections.abc import Iterable
from typing import Generic
from typing import NamedTuple
from typing import Protocol
from typing import TypeVar

from trailgate.audit.facts import MET
from trailgate.audit.facts import NO_MARK
from trailgate.audit.facts import NOT_REQUIRED
from trailgate.audit.facts import OVERRIDDEN
from trailgate.audit.facts import STATUSES
from trailgate.audit.facts import UNMET
from trailgate.audit.facts import CommitFacts
from trailgate.audit.facts import Missing
from trailgate.model import POLICY_OWNERS_RULE
from trailgate.model import Identity
from trailgate.model import fold_email
from trailgate.policy import Policy

SCHEMA = 'trailgate-audit/1'
OTHER = '(other)'
LISTED = 500  # newest unreviewed changes and break-glass uses kept in full
WEEKLY_UP_TO_DAYS = 182  # a shorter span is shown by week, a longer one by month
LIMITS = {'tools': 200, 'authors': 10_000, 'directories': 2_000, 'reviewers': 2_000}

T = TypeVar('T')


def written_by_the_commit(source: str) -> bool:
    """Is a tool's name text from the commit (a disclosure trailer's value, an
    identity a policy pattern matched), so that one history can hold any
    number of them? Catalogue entries and policy markers are finite."""
    return source == 'ai.disclosure_trailers' or source.startswith('ai.identities[')


_S = TypeVar('_S', bound='Tallied')


class Tallied(Protocol):
    """What a capped table holds: it can say how much it weighs, and take in another's counts."""

    def weight(self) -> tuple[int, ...]: ...

    def merge(self: _S, other: _S) -> None: ...


V = TypeVar('V', bound=Tallied)


class Capped(Generic[V]):
    """A dict whose distinct keys are capped. When it is full, the lighter
    half of its keys (oldest first among equals) are folded into ``OTHER``:
    a flood of names written once cannot push out the ones that recur,
    which keep their own row. A key seen again after it was folded starts
    again from nothing (its earlier count stays in ``OTHER``)."""

    def __init__(self, limit: int, new: Callable[[], V]) -> None:
        self.limit = limit
        self.new = new
        self.items: dict[str, V] = {}
        self.folded = 0  # times a key went to OTHER

    def __getitem__(self, key: str) -> V:
        found = self.items.get(key)
        if found is None:
            if len(self.items) >= self.limit and key != OTHER:
                self._fold_lighter_half()
            found = self.items[key] = self.new()
        return found

    def _fold_lighter_half(self) -> None:
        other = self.items.pop(OTHER, None) or self.new()
        keys = sorted(self.items, key=lambda key: self.items[key].weight())  # stable: oldest first among equals
        for key in keys[:max(1, len(keys) // 2)]:
            other.merge(self.items.pop(key))
            self.folded += 1
        self.items[OTHER] = other


class Newest(Generic[T]):
    """The ``limit`` newest items by (date, arrival): git log lists newest first."""

    def __init__(self, limit: int = LISTED) -> None:
        self.limit = limit
        self.total = 0
        self._heap: list[tuple[str, int, T]] = []

    def add(self, date: str, item: T) -> None:
        self.total += 1
        entry = (date, -self.total, item)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, entry)
        elif entry[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, entry)

    def newest_first(self) -> tuple[T, ...]:
        return tuple(item for _, _, item in sorted(self._heap, key=lambda e: e[:2], reverse=True))


# -- the finished summary ---------------------------------------------------


class Totals(NamedTuple):
    commits: int
    ai_assisted: int
    no_mark: int
    merges: int
    likely_squash: int
    ai_likely_squash: int
    future_dated: int  # dated after the day of the run: counted, not drawn on the time axis
    excluded_paths: int  # path changes left out of path figures (generated/vendored)
    lines: int | None  # added + deleted, with --lines
    ai_lines: int | None
    first_date: str | None
    last_date: str | None


class PeriodRow(NamedTuple):
    start: str  # first day of the week (Monday) or month
    label: str
    commits: int
    ai_assisted: int
    lines: int | None
    ai_lines: int | None


class Window(NamedTuple):
    rule: str
    start: str | None
    until: str | None


class ToolRow(NamedTuple):
    id: str
    tool: str
    commits: int


class AuthorRow(NamedTuple):
    name: str
    email: str
    commits: int
    ai_assisted: int


class DirectoryRow(NamedTuple):
    directory: str
    commits: int
    ai_assisted: int
    lines: int | None
    ai_lines: int | None


class RuleRow(NamedTuple):
    rule: str
    commits: int  # commits touching its paths
    ai_assisted: int
    met: int
    unmet: int
    overridden: int
    not_required: int


class ReviewerRow(NamedTuple):
    name: str
    email: str
    reviews: int
    by_period: tuple[tuple[str, int], ...]  # period start -> reviews


class Concentration(NamedTuple):
    reviews: int
    reviewers: int
    top_share: float  # the busiest reviewer's share of all reviews (0 when none)
    reviewers_for_80_percent: int


class ChangeRow(NamedTuple):
    sha: str
    date: str
    author: Identity
    subject: str
    tools: tuple[tuple[str, str], ...]
    missing: tuple[Missing, ...]
    likely_squash: bool


class OverrideRow(NamedTuple):
    sha: str
    date: str
    author: Identity
    reason: str
    rules: tuple[str, ...]
    inside_window: bool  # it let through something a rule required


class Summary(NamedTuple):
    policy_source: str
    revisions: tuple[str, ...]
    since: str | None
    until: str | None
    run_date: str
    granularity: str  # week | month
    with_lines: bool
    totals: Totals
    periods: tuple[PeriodRow, ...]
    windows: tuple[Window, ...]
    tools: tuple[ToolRow, ...]  # by commits, the no-mark bucket last
    authors: tuple[AuthorRow, ...]
    directories: tuple[DirectoryRow, ...]
    rules: tuple[RuleRow, ...]
    critical: dict[str, int]  # status -> AI-assisted critical changes
    reviewed_typed: int  # of MET: reviewed by typed trailers only
    reviewed_signed: int  # of MET: reviewed with at least one signed approval
    reviewers: tuple[ReviewerRow, ...]
    concentration: Concentration
    unreviewed: tuple[ChangeRow, ...]  # newest first, at most LISTED
    unreviewed_total: int
    overrides: tuple[OverrideRow, ...]
    overrides_total: int
    folded: dict[str, int]  # table -> distinct keys folded into "(other)"


# -- adding up --------------------------------------------------------------


class _Count:
    """How many commits carry one tool's mark, and the tool's name as first seen."""

    __slots__ = ('commits', 'tool')

    def __init__(self) -> None:
        self.commits = 0
        self.tool = ''

    def weight(self) -> tuple[int, ...]:
        return (self.commits,)

    def merge(self, other: _Count) -> None:
        self.commits += other.commits


class _Counts:
    __slots__ = ('ai', 'ai_lines', 'commits', 'lines')

    def __init__(self) -> None:
        self.commits = self.ai = self.lines = self.ai_lines = 0

    def weight(self) -> tuple[int, ...]:
        return (self.ai, self.commits)

    def merge(self, other: _Counts) -> None:
        self.commits += other.commits
        self.ai += other.ai
        self.lines += other.lines
        self.ai_lines += other.ai_lines

    def add(self, facts: CommitFacts, lines: int) -> None:
        self.commits += 1
        self.lines += lines
        if facts.ai_assisted:
            self.ai += 1
            self.ai_lines += lines


class _Author(_Counts):
    __slots__ = ('identity',)

    def __init__(self) -> None:
        super().__init__()
        self.identity = Identity('', '')


class _Reviewer:
    __slots__ = ('by_day', 'identity', 'reviews')

    def __init__(self) -> None:
        self.identity = Identity('', '')
        self.reviews = 0
        self.by_day: dict[str, int] = {}

    def weight(self) -> tuple[int, ...]:
        return (self.reviews,)

    def merge(self, other: _Reviewer) -> None:
        self.reviews += other.reviews
        for day, count in other.by_day.items():
            self.by_day[day] = self.by_day.get(day, 0) + count


class Tally:
    def __init__(self, policy: Policy, run_date: datetime.date, with_lines: bool) -> None:
        self.policy = policy
        self.run_date = run_date.isoformat()
        self.with_lines = with_lines
        self.commits = self.ai = self.merges = self.squash = self.ai_squash = 0
        self.future = self.excluded = self.lines = self.ai_lines = 0
        self.first: str | None = None
        self.last: str | None = None
        self.days: dict[str, _Counts] = {}
        # tools the catalogue or the policy names are never folded; a name the commit wrote itself may be
        self.named_tools: dict[str, _Count] = {}
        self.no_mark = 0
        self.tools: Capped[_Count] = Capped(LIMITS['tools'], _Count)
        self.authors: Capped[_Author] = Capped(LIMITS['authors'], _Author)
        self.directories: Capped[_Counts] = Capped(LIMITS['directories'], _Counts)
        self.rules = {rule.id: [0] * 6 for rule in policy.rules}
        if policy.policy_owners is not None:
            self.rules.setdefault(POLICY_OWNERS_RULE, [0] * 6)
        self.critical = dict.fromkeys(STATUSES, 0)
        self.reviewed_typed = self.reviewed_signed = 0
        self.reviewers: Capped[_Reviewer] = Capped(LIMITS['reviewers'], _Reviewer)
        self.unreviewed: Newest[ChangeRow] = Newest()
        self.overrides: Newest[OverrideRow] = Newest()
        self._folds: dict[str, str] = {}

    def add(self, facts: CommitFacts) -> None:
        lines = facts.lines.total if facts.lines is not None else 0
        self.commits += 1
        self.ai += facts.ai_assisted
        self.merges += facts.is_merge
        self.squash += facts.likely_squash
        self.ai_squash += facts.likely_squash and facts.ai_assisted
        self.excluded += facts.excluded_paths
        self.lines += lines
        self.ai_lines += lines if facts.ai_assisted else 0
        self._add_date(facts, lines)
        self._add_tools(facts)
        author = self.authors[self._folded(facts.author.email)]
        author.identity = facts.author
        author.add(facts, lines)
        self._add_directories(facts)
        self._add_critical(facts)
        for reviewer in facts.reviewers:
            self._add_review(reviewer, facts.date)
        if facts.break_glass is not None:
            self.overrides.add(facts.date, OverrideRow(
                facts.sha, facts.date, facts.author, facts.break_glass, facts.critical_rules,
                facts.break_glass_inside_window,
            ))

    def _folded(self, email: str) -> str:
        """``fold_email``, remembered: a history has few authors."""
        folded = self._folds.get(email)
        if folded is None:
            folded = fold_email(email)
            if len(self._folds) < LIMITS['authors']:
                self._folds[email] = folded
        return folded

    def _add_date(self, facts: CommitFacts, lines: int) -> None:
        if facts.date > self.run_date:
            self.future += 1
            return
        self.first = min(self.first or facts.date, facts.date)
        self.last = max(self.last or facts.date, facts.date)
        day = self.days.get(facts.date)
        if day is None:
            day = self.days[facts.date] = _Counts()
        day.add(facts, lines)

    def _add_tools(self, facts: CommitFacts) -> None:
        self.no_mark += not facts.tools
        for source, tool in facts.tools:
            if written_by_the_commit(source):
                # "Assisted-by: claude" and "Assisted-by: Claude" name one tool
                count = self.tools[f'{source}\0{tool.casefold()}']
            else:
                count = self.named_tools.setdefault(f'{source}\0{tool}', _Count())
            count.commits += 1
            count.tool = count.tool or tool

    def _add_directories(self, facts: CommitFacts) -> None:
        if facts.lines is None:
            for directory in facts.directories:
                self.directories[directory].add(facts, 0)
            return
        lines = dict(facts.lines.by_directory)
        for directory in facts.directories:
            self.directories[directory].add(facts, lines.get(directory, 0))

    def _add_critical(self, facts: CommitFacts) -> None:
        column = {MET: 2, UNMET: 3, OVERRIDDEN: 4, NOT_REQUIRED: 5}
        for position, rule in enumerate(facts.critical_rules):
            counts = self.rules.get(rule)
            if counts is None:
                continue
            counts[0] += 1
            counts[1] += facts.ai_assisted
            if facts.status is not None:
                counts[column[facts.rule_statuses[position]]] += 1
        if facts.status is None:
            return
        self.critical[facts.status] += 1
        if facts.status == MET and facts.signed_reviewers:
            self.reviewed_signed += 1
        elif facts.status == MET and facts.reviewers:
            self.reviewed_typed += 1
        if facts.status == UNMET:
            self.unreviewed.add(facts.date, ChangeRow(
                facts.sha, facts.date, facts.author, facts.subject, facts.tools,
                facts.missing, facts.likely_squash,
            ))

    def _add_review(self, reviewer: Identity, date: str) -> None:
        entry = self.reviewers[fold_email(reviewer.email)]
        if reviewer.name or not entry.identity.email:
            entry.identity = reviewer
        entry.reviews += 1
        entry.by_day[date] = entry.by_day.get(date, 0) + 1

    # -- the summary ---------------------------------------------------------

    def summary(self, policy_source: str, revisions: Iterable[str],
                since: str | None = None, until: str | None = None) -> Summary:
        granularity = self._granularity()
        lines: Callable[[int], int | None] = (lambda n: n) if self.with_lines else (lambda n: None)
        return Summary(
            policy_source=policy_source,
            revisions=tuple(revisions),
            since=since,
            until=until,
            run_date=self.run_date,
            granularity=granularity,
            with_lines=self.with_lines,
            totals=Totals(
                self.commits, self.ai, self.commits - self.ai, self.merges, self.squash,
                self.ai_squash, self.future, self.excluded, lines(self.lines),
                lines(self.ai_lines), self.first, self.last,
            ),
            periods=self._periods(granularity, lines),
            windows=tuple(
                Window(rule.id, _day(rule.active.start), _day(rule.active.until))
                for rule in self.policy.rules if rule.active is not None
            ),
            tools=self._tool_rows(),
            authors=tuple(sorted(
                (AuthorRow(OTHER if key == OTHER else a.identity.name,
                           '' if key == OTHER else a.identity.email, a.commits, a.ai)
                 for key, a in self.authors.items.items()),
                key=lambda row: (-row.ai_assisted, -row.commits, row.email),
            )),
            directories=tuple(sorted(
                (DirectoryRow(name, c.commits, c.ai, lines(c.lines), lines(c.ai_lines))
                 for name, c in self.directories.items.items()),
                key=lambda row: (-row.ai_assisted, -row.commits, row.directory),
            )),
            rules=tuple(RuleRow(rule, *counts) for rule, counts in self.rules.items()),
            critical=dict(self.critical),
            reviewed_typed=self.reviewed_typed,
            reviewed_signed=self.reviewed_signed,
            reviewers=self._reviewer_rows(granularity),
            concentration=self._concentration(),
            unreviewed=self.unreviewed.newest_first(),
            unreviewed_total=self.unreviewed.total,
            overrides=self.overrides.newest_first(),
            overrides_total=self.overrides.total,
            folded={
                name: table.folded for name, table in (
                    ('tools', self.tools), ('authors', self.authors),
                    ('directories', self.directories), ('reviewers', self.reviewers),
                ) if table.folded
            },
        )

    def _granularity(self) -> str:
        if self.first is None or self.last is None:
            return 'week'
        span = _date(self.last) - _date(self.first)
        return 'week' if span.days <= WEEKLY_UP_TO_DAYS else 'month'

    def _periods(self, granularity: str, lines: Callable[[int], int | None]) -> tuple[PeriodRow, ...]:
        if self.first is None or self.last is None:
            return ()
        totals: dict[str, _Counts] = {}
        for day, counts in self.days.items():
            total = totals.setdefault(period_start(day, granularity), _Counts())
            total.commits += counts.commits
            total.ai += counts.ai
            total.lines += counts.lines
            total.ai_lines += counts.ai_lines
        rows = []
        for start in period_starts(self.first, self.last, granularity):
            found = totals.get(start, _Counts())
            rows.append(PeriodRow(
                start, period_label(start, granularity), found.commits, found.ai,
                lines(found.lines), lines(found.ai_lines),
            ))
        return tuple(rows)

    def _tool_rows(self) -> tuple[ToolRow, ...]:
        rows = []
        for key, count in (*self.named_tools.items(), *self.tools.items.items()):
            source, tool = (OTHER, OTHER) if key == OTHER else (key.partition('\0')[0], count.tool)
            rows.append(ToolRow(source, tool, count.commits))
        rows.sort(key=lambda row: (-row.commits, row.id, row.tool))
        return (*rows, ToolRow(*NO_MARK, self.no_mark))

    def _reviewer_rows(self, granularity: str) -> tuple[ReviewerRow, ...]:
        rows = []
        for key, entry in self.reviewers.items.items():
            by_period: dict[str, int] = {}
            for day, count in entry.by_day.items():
                start = period_start(day, granularity)
                by_period[start] = by_period.get(start, 0) + count
            name, email = (OTHER, '') if key == OTHER else entry.identity
            rows.append(ReviewerRow(name, email, entry.reviews, tuple(sorted(by_period.items()))))
        return tuple(sorted(rows, key=lambda row: (-row.reviews, row.email)))

    def _concentration(self) -> Concentration:
        counts = sorted((entry.reviews for entry in self.reviewers.items.values()), reverse=True)
        total = sum(counts)
        covered = needed = 0
        for count in counts:
            if total and covered >= 0.8 * total:
                break
            covered += count
            needed += 1
        return Concentration(total, len(counts), round(counts[0] / total, 4) if total else 0.0, needed)


def span_without_dates(totals: Totals) -> str:
    """What a report says of its span when no commit is dated up to the day of the run."""
    if totals.future_dated:
        return f'{totals.future_dated:,} commits, all dated after the day of this report'
    return 'no commits'


# -- periods -----------------------------------------------------------------


def _date(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def period_start(day: str, granularity: str) -> str:
    if granularity == 'month':
        return day[:8] + '01'
    date = _date(day)
    return (date - datetime.timedelta(days=date.weekday())).isoformat()


def period_starts(first: str, last: str, granularity: str) -> list[str]:
    start = _date(period_start(first, granularity))
    end = _date(last)
    starts = []
    while start <= end:
        starts.append(start.isoformat())
        if granularity == 'month':
            start = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        else:
            start += datetime.timedelta(days=7)
    return starts


def period_label(start: str, granularity: str) -> str:
    return start[:7] if granularity == 'month' else f'week of {start}'
