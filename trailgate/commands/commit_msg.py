"""``trailgate commit-msg MSGFILE``: judge the commit about to be made."""
from __future__ import annotations

import os

from trailgate import staged
from trailgate.evaluate import assess
from trailgate.output import Output
from trailgate.reports import Report


def commit_msg(msgfile: str, policy_option: str | None, out: Output) -> int:
    commit, policy = staged.pending_commit(msgfile, policy_option)
    assessment = assess(policy, commit)
    if assessment.violations:
        saved = os.path.abspath(msgfile)  # the hook runs at the top level; the user may not
        report = Report('commit-msg', (assessment,), policy.source, message_file=saved)
        out.report(report, stream='stderr')
    return 1 if assessment.refused else 0
