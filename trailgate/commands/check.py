"""``trailgate check [RANGE...]``: the CI gate over revision ranges.

The target is the protected branch a pull request would land on (``--target``,
else the CI's own variables). Into a protected target (or when no target is
known) a commit that lacks what the policy requires fails the check; into an
unprotected one the findings are reported and the check passes.
"""
from __future__ import annotations

import datetime
import os
import re
import shlex
import sys
from collections.abc import Callable
from typing import NamedTuple

from trailgate import ci
from trailgate import git
from trailgate import policies
from trailgate.display import visible
from trailgate.errors import GitError
from trailgate.errors import PolicyError
from trailgate.errors import UsageError
from trailgate.evaluate import AS_OF_COMMIT
from trailgate.evaluate import AsOf
from trailgate.gather import Batch
from trailgate.gather import frozen_heap
from trailgate.gather import judge
from trailgate.gather import policy_sources
from trailgate.output import Output
from trailgate.policy import Policy
from trailgate.progress import Progress
from trailgate.refs import BRANCH_PREFIX
from trailgate.refs import short
from trailgate.rollback import merge_keeps_older_policy


class Target(NamedTuple):
    name: str  # as given: main, origin/main, refs/heads/main
    source: str  # --target or the CI variable it came from

    @property
    def ref(self) -> str:
        """The branch as the remote names it: ``origin/main`` -> ``refs/heads/main``."""
        if self.name.startswith('refs/'):
            full: str | None = self.name
        else:
            # a short name is a branch (CI variables name branches): a tag of
            # the same name, which anyone may push, must not turn the target
            # into an unprotected ref
            full = _branch_first(self.name, git.full_ref_name(self.name))
        if full and full.startswith('refs/remotes/'):
            parts = full.split('/', 3)
            return BRANCH_PREFIX + parts[3] if len(parts) == 4 else full
        if full and (full.startswith(BRANCH_PREFIX) or self.name.startswith('refs/')):
            return full
        return BRANCH_PREFIX + self.name

    def local(self) -> str:
        """The local revision holding the target's value: the remote-tracking
        branch (what CI fetched), else the name itself if it names a branch.
        Never a tag, nor any other ref git would read the short name as: a tag
        ``main``, which anyone who may push a tag can make and a runner fetches
        along with the change, would be the base and its policy the judge."""
        branch = self.ref.removeprefix(BRANCH_PREFIX)
        if self.name == branch and git.exact_ref(f'refs/remotes/origin/{branch}'):
            return f'refs/remotes/origin/{branch}'
        if self.name.startswith('refs/'):
            return self.name
        full = git.full_ref_name(self.name)
        tracking = _branch_first(self.name, full)
        if tracking != full:
            return tracking or self.name
        if full is None or full.startswith((BRANCH_PREFIX, 'refs/remotes/')):
            return self.name
        return BRANCH_PREFIX + self.name  # no such branch here: an unknown revision, exit 2


def _branch_first(name: str, full: str | None) -> str | None:
    """``full``, git's reading of the short ``name`` (None when it names no
    ref, or two), unless a remote-tracking branch of that name exists and git
    read it otherwise: a tag ``origin/main``, which anyone who may push a tag
    can make, must not turn the target into a branch nothing protects."""
    if full is None or not full.startswith((BRANCH_PREFIX, 'refs/remotes/')):  # None: also when ambiguous
        tracking = f'refs/remotes/{name}'
        if git.exact_ref(tracking):
            return tracking
    return full


def find_target(option: str | None) -> Target | None:
    if option:
        return Target(option, '--target')
    for variable in ci.TARGET_VARIABLES:
        value = os.environ.get(variable, '').strip()
        if value:
            return Target(value, variable)
    return None


def parse_as_of(value: str | None) -> AsOf:
    """``--as-of``: None (today), 'commit', or a day."""
    if value is None:
        return None
    if value == AS_OF_COMMIT:
        return AS_OF_COMMIT
    try:
        if len(value) != 10:
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f'--as-of {value!r}: give "commit" or a date as YYYY-MM-DD') from None



def _unknown(what: str, repo: git.Repo) -> GitError:
    hint = f'; {ci.shallow_hint()}' if repo.shallow else ''
    return GitError(f'unknown revision: {what}{hint}')


def revision_arguments(ranges: tuple[str, ...], repo: git.Repo, parsed: git.Started | None = None,
                       meanwhile: Callable[[], object] | None = None) -> list[str]:
    """Ranges as rev-list arguments, ``B`` and ``^A``; every one must name a commit.

    ``parsed``: their ``git.ranges_question``, started ahead. ``meanwhile``
    runs while git starts to say whether each names a commit.
    """
    for value in ranges:
        if value.startswith('-'):
            raise UsageError(f'{value!r} is not a revision range (options go before the ranges)')
    try:
        out = git.run(*git.ranges_question(ranges)) if parsed is None else parsed.output()
    except GitError as e:
        raise _unknown(f'{" ".join(ranges)} ({e})', repo) from None
    revisions = [line for line in git.decode(out).split() if line != '--']
    if not revisions:
        raise UsageError(f'no revisions in {" ".join(ranges)!r}')
    asked = git.ask_missing_commits(rev.removeprefix('^') for rev in revisions)
    try:
        if meanwhile is not None:
            meanwhile()
        missing = asked.missing()
    finally:
        asked.abandon()
    if missing:
        zero = any(name.strip('0') == '' for name in missing)
        raise _unknown(f'{", ".join(missing)} is not a commit in this repository'
                       + (f'; {ci.NEW_REF_BEFORE}' if zero else ''), repo)
    return revisions


def _policy(
    revisions: list[str], policy_rev: str | None, policy_option: str | None,
    repo: git.Repo, cat: git.CatFile,
) -> Policy:
    explicit = policies.explicit_path(policy_option)
    bases = [git.resolve_commit(policy_rev)] if policy_rev else [
        rev[1:] for rev in revisions if rev.startswith('^')
    ]
    if explicit:
        # its allowed-signers file, a repository path, comes from the trusted base: the work
        # tree is the change under review, which could name its own key for a reviewer
        given = policies.from_file(explicit, repo, signers_at=(cat, bases[0]) if bases else None)
        if given.signers_path is not None and not bases:
            raise PolicyError(
                f'{explicit} names signers ({given.signers_path}), which are read from a trusted base: '
                'the range has no excluded side (use A..B, --base REF or --policy-rev REV)',
            )
        return given
    if not bases:
        raise PolicyError(
            'no trusted base to read the policy from: the range has no excluded side '
            '(use A..B, --base REF, --policy-rev REV or --policy PATH)',
        )
    for base in bases:
        policy = policies.at_revision(cat, base, repo.git_dir)
        if policy is not None:
            return policy
    raise PolicyError(
        f'the base {bases[0][:12]} has no .trailgate/policy.yaml, so nothing can judge '
        f'the range; commit a policy first ({policies.NO_POLICY_HINT}), or pass '
        f'--policy-rev REV / --policy PATH',
    )


def _fetch_hint(base: str, repo: git.Repo) -> str:
    """A remote-tracking branch the clone lacks (a CI that fetched only the
    change): the fetch that brings it."""
    parts = base.split('/', 3)
    if repo.shallow or len(parts) != 4 or parts[:2] != ['refs', 'remotes']:
        return ''
    return f' (not fetched: `git fetch {shlex.quote(parts[2])} {shlex.quote(parts[3])}` brings it)'


def check(ranges: tuple[str, ...], base: str | None, policy_rev: str | None,
          policy_option: str | None, out: Output, target_option: str | None = None,
          as_of_option: str | None = None, repo_question: git.Started | None = None,
          ranges_question: git.Started | None = None) -> int:
    """``repo_question``, ``ranges_question``: ``git.REPO_QUESTION`` and
    ``git.ranges_question(ranges)``, started ahead (the second is stopped
    unread if it asked about other ranges than those checked)."""
    # the plain command line asked while the modules loaded; through click, asked now
    repo = git.repo(repo_question if repo_question is not None else git.start(*git.REPO_QUESTION))
    as_of = parse_as_of(as_of_option)
    target = find_target(target_option)
    if target is not None and target.source != '--target' and not out.quiet:
        print(f'trailgate check: target {visible(target.name)} (from {target.source})', file=sys.stderr)
    if target is not None and not ranges and not base:
        base = target.local()
    _refuse_ambiguous_names((*ranges, *(value for value in (base, policy_rev) if value)))
    if not base and not policy_rev and not policies.explicit_path(policy_option):
        _refuse_symmetric_differences(ranges)
    if base:
        if git.missing_commits([base]):
            hint = _fetch_hint(base, repo)
            raise _unknown(f'{visible(base)} (--base) is not a commit in this repository{hint}', repo)
        # judged by the base as it is now (its tip), never the merge-base, which the branch chooses
        base_commit = git.resolve_commit(base)
        policy_rev = policy_rev or base_commit
        merge_base = git.merge_base(base_commit, 'HEAD')
        if merge_base is None:
            raise GitError(
                f'{base} and HEAD have no common ancestor'
                + (f'; {ci.shallow_hint()}' if repo.shallow else ''),
            )
        change = ci.change_under_review()
        if change is not None and merge_base == git.resolve_commit('HEAD'):
            raise GitError(
                f'HEAD is already on {base}, so this checkout holds none of the commits of the {change}: '
                f'check out its head or merge commit, not its target branch',
            )
        # what HEAD adds over the base: with several merge-bases (the forge's test
        # merge re-run after the pull request landed, a criss-cross), one of them
        # would leave commits already on the base in the range
        ranges = (*ranges, f'{base_commit}..HEAD')
    if not ranges:
        raise UsageError('give a revision range (e.g. origin/main..HEAD) or --base REF')
    if ranges_question is not None and ranges_question.args != git.ranges_question(ranges):
        ranges_question.abandon()  # asked about other ranges (--base adds one)
        ranges_question = None
    revisions = revision_arguments(ranges, repo, ranges_question, out.prepare)
    if not base:
        _refuse_the_target_s_checkout(_landing(ranges))
    revisions, left_out = _without_the_ci_merge(revisions, out.quiet)
    # git reads the range, and says how its messages' comments start, while the
    # policy loads and the report's modules are imported
    history: git.Log | tuple[str, ...]
    if one_expression(ranges):
        history = git.start_log(revisions)
    else:
        history = tuple(sha for sha in git.commits_of_each(ranges) if sha != left_out)
    comment_question = None
    try:
        comment_question = git.start(*git.COMMENT_CHAR_QUESTION)
        return _judge_range(history, comment_question, revisions, policy_rev, policy_option, repo, out, target,
                            as_of, _landing(ranges))
    finally:
        if comment_question is not None:
            comment_question.abandon()
        if isinstance(history, git.Log):
            history.abandon()


def _landing(ranges: tuple[str, ...]) -> tuple[str, str] | None:
    """(base, tip) when the check is of one range ``base..tip`` (``--base``
    makes one): what lands on the target."""
    if len(ranges) != 1 or '...' in ranges[0] or ranges[0].count('..') != 1:
        return None
    base, tip = ranges[0].split('..')
    return (base, tip or 'HEAD') if base else None


def _refuse_the_target_s_checkout(landing: tuple[str, str] | None) -> None:
    """In a pull or merge request's run, a range ``A..B`` whose tip is already
    on ``A`` (the target's checkout, as ``pull_request_target`` makes it)
    holds none of the change's commits: "0 commits checked" would pass a
    change none of whose commits was read. ``--base`` refuses it the same way."""
    change = ci.change_under_review()
    if change is None or landing is None:
        return
    base, tip = landing
    if git.is_ancestor(git.resolve_commit(tip), git.resolve_commit(base)):
        raise GitError(
            f'{tip} is already on {base}, so this checkout holds none of the commits of the {change}: '
            f'check out its head or merge commit, not its target branch',
        )


def _refusals(older: Callable[[], str | None] | None) -> Callable[[], tuple[str, ...]] | None:
    """The range's refusal as a whole, asked once its commits are judged:
    landing it would give the target an older policy."""
    if older is None:
        return None
    found = older

    def refusals() -> tuple[str, ...]:
        refusal = found()
        return (refusal,) if refusal else ()
    return refusals


def _refuse_ambiguous_names(values: tuple[str, ...]) -> None:
    """A short name that names two refs is an error, never git's guess: a
    tag ``origin/main``, which anyone who may push a tag can make, would
    otherwise stand in for the remote-tracking branch as base and judge."""
    names = []
    for value in values:
        for side in re.split(r'\.\.\.?', value.removeprefix('^')):
            name = re.split(r'[~^@:]', side, maxsplit=1)[0]
            # a full object id is the object, whatever ref shares its name
            if name and name != 'HEAD' and not git.OBJECT_ID.fullmatch(name):
                names.append(name)
    ambiguous = git.ambiguous_names(names)
    if ambiguous:
        name, refs = next(iter(ambiguous.items()))
        if name.startswith('refs/'):
            raise GitError(f'{name} is not a ref in this repository; git would read it as {", ".join(refs)}: '
                           'fetch it, or give the full name of the ref meant')
        raise GitError(f'{name} names more than one ref ({", ".join(refs)}): give the full name of the one meant')


def _refuse_symmetric_differences(ranges: tuple[str, ...]) -> None:
    """A range ``A...B`` is an error when its excluded side would choose the
    policy: git reads it as ``A B ^$(git merge-base A B)``, and the merge-base
    is whatever the branch under review forked from (an old commit, before
    the policy had its rules)."""
    for value in ranges:
        if '...' in value:
            left, right = (side or 'HEAD' for side in value.split('...', 1))
            raise UsageError(
                f'{value!r} is a symmetric difference: its excluded side is the merge-base, which the '
                f'branch under review chooses, so its policy cannot judge the range; check what {right} '
                f'adds over {left}, judged by {left}\'s policy: `{left}..{right}` or `--base {left}` '
                f'(or name the policy with --policy-rev REV)',
            )


def _without_the_ci_merge(revisions: list[str], quiet: bool) -> tuple[list[str], str | None]:
    """The revisions with the merge the CI made to test the change (GitHub's
    ``refs/pull/N/merge``, GitLab's merged result) replaced by its parents,
    when it is a range's tip and exactly git's own merge of them; and that merge.

    It never lands (the forge makes another on merge) and it changes nothing
    its parents' commits, all still in the range or its trusted base, do not;
    judged on the files both sides touched, it would be refused for reviews
    nobody can add to it.
    """
    merge = ci.ci_merge()
    if merge is None or merge.sha not in revisions:
        return revisions, None
    parents = ci.clean_merge_parents(merge.sha)
    if parents is None:
        return revisions, None
    if not quiet:
        print(f"trailgate check: {merge.sha[:12]} is {merge.what}, git's own merge of its parents: "
              'their commits are checked; it has no change of its own', file=sys.stderr)
    return [name for rev in revisions for name in (parents if rev == merge.sha else (rev,))], merge.sha


def one_expression(ranges: tuple[str, ...]) -> bool:
    """Whether git's one reading of the ranges shows every commit of each.

    git reads several ranges as one set (``A..B C..D`` is ``B D ^A ^C``), so
    a commit of ``A..B`` that ``C`` reaches would go unchecked: several
    ranges are read one by one instead. A ``^REV`` argument says the command
    line is one rev-list expression, and it is read as git reads it.
    """
    return len(ranges) < 2 or any(value.startswith('^') for value in ranges)


def _judge_range(history: git.Log | tuple[str, ...], comment_question: git.Started, revisions: list[str],
                 policy_rev: str | None, policy_option: str | None, repo: git.Repo, out: Output,
                 target: Target | None, as_of: AsOf, landing: tuple[str, str] | None = None) -> int:
    """``history``: the range's git log, started, or the exact commits of several ranges;
    ``landing``: (base, tip) of the one range, whose landing may bring an older policy."""
    with git.CatFile() as cat:
        policy = _policy(revisions, policy_rev, policy_option, repo, cat)
        if not policies.explicit_path(policy_option):
            # the signer file the range's tips name is the one their landing makes the judge of approvals
            tips = [rev for rev in revisions if not rev.startswith('^') and rev != '--not']
            policy = policies.landing(policy, cat, tips, repo.git_dir)
        older: Callable[[], str | None] | None = None
        # a policy given as a file still reads its signers from the base: a landing may bring older ones
        if landing is not None and (not policies.explicit_path(policy_option) or policy.signers_path) and (
                target is None or policy.protected.matches(target.ref)):
            older = merge_keeps_older_policy(target.ref if target else landing[1], *landing, policy, cat)
    if isinstance(history, git.Log):
        batch = Batch(policy, tuple(revisions), log=history)
    else:
        batch = Batch(policy, (), exact=history)
    reminder = None
    if target is not None and not policy.protected.matches(target.ref):
        reminder = f'the target {visible(short(target.ref))} is not protected; protected: {policy.protected}'
    progress = Progress('checking', enabled=not out.quiet)
    try:
        with frozen_heap():
            judged = judge([batch], repo, out.keeps_passing, as_of=as_of,
                           comment_char=git.comment_char(comment_question))
            summary = out.stream('check', progress.track(judged), policy_sources([batch]), reminder=reminder,
                                 refusals=_refusals(older))
    finally:
        progress.done()
    return 1 if summary.refuses else 0
