"""Committed history into ``Commit`` facts, and judged: the shared path of
``check``, ``pre-push`` and ``pre-receive``.

One ``git log -z`` streams each set of commits; one ``git cat-file --batch``
answers every documentation-file lookup. Nothing here runs git per commit.
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import NamedTuple

from trailgate import git
from trailgate.errors import GitError
from trailgate.evaluate import Assessment
from trailgate.evaluate import assess
from trailgate.evaluate import documentation_candidates
from trailgate.evaluate import may_need_signed_approvals
from trailgate.evaluate import touches_nothing_protected
from trailgate.evaluate import unremarkable
from trailgate.model import Commit
from trailgate.policy import Policy
from trailgate.trailers import parse_trailers
from trailgate.trailers import skip_blank_lines

if TYPE_CHECKING:
    from trailgate.approvals.ledger import Ledger

LOCAL_LEDGER = 'local'  # judge(ledger_tip=...): the repository's own refs/trailgate/approvals

SHALLOW_HINT = (
    'the repository is a shallow clone and its history is cut inside the range; '
    'fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in '
    'actions/checkout) and run again'
)


class Batch(NamedTuple):
    """Commits to judge with one policy."""

    policy: Policy
    revisions: tuple[str, ...]  # git log arguments (rev-list syntax)
    exact: tuple[str, ...] | None = None  # or exactly these commits


def to_commit(raw: git.RawCommit, comment_char: str) -> Commit:
    message = skip_blank_lines(raw.message)
    return Commit(
        sha=raw.sha,
        message=message,
        trailers=parse_trailers(message, comment_char),
        author=raw.author,
        committer=raw.committer,
        date=raw.committed.date(),
        paths=raw.paths,
        is_merge=len(raw.parents) > 1,
    )


def _with_existing_files(commit: Commit, policy: Policy, cat: git.CatFile) -> Commit:
    candidates = documentation_candidates(policy, commit)
    if not candidates:
        return commit
    assert commit.sha is not None
    sha = commit.sha
    existing = frozenset(path for path in candidates if cat.is_regular_file(sha, path))
    return commit._replace(existing_files=existing)


def _unread(raw: git.RawCommit) -> Commit:
    """A commit whose message need not be parsed: its subject is enough."""
    subject = skip_blank_lines(raw.message).split('\n', 1)[0]
    return Commit(
        sha=raw.sha, message=subject + '\n', trailers=(), author=raw.author,
        committer=raw.committer, date=raw.committed.date(), paths=frozenset(),
        is_merge=len(raw.parents) > 1,
    )


SIGNED_CHUNK = 256  # commits whose change ids one git diff-tree computes


def judge(batches: Iterable[Batch], repo: git.Repo, every_signal: bool = True,
          ledger_tip: str | None = LOCAL_LEDGER) -> Iterator[Assessment]:
    """Assess each batch's commits; a commit in two batches is judged by both.

    Without ``every_signal``, a commit that touches nothing protected is
    passed without parsing its message or looking for AI signals: the
    report will not show it anyway. Commits that need signed approvals are
    judged in chunks: their change ids are computed together, looked up in
    the approvals ledger at ``ledger_tip`` (default: the local
    ``refs/trailgate/approvals``) and in their trailers, then assessed.
    """
    comment_char = git.comment_char()
    shallow = git.shallow_commits(repo.git_dir) if repo.shallow else frozenset()
    with git.CatFile() as cat:
        ledger = None
        for batch in batches:
            if batch.exact is not None and not batch.exact:
                continue
            pending: list[tuple[git.RawCommit | None, Assessment | Commit]] = []
            signed_policy = batch.policy.signed_reviews
            for raw in git.log(batch.revisions, batch.exact):
                if raw.sha in shallow:
                    raise GitError(
                        f'commit {raw.sha[:12]} is at the shallow boundary: {SHALLOW_HINT}',
                    )
                item: tuple[git.RawCommit | None, Assessment | Commit]
                if not every_signal and touches_nothing_protected(batch.policy, raw.paths):
                    item = (None, unremarkable(batch.policy, _unread(raw)))
                else:
                    commit = _with_existing_files(to_commit(raw, comment_char), batch.policy, cat)
                    if signed_policy and may_need_signed_approvals(batch.policy, raw.paths):
                        item = (raw, commit)  # assessed once its approvals are found
                    else:
                        item = (None, assess(batch.policy, commit))
                if not signed_policy:
                    assert isinstance(item[1], Assessment)
                    yield item[1]
                    continue
                pending.append(item)
                if len(pending) >= SIGNED_CHUNK:
                    if ledger is None:
                        ledger = _ledger(ledger_tip, cat, repo.git_dir)
                    yield from _with_approvals(pending, batch.policy, ledger)
                    pending = []
            if pending:
                if ledger is None:
                    ledger = _ledger(ledger_tip, cat, repo.git_dir)
                yield from _with_approvals(pending, batch.policy, ledger)
        if ledger is not None and ledger.cache is not None:
            ledger.cache.write()


def _ledger(ledger_tip: str | None, cat: git.CatFile, git_dir: str) -> Ledger:
    from trailgate.approvals.cache import Cache
    from trailgate.approvals.ledger import Ledger

    local = ledger_tip == LOCAL_LEDGER
    found = Ledger(None if local else ledger_tip, cat, local=local)
    found.cache = Cache(git_dir)
    return found


def _with_approvals(pending: list[tuple[git.RawCommit | None, Assessment | Commit]], policy: Policy,
                    ledger: Ledger) -> Iterator[Assessment]:
    """The chunk's assessments in order; the commits that may need signed
    approvals are assessed once those are attached."""
    needing = [(raw, item) for raw, item in pending if raw is not None and isinstance(item, Commit)]
    from trailgate.approvals.attach import attach

    attached = iter(attach(needing, policy, ledger, cache=ledger.cache) if needing else [])
    for raw, item in pending:
        if raw is not None:
            yield assess(policy, next(attached))
        else:
            assert isinstance(item, Assessment)
            yield item


def policy_sources(batches: Iterable[Batch]) -> str:
    sources: list[str] = []
    for batch in batches:
        if batch.policy.source not in sources:
            sources.append(batch.policy.source)
    return '; '.join(sources) or 'none'
