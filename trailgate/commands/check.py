"""``trailgate check [RANGE...]``: the CI gate over revision ranges."""
from __future__ import annotations

from trailgate import git
from trailgate import policies
from trailgate.errors import GitError
from trailgate.errors import PolicyError
from trailgate.errors import UsageError
from trailgate.gather import SHALLOW_HINT
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.gather import policy_sources
from trailgate.output import Output
from trailgate.policy import Policy
from trailgate.progress import Progress


def _unknown(what: str, repo: git.Repo) -> GitError:
    hint = f'; {SHALLOW_HINT}' if repo.shallow else ''
    return GitError(f'unknown revision: {what}{hint}')


def _revisions(ranges: tuple[str, ...], repo: git.Repo) -> list[str]:
    """Ranges as rev-list arguments, ``B`` and ``^A``; every one must name a commit."""
    for value in ranges:
        if value.startswith('-'):
            raise UsageError(f'{value!r} is not a revision range (options go before the ranges)')
    try:
        # the trailing -- makes every argument a revision: a typo fails, never turns into a path
        out = git.run('rev-parse', *ranges, '--')
    except GitError as e:
        raise _unknown(f'{" ".join(ranges)} ({e})', repo) from None
    revisions = [line for line in git.decode(out).split() if line != '--']
    if not revisions:
        raise UsageError(f'no revisions in {" ".join(ranges)!r}')
    missing = git.missing_commits(rev.removeprefix('^') for rev in revisions)
    if missing:
        raise _unknown(f'{", ".join(missing)} is not a commit in this repository', repo)
    return revisions


def _policy(
    revisions: list[str], policy_rev: str | None, policy_option: str | None,
    repo: git.Repo, cat: git.CatFile,
) -> Policy:
    explicit = policies.explicit_path(policy_option)
    if explicit:
        return policies.from_file(explicit, repo)
    bases = [git.resolve_commit(policy_rev)] if policy_rev else [
        rev[1:] for rev in revisions if rev.startswith('^')
    ]
    if not bases:
        raise PolicyError(
            'no trusted base to read the policy from: the range has no excluded side '
            '(use A..B, --base REF, --policy-rev REV or --policy PATH)',
        )
    for base in bases:
        policy = policies.at_revision(cat, base)
        if policy is not None:
            return policy
    raise PolicyError(
        f'the base {bases[0][:12]} has no .trailgate/policy.yaml, so nothing can judge '
        f'the range; commit a policy first ({policies.NO_POLICY_HINT}), or pass '
        f'--policy-rev REV / --policy PATH',
    )


def check(ranges: tuple[str, ...], base: str | None, policy_rev: str | None,
          policy_option: str | None, out: Output) -> int:
    repo = git.repo()
    if base:
        if git.missing_commits([base]):
            raise _unknown(f'--base {base}', repo)
        merge_base = git.merge_base(git.resolve_commit(base), 'HEAD')
        if merge_base is None:
            raise GitError(
                f'{base} and HEAD have no common ancestor'
                + (f'; {SHALLOW_HINT}' if repo.shallow else ''),
            )
        ranges = (*ranges, f'{merge_base}..HEAD')
    if not ranges:
        raise UsageError('give a revision range (e.g. origin/main..HEAD) or --base REF')
    revisions = _revisions(ranges, repo)
    with git.CatFile() as cat:
        policy = _policy(revisions, policy_rev, policy_option, repo, cat)
    batch = Batch(policy, tuple(revisions))
    progress = Progress('checking', enabled=not out.quiet)
    try:
        summary = out.stream('check', progress.track(judge([batch], repo, out.keeps_passing)),
                             policy_sources([batch]))
    finally:
        progress.done()
    return 1 if summary.refused_count else 0
