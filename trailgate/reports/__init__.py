"""Reports of a check: one per format, each in its own module, imported lazily."""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import IO
from typing import NamedTuple
from typing import Protocol

from trailgate.evaluate import Assessment

FORMATS = ('text', 'json', 'sarif', 'junit', 'github')
# formats that list every commit checked, not only those with something to say
EVERY_COMMIT_FORMATS = frozenset(('json', 'junit'))


class Report(NamedTuple):
    gate: str  # commit-msg, pre-push, pre-receive, check
    assessments: tuple[Assessment, ...]  # every commit, or those with something to report
    policy_source: str  # where the policy came from, e.g. ".trailgate/policy.yaml at 1a2b3c"
    checked: int = -1  # commits checked; -1: len(assessments)
    ai_assisted: int = -1  # of them AI-assisted; -1: counted from assessments
    message_file: str | None = None  # commit-msg: the message git saved, for the fix
    refused_total: int = -1  # -1: counted from assessments
    overridden_total: int = -1  # -1: counted from assessments
    # set when nothing is refused because the commits are not (yet) headed for a
    # protected ref: why, e.g. "feature is not protected"; findings are reminders
    reminder: str | None = None
    amending: bool = False  # commit-msg: the refused commit was an --amend, and so is its fix
    cleanup: str = 'strip'  # commit-msg: how git was to clean the message up, and so does the fix
    # commit-msg: what the refused `git commit` staged itself (-a, -i, -o, pathspecs), which its fix repeats
    repeated: tuple[str, ...] = ()
    # commit-msg: git's options before `commit` that its fix repeats (-C dir, -c name=value, ...)
    git_options: tuple[str, ...] = ()
    # commit-msg: the comment character git cleaned up with under core.commentChar=auto, which the fix names
    comment_char: str | None = None
    every_branch: bool = False  # commit-msg: it refuses on every branch, so none can take the commit
    # refusals of the update or range as a whole, no commit's: a protected ref
    # taken back to an older policy, a push refused before its commits are read
    refusals: tuple[str, ...] = ()

    @classmethod
    def collect(cls, gate: str, assessments: Iterable[Assessment], policy_source: str,
                keep_passing: bool, reminder: str | None = None) -> Report:
        """A report whose memory stays flat in the range's size.

        Commits with something to report are kept whole. The others are
        counted, and kept (without message body, changed paths or untouched
        rules) only when ``keep_passing``: for formats that list every commit.
        """
        kept: list[Assessment] = []
        tally = Tally()
        for assessment in assessments:
            tally.add(assessment)
            if assessment.violations or assessment.override_problem:
                kept.append(assessment)
            elif keep_passing:
                kept.append(_slim(assessment))
        return tally.report(gate, policy_source, tuple(kept))._replace(reminder=reminder)

    @property
    def commits_checked(self) -> int:
        return len(self.assessments) if self.checked < 0 else self.checked

    @property
    def ai_assisted_count(self) -> int:
        if self.ai_assisted < 0:
            return sum(1 for a in self.assessments if a.ai_assisted)
        return self.ai_assisted

    @property
    def refuses(self) -> bool:
        """Is anything refused: a commit, or the update as a whole?"""
        return bool(self.refusals) or self.refused_count > 0

    @property
    def refused_count(self) -> int:
        """Commits refused; a reminder refuses nothing."""
        return 0 if self.reminder is not None else self.needing_review_count

    @property
    def needing_review_count(self) -> int:
        """Commits that lack what the policy requires (refused, or reminded of)."""
        return len(self.needing_review) if self.refused_total < 0 else self.refused_total

    @property
    def overridden_count(self) -> int:
        return len(self.overridden) if self.overridden_total < 0 else self.overridden_total

    @property
    def refused(self) -> tuple[Assessment, ...]:
        """The commits refused; a reminder refuses nothing."""
        return () if self.reminder is not None else self.needing_review

    @property
    def needing_review(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.refused)

    @property
    def overridden(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.override is not None)


class Tally:
    """The counts a report's summary gives, kept as commits are judged."""

    __slots__ = ('ai_assisted', 'checked', 'overridden', 'refused')

    def __init__(self) -> None:
        self.checked = self.ai_assisted = self.refused = self.overridden = 0

    def add(self, assessment: Assessment) -> None:
        self.checked += 1
        if assessment.signals:  # ai_assisted, without the property's call
            self.ai_assisted += 1
        if assessment.violations:
            self.refused += assessment.refused
            self.overridden += assessment.override is not None

    def report(self, gate: str, policy_source: str,
               assessments: tuple[Assessment, ...] = ()) -> Report:
        return Report(gate, assessments, policy_source, self.checked, self.ai_assisted,
                      refused_total=self.refused, overridden_total=self.overridden)


def _slim(assessment: Assessment) -> Assessment:
    commit = assessment.commit
    slim = commit._replace(message=commit.subject + '\n', paths=frozenset(), existing_files=frozenset())
    touched = tuple(result for result in assessment.results if result.paths)
    return assessment._replace(commit=slim, results=touched)


def render(report: Report, format: str, color: bool = False, verbose: bool = False) -> str:
    module = importlib.import_module(f'trailgate.reports.{format}_format')
    text: str = module.render(report, color=color, verbose=verbose)
    return text


class Writer(Protocol):
    """A report written as commits are judged: ``add`` puts each commit's
    part in the body; the head and tail come when the counts are known. The
    head is asked for once every commit is added, before the body is read:
    a writer that holds commits back for a batch writes them then."""

    def add(self, assessment: Assessment) -> None: ...

    def head(self, report: Report) -> str: ...

    def tail(self, report: Report) -> str: ...


class _Collecting:
    """For formats whose document is built whole: keeps what ``collect``
    keeps, renders it all as the tail."""

    def __init__(self, format: str, gate: str, color: bool, verbose: bool) -> None:
        self.format = format
        self.gate = gate
        self.color = color
        self.verbose = verbose
        self.keep_passing = verbose or format in EVERY_COMMIT_FORMATS
        self.kept: list[Assessment] = []

    def add(self, assessment: Assessment) -> None:
        if assessment.violations or assessment.override_problem:
            self.kept.append(assessment)
        elif self.keep_passing:
            self.kept.append(_slim(assessment))

    def head(self, report: Report) -> str:
        return ''

    def tail(self, report: Report) -> str:
        return render(report._replace(assessments=tuple(self.kept)), self.format, self.color, self.verbose)


def prepare(format: str) -> None:
    """Import the format's module, and let it load what it writes with (its ``prepare``)."""
    module = importlib.import_module(f'trailgate.reports.{format}_format')
    loading = getattr(module, 'prepare', None)
    if loading is not None:
        loading()


def writer(format: str, body: IO[str], gate: str, color: bool = False, verbose: bool = False) -> Writer:
    """The format's own streaming writer, or one that collects and renders."""
    module = importlib.import_module(f'trailgate.reports.{format}_format')
    streaming = getattr(module, 'Writer', None)
    if streaming is None:
        return _Collecting(format, gate, color, verbose)
    found: Writer = streaming(body, gate, color=color, verbose=verbose)
    return found
