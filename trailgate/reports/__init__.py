"""Reports of a check: one per format, each in its own module, imported lazily."""
from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import NamedTuple

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

    @classmethod
    def collect(cls, gate: str, assessments: Iterable[Assessment], policy_source: str,
                keep_passing: bool) -> Report:
        """A report whose memory stays flat in the range's size.

        Commits with something to report are kept whole. The others are
        counted, and kept (without message body, changed paths or untouched
        rules) only when ``keep_passing``: for formats that list every commit.
        """
        kept: list[Assessment] = []
        checked = ai_assisted = 0
        for assessment in assessments:
            checked += 1
            ai_assisted += assessment.ai_assisted
            if assessment.violations or assessment.override_problem:
                kept.append(assessment)
            elif keep_passing:
                kept.append(_slim(assessment))
        return cls(gate, tuple(kept), policy_source, checked, ai_assisted)

    @property
    def commits_checked(self) -> int:
        return len(self.assessments) if self.checked < 0 else self.checked

    @property
    def ai_assisted_count(self) -> int:
        if self.ai_assisted < 0:
            return sum(1 for a in self.assessments if a.ai_assisted)
        return self.ai_assisted

    @property
    def refused(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.refused)

    @property
    def overridden(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.override is not None)


def _slim(assessment: Assessment) -> Assessment:
    commit = assessment.commit
    slim = commit._replace(message=commit.subject + '\n', paths=frozenset(), existing_files=frozenset())
    touched = tuple(result for result in assessment.results if result.paths)
    return assessment._replace(commit=slim, results=touched)


def render(report: Report, format: str, color: bool = False, verbose: bool = False) -> str:
    module = importlib.import_module(f'trailgate.reports.{format}_format')
    text: str = module.render(report, color=color, verbose=verbose)
    return text
