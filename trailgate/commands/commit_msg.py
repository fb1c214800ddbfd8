"""``trailgate commit-msg MSGFILE``: judge the commit about to be made.

On a protected branch (an unborn one too: the first commit of a repository)
a commit that lacks what the policy requires is refused. Elsewhere it is
made, and the same findings are printed as a reminder of what it will need
before it can land on a protected branch; ``refuse_commits: every-branch``
refuses everywhere.

A commit that passes needs no report: what writes one is imported only
when there is something to say.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from trailgate import git
from trailgate import invocation
from trailgate import staged
from trailgate.evaluate import assess
from trailgate.policy import Policy
from trailgate.refs import short

if TYPE_CHECKING:
    from trailgate.output import Output


def _where(branch: str | None, policy: Policy) -> str:
    from trailgate.targets import protected_target

    here = f'{short(branch)} is not protected' if branch else 'a detached HEAD is on no branch'
    target = protected_target(policy, branch)
    headed = f'headed for {target.name}' if target else f'protected: {policy.protected}'
    return f'{here}; {headed}'


def commit_msg(msgfile: str, policy_option: str | None, out: Output | None = None,
               questions: git.StagedQuestions | None = None) -> int:
    """``out``: where the report goes (default: text on stderr); ``questions``:
    git's, started ahead (default: started now)."""
    if questions is None:
        questions = staged.ask_git()
    try:
        return _judge(msgfile, policy_option, out, questions)
    finally:
        questions.abandon()


def _judge(msgfile: str, policy_option: str | None, out: Output | None, questions: git.StagedQuestions) -> int:
    commit, policy = staged.pending_commit(msgfile, policy_option, questions)
    assessment = assess(policy, commit)
    if not assessment.violations:
        return 0
    from trailgate.output import Output
    from trailgate.reports import Report

    branch = questions.current_branch()
    refuses = policy.commit_msg_refuses_on(branch)
    saved = os.path.abspath(msgfile)  # the hook runs at the top level; the user may not
    reminder = None if refuses else _where(branch, policy)
    facts = questions.variables()
    cleanup = staged.cleanup_mode(facts)
    # under core.commentChar=auto git would choose another character for the saved
    # message, which holds the comment lines it wrote: the fix names the one it used
    comment_char = (staged.cleanup_comment_char(facts, staged.read_message_file(msgfile))
                    if facts.config.get('core.commentchar') == 'auto' and cleanup in ('strip', 'scissors') else None)
    report = Report('commit-msg', (assessment,), policy.source, message_file=saved, reminder=reminder,
                    amending=invocation.is_amending(), cleanup=cleanup, comment_char=comment_char,
                    every_branch=policy.commit_msg_refuses_on_every_branch(),
                    repeated=tuple(invocation.commit_repeated()),
                    git_options=tuple(invocation.git_options_repeated('commit')))
    (out or Output()).report(report, stream='stderr')
    return 1 if refuses and assessment.refused else 0
