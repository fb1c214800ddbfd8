"""Reports of a check: one per format, each in its own module, imported lazily."""
from __future__ import annotations

import importlib
from typing import NamedTuple

from trailgate.evaluate import Assessment

FORMATS = ('text', 'json', 'sarif', 'junit', 'github')


class Report(NamedTuple):
    gate: str  # commit-msg, pre-push, pre-receive, check
    assessments: tuple[Assessment, ...]
    policy_source: str  # where the policy came from, e.g. ".trailgate/policy.yaml at 1a2b3c"

    @property
    def refused(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.refused)

    @property
    def overridden(self) -> tuple[Assessment, ...]:
        return tuple(a for a in self.assessments if a.override is not None)


def render(report: Report, format: str, color: bool = False, verbose: bool = False) -> str:
    module = importlib.import_module(f'trailgate.reports.{format}_format')
    text: str = module.render(report, color=color, verbose=verbose)
    return text
