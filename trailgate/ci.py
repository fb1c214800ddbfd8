"""What a CI runner's variables say about the checkout ``check`` runs in.

Only facts that git can confirm are taken from them: a variable names a
commit, and git says whether that commit is what the variable claims.
"""
from __future__ import annotations

import os
import re
from typing import NamedTuple

from trailgate import git

# the CI variables that name a pull request's target branch, in the order read
TARGET_VARIABLES = ('GITHUB_BASE_REF', 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME')

# a range whose excluded side is all zeros: a CI's "before" of a new ref
NEW_REF_BEFORE = (
    'an all-zero id names no commit: it is the "before" a CI gives for a new branch '
    '(CI_COMMIT_BEFORE_SHA, github.event.before): check what the branch adds with --base <default branch>'
)
_GITHUB_MERGE_REF = re.compile(r'refs/pull/[0-9]+/merge')
# GitLab's merged results and merge train pipelines run on the merge it made
_GITLAB_MERGED_EVENTS = ('merged_result', 'merge_train')


def shallow_hint() -> str:
    """What to do about a shallow clone, in the words of the CI it runs in."""
    if os.environ.get('GITLAB_CI') == 'true':
        setting = '`GIT_DEPTH: "0"` in the job\'s variables'
    elif os.environ.get('GITHUB_ACTIONS') == 'true':
        setting = '`fetch-depth: 0` in actions/checkout'
    else:
        setting = '`fetch-depth: 0` in GitHub\'s actions/checkout, `GIT_DEPTH: "0"` in GitLab CI'
    return (
        'the repository is a shallow clone and its history is cut inside the range; '
        f'fetch the full history (`git fetch --unshallow`, or {setting}) and run again'
    )


def change_under_review() -> str | None:
    """What the CI says it runs for: a pull or merge request, which always
    has commits its target lacks; None for any other run."""
    event = os.environ.get('GITHUB_EVENT_NAME')
    if event in ('pull_request', 'pull_request_target'):
        return f'pull request ({event} event)'
    if os.environ.get('CI_PIPELINE_SOURCE') == 'merge_request_event':
        return 'merge request (merge request pipeline)'
    return None


class CiMerge(NamedTuple):
    """The merge commit a CI made of a change into its target, checked out to test
    what merging would give. It never lands: the forge makes another on merge."""

    sha: str
    what: str  # for the reader: "GitHub's merge of the pull request (refs/pull/7/merge)"


def ci_merge() -> CiMerge | None:
    """The merge the CI's variables say the checkout is, if any."""
    env = os.environ
    if env.get('GITHUB_EVENT_NAME') == 'pull_request' and _GITHUB_MERGE_REF.fullmatch(env.get('GITHUB_REF', '')):
        sha = env.get('GITHUB_SHA', '')
        return CiMerge(sha.lower(), f"GitHub's merge of the pull request ({env['GITHUB_REF']})") if sha else None
    event = env.get('CI_MERGE_REQUEST_EVENT_TYPE', '')
    if event in _GITLAB_MERGED_EVENTS:
        sha = env.get('CI_COMMIT_SHA', '')
        return CiMerge(sha.lower(), f"GitLab's merged result ({event} pipeline)") if sha else None
    return None


def clean_merge_parents(sha: str) -> tuple[str, str] | None:
    """The two parents of ``sha`` when it is exactly git's own merge of them
    (the same tree): then it changes nothing its parents do not, and has no
    change of its own to judge. None for anything else."""
    if not git.OBJECT_ID.fullmatch(sha):
        return None
    out = git.run_ok('rev-parse', f'{sha}^{{tree}}', f'{sha}^@')
    if out is None:
        return None
    tree, *parents = git.decode(out).split()
    if len(parents) != 2:
        return None
    first, second = parents
    (merged,) = git.merge_result_trees([(first, second)])
    return (first, second) if merged == tree else None
