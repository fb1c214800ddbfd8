"""``trailgate explain [REV]``: why one commit passes or is refused."""
from __future__ import annotations

import sys

from trailgate import git
from trailgate import policies
from trailgate import staged
from trailgate.display import visible
from trailgate.errors import GitError
from trailgate.evaluate import Assessment
from trailgate.evaluate import RuleResult
from trailgate.evaluate import assess
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.output import use_color
from trailgate.policy import Policy
from trailgate.refs import short
from trailgate.reports.text_format import SIGNED_CODES
from trailgate.reports.text_format import fix_command
from trailgate.reports.text_format import fix_trailers
from trailgate.reports.text_format import rebase_onto
from trailgate.requirements import approve_command
from trailgate.targets import protected_target


def _commit_assessment(rev: str, policy_option: str | None) -> tuple[Assessment, Policy]:
    repo = git.repo()
    policy = policies.from_worktree(repo, policies.explicit_path(policy_option))
    sha = git.resolve_commit(rev)
    # consume the whole generator: git's exit status is checked at its end
    assessments = list(judge([Batch(policy, (), exact=(sha,))], repo))
    if len(assessments) != 1:
        raise GitError(f'git log showed {len(assessments)} commits for {rev}, not one')
    return assessments[0], policy


def protection_lines(policy: Policy, branch: str | None) -> list[str]:
    """Where the policy refuses, and what that means on the current branch."""
    lines = [f'Protected: {policy.protected}']
    here = short(branch) if branch else 'a detached HEAD'
    if policy.protected.explicit:
        state = 'protected' if branch and policy.protected.matches(branch) else 'not protected'
        lines.append(f'  current branch {here}: {state}')
    if policy.commit_msg_refuses_on(branch):
        lines.append('  commit-msg refuses here what lacks its requirements')
    else:
        target = protected_target(policy, branch)
        lines.append(
            '  commit-msg only reminds here; what lacks its requirements is refused when it would '
            f'land on {target.name if target else "a protected branch"}',
        )
    return lines


def _rule_lines(result: RuleResult) -> list[str]:
    paths = ', '.join(result.paths[:5]) + (', ...' if len(result.paths) > 5 else '')
    if not result.applies:
        touched = f' (touches {paths})' if result.paths else ''
        return [f'  {result.rule}: does not apply: {result.reason}{touched}']
    lines = [f'  {result.rule}: applies (touches {paths})']
    for check in result.checks:
        if check.met:
            met = f'{check.kind.code} {check.kind.summary}'
            lines.append(f'    ok       {met}: ' + '; '.join(check.evidence))
        else:
            have = f' [counted so far: {"; ".join(check.evidence)}]' if check.evidence else ''
            kind = f'{check.kind.code} {check.kind.name}'
            lines.append(f'    MISSING  {kind}: {check.missing}{have}')
            lines.append(f'             to satisfy: {check.satisfy}')
    return lines


def _rewrite_lines(assessment: Assessment, rebase_onto: str) -> list[str]:
    """The fix of a commit that is not HEAD: ``--amend`` would put the
    trailers on HEAD, another commit."""
    return [
        f'Fix: it is not HEAD: `git rebase -i {rebase_onto}`, mark it "reword", '
        'and end its message with:',
        *(f'  {line}' for line in fix_trailers(assessment)),
    ]


def describe(assessment: Assessment, gate: str, rebase_onto: str | None = None) -> list[str]:
    """``rebase_onto``: where to rebase from to reword the commit, when it is not HEAD."""
    commit = assessment.commit
    lines = [
        f'commit  {commit.sha or "(not yet committed)"}',
        f'subject {commit.subject}',
        f'author  {commit.author}',
        f'date    {commit.date} (committer date, UTC)',
        f'paths   {len(commit.paths)} changed',
        '',
        'AI signals:' if assessment.signals else 'AI signals: none (not AI-assisted)',
    ]
    lines.extend(f'  {signal}' for signal in assessment.signals)
    lines += ['', 'Rules:']
    lines.extend(line for result in assessment.results for line in _rule_lines(result))
    if not assessment.results:
        lines.append('  (the policy has no rules)')
    if commit.change_id is not None:
        lines += ['', 'Signed approvals:', f'  change {commit.change_id}']
        if not commit.own_change:
            lines.append('  a clean merge: nothing of its own to approve')
        for approval in commit.approvals:
            verdict = 'valid' if approval.problem is None else f'not counted: {approval.problem}'
            who = approval.reviewer or '(unreadable)'
            lines.append(f'  {who} key {approval.fingerprint or "?"} ({approval.carrier}): {verdict}')
        if not commit.approvals:
            lines.append(f'  none found in refs/trailgate/approvals or in {"Trailgate-Approval"} trailers')
    if assessment.override_problem:
        lines += ['', f'Break-glass: {assessment.override_problem}']
    lines.append('')
    if assessment.refused:
        lines.append('Verdict: REFUSED')
        if any(v.code in SIGNED_CODES for v in assessment.violations):
            once = '' if commit.sha else ' once it is committed'  # --message: no commit to approve yet
            lines.append(f'Approve: a reviewer runs `{approve_command(commit)}`{once}')
        if fix_trailers(assessment) and rebase_onto:
            lines.extend(_rewrite_lines(assessment, rebase_onto))
        elif fix_trailers(assessment):
            lines.append(f'Fix: {fix_command(assessment, gate)}')
    elif assessment.override is not None:
        lines.append(f'Verdict: overridden by break-glass: {assessment.override}')
    else:
        lines.append('Verdict: accepted')
    return lines


def _rebase_onto(assessment: Assessment) -> str | None:
    """``git rebase -i``'s argument to reword a refused commit that is not
    HEAD; None for HEAD (or nothing to fix), which ``--amend`` rewrites."""
    sha = assessment.commit.sha
    if not assessment.refused or sha is None or sha == git.ref_exists('HEAD'):
        return None
    return rebase_onto(assessment.commit)


def explain(rev: str, message_file: str | None, policy_option: str | None) -> int:
    rebase_onto = None
    if message_file:
        questions = staged.ask_git(branch=True)
        try:
            commit, policy = staged.pending_commit(message_file, policy_option, questions)
            assessment = assess(policy, commit)
            branch = questions.current_branch()
        finally:
            questions.abandon()
        gate = 'commit-msg'
    else:
        assessment, policy = _commit_assessment(rev, policy_option)
        gate = 'check'
        branch = git.current_branch(git.repo().git_dir)
        rebase_onto = _rebase_onto(assessment)
    lines = [*describe(assessment, gate, rebase_onto), '', *protection_lines(policy, branch)]
    text = '\n'.join(visible(line) for line in lines)
    if use_color(sys.stdout):
        text = text.replace('REFUSED', '\033[31;1mREFUSED\033[0m').replace(
            'MISSING', '\033[31mMISSING\033[0m',
        )
    print(text)
    return 1 if assessment.refused else 0
