"""``trailgate pre-push [REMOTE [URL]]``: every commit a push would add.

git gives one stdin line per ref: ``<local ref> <local sha> <remote ref>
<remote sha>``. The pre-commit framework swallows those lines and passes one
ref's range at most (PRE_COMMIT_FROM_REF/TO_REF), so under it the commits
of every local branch and tag (and HEAD, and each source the ``git push``
command line names) not yet on the remote are checked: a superset of the
push, never less than it.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Iterator
from typing import NamedTuple

from trailgate import git
from trailgate import invocation
from trailgate import policies
from trailgate.errors import UsageError
from trailgate.evaluate import Assessment
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.gather import policy_sources
from trailgate.output import Output
from trailgate.policy import Policy


class RefUpdate(NamedTuple):
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def parse_lines(text: str) -> list[RefUpdate]:
    updates = []
    for line in text.split('\n'):
        if not line.strip():
            continue
        # the local ref is as the user typed it and may hold spaces: split from the right
        fields = line.rsplit(' ', 3)
        if len(fields) != 4:
            raise UsageError(f'unexpected pre-push input line: {line!r}')
        updates.append(RefUpdate(*fields))
    return updates


def _remote_name(remote: str | None, url: str | None) -> str | None:
    """The configured remote name for REMOTE (which may be a URL)."""
    urls = git.remote_urls()
    if remote in urls:
        return remote
    for name, configured in urls.items():
        if configured in (remote, url):
            return name
    return None


def _not_on_remote(remote: str | None) -> list[str]:
    return [f'--remotes={remote}'] if remote else ['--remotes']


def _default_branch(remote: str | None) -> str | None:
    if remote is None:
        return None
    target = git.symbolic_ref(f'refs/remotes/{remote}/HEAD')
    candidates = [target] if target else []
    candidates += [f'refs/remotes/{remote}/main', f'refs/remotes/{remote}/master']
    for ref in candidates:
        sha = git.ref_exists(ref)
        if sha:
            return sha
    return None


class _Policies:
    """The trusted policy for each base commit, with the work tree as fallback."""

    def __init__(self, repo: git.Repo, explicit: str | None, cat: git.CatFile) -> None:
        self.repo = repo
        self.explicit = explicit
        self.cat = cat
        self._cache: dict[str | None, Policy] = {}

    def for_base(self, base: str | None) -> Policy:
        if base not in self._cache:
            self._cache[base] = self._load(base)
        return self._cache[base]

    def _load(self, base: str | None) -> Policy:
        if self.explicit:
            return policies.from_file(self.explicit, self.repo)
        policy = policies.at_revision(self.cat, base) if base else None
        # nothing on the remote yet has a policy: the local one still gives advice
        return policy or policies.from_worktree(self.repo, None)


def _batch_for_update(update: RefUpdate, remote: str | None, found: _Policies) -> Batch | None:
    if git.is_null_oid(update.local_sha):
        return None  # a deletion adds no commits
    if not git.is_null_oid(update.remote_sha) and git.commit_exists(update.remote_sha):
        return Batch(found.for_base(update.remote_sha), (update.local_sha, f'^{update.remote_sha}'))
    default = _default_branch(remote)
    base = git.merge_base(update.local_sha, default) if default else None
    return Batch(found.for_base(base), (update.local_sha, '--not', *_not_on_remote(remote)))


def _pre_commit_batch(remote: str | None, found: _Policies) -> Batch | None:
    """Under the pre-commit framework: everything local the remote lacks.

    Local branches, tags, HEAD, pre-commit's one range, and each source of
    the ``git push`` command line (a detached HEAD or a bare sha is on no
    branch): a superset of the push, never less.
    """
    to_ref = os.environ.get('PRE_COMMIT_TO_REF')
    from_ref = os.environ.get('PRE_COMMIT_FROM_REF')
    base = None
    if from_ref and git.commit_exists(from_ref):
        base = from_ref
    else:
        default = _default_branch(remote)
        base = git.merge_base(to_ref or 'HEAD', default) if default else None
    named = [*([to_ref] if to_ref else []), 'HEAD', *(invocation.pushed_sources() or ())]
    missing = set(git.missing_commits(named))
    tips = ['--branches', '--tags', *(name for name in named if name not in missing)]
    return Batch(found.for_base(base), (*tips, '--not', *_not_on_remote(remote)))


def pre_push(remote: str | None, url: str | None, policy_option: str | None, out: Output) -> int:
    repo = git.repo()
    updates = parse_lines(git.read_hook_input())
    remote = remote or os.environ.get('PRE_COMMIT_REMOTE_NAME')
    url = url or os.environ.get('PRE_COMMIT_REMOTE_URL')
    remote_name = _remote_name(remote, url)
    with git.CatFile() as cat:
        found = _Policies(repo, policies.explicit_path(policy_option), cat)
        if updates:
            batches = [b for b in (_batch_for_update(u, remote_name, found) for u in updates) if b]
        elif os.environ.get('PRE_COMMIT') and (
            os.environ.get('PRE_COMMIT_REMOTE_NAME') or os.environ.get('PRE_COMMIT_TO_REF')
        ):
            batches = [b for b in (_pre_commit_batch(remote_name, found),) if b]
        else:
            batches = []  # git runs the hook even when nothing is pushed
        summary = out.stream('pre-push', _unique(judge(batches, repo, out.keeps_passing)),
                             policy_sources(batches), stream='stderr', when_empty=False)
    return 1 if summary.refused_count else 0


def _unique(assessments: Iterable[Assessment]) -> Iterator[Assessment]:
    """Each commit once per verdict: refs that share commits would repeat them."""
    seen = set()
    for assessment in assessments:
        key = (assessment.commit.sha, assessment.violations)
        if key not in seen:
            seen.add(key)
            yield assessment
