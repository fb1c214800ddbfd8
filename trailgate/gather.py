"""Committed history into ``Commit`` facts, and judged: the shared path of
``check``, ``pre-push`` and ``pre-receive``.

One ``git log -z`` streams each set of commits; one ``git cat-file --batch``
answers every documentation-file lookup, asked ahead of the verdicts. Nothing here runs git per commit.
"""
from __future__ import annotations

import collections
import contextlib
import gc
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import NamedTuple

from trailgate import ci
from trailgate import git
from trailgate.errors import GitError
from trailgate.evaluate import AsOf
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
    from trailgate.approvals.attach import Pending
    from trailgate.approvals.ledger import Ledger

LOCAL_LEDGER = 'local'  # judge(ledger_tip=...): the repository's own refs/trailgate/approvals


class Batch(NamedTuple):
    """Commits to judge with one policy."""

    policy: Policy
    revisions: tuple[str, ...]  # git log arguments (rev-list syntax)
    exact: tuple[str, ...] | None = None  # or exactly these commits
    log: git.Log | None = None  # the revisions' git log, started ahead (read once)


def to_commit(raw: git.RawCommit, comment_char: str) -> Commit:
    message = skip_blank_lines(raw.message)
    return Commit(
        sha=raw.sha,
        message=message,
        trailers=parse_trailers(message, comment_char),
        author=raw.author,
        committer=raw.committer,
        date=raw.date,
        paths=raw.paths,
        is_merge=len(raw.parents) > 1,
        is_root=not raw.parents,
    )


def _unread(raw: git.RawCommit) -> Commit:
    """A commit whose message need not be parsed: its subject is enough."""
    subject = skip_blank_lines(raw.message).split('\n', 1)[0]
    return Commit(
        sha=raw.sha, message=subject + '\n', trailers=(), author=raw.author,
        committer=raw.committer, date=raw.date, paths=frozenset(),
        is_merge=len(raw.parents) > 1, is_root=not raw.parents,
    )


SIGNED_CHUNK = 256  # commits whose change ids one git diff-tree computes
# commits read past the one being judged while cat-file looks up their files
READ_AHEAD = 256
# commits read after a question before it goes to git: the questions of a few
# commits go together (each hand-over wakes a thread), and git has the rest
# of READ_AHEAD to answer them, so reading the answers never waits
SEND_AFTER = 32


# a commit as read: (its batch's position, the batch's policy, the commit
# as git gave it, its facts (None: it touches nothing protected and its
# message was not read), the documentation files asked about). A plain
# tuple: one is made for every commit of a range.
_Read = tuple[int, Policy, git.RawCommit, Commit | None, tuple[str, ...]]
_NOTHING_ASKED: tuple[str, ...] = ()


def _answered(read: _Read, lookups: git.CatFile) -> _Read:
    index, policy, raw, commit, candidates = read
    if not candidates or commit is None:
        return read
    existing = frozenset(path for path in candidates if lookups.regular_file_answer())
    return index, policy, raw, commit._replace(existing_files=existing), candidates


def _read(batches: Iterable[Batch], repo: git.Repo, every_signal: bool,
          lookups: git.CatFile, comment_char: str | None = None) -> Iterator[_Read]:
    """Every batch's commits in order. Documentation files are asked about
    as each commit is read and the answers read ``READ_AHEAD`` commits
    later, so git answers while the commits in between are parsed."""
    if comment_char is None:
        comment_char = git.comment_char()
    shallow = git.shallow_commits(repo.git_dir) if repo.shallow else frozenset()
    ahead: collections.deque[_Read] = collections.deque()
    position = 0  # commits read
    unsent_since = -1  # when the oldest question not yet sent was asked; -1: none
    for index, batch in enumerate(batches):
        if batch.exact is not None and not batch.exact:
            continue
        policy = batch.policy
        commits = git.log(batch.revisions, batch.exact) if batch.log is None else batch.log.commits()
        for raw in commits:
            position += 1
            if shallow and raw.sha in shallow:
                raise GitError(
                    f'commit {raw.sha[:12]} is at the shallow boundary: {ci.shallow_hint()}',
                )
            if not every_signal and touches_nothing_protected(policy, raw.paths):
                ahead.append((index, policy, raw, None, _NOTHING_ASKED))
            else:
                commit = to_commit(raw, comment_char)
                candidates = documentation_candidates(policy, commit)
                if candidates:
                    asked = tuple(candidates)
                    for path in asked:
                        lookups.ask_regular_file(raw.sha, path)
                    ahead.append((index, policy, raw, commit, asked))
                    if unsent_since < 0:
                        unsent_since = position
                else:
                    ahead.append((index, policy, raw, commit, _NOTHING_ASKED))
            if unsent_since >= 0 and position - unsent_since >= SEND_AFTER:
                lookups.send_asked()
                unsent_since = -1
            if len(ahead) > READ_AHEAD:
                yield _answered(ahead.popleft(), lookups)
    lookups.send_asked()  # the last questions: git answers while the first are read
    while ahead:
        yield _answered(ahead.popleft(), lookups)


def judge(batches: Iterable[Batch], repo: git.Repo, every_signal: bool = True,
          ledger_tip: str | None = LOCAL_LEDGER, as_of: AsOf = None,
          comment_char: str | None = None) -> Iterator[Assessment]:
    """Assess each batch's commits, in order; a commit in two batches is
    judged by both. ``active`` windows are judged on ``as_of`` (default:
    today, as the gate runs).

    Without ``every_signal``, a commit that touches nothing protected is
    passed without parsing its message or looking for AI signals: the
    report will not show it anyway. Commits that need signed approvals are
    judged in chunks: their change ids are computed together, looked up in
    the approvals ledger at ``ledger_tip`` (default: the local
    ``refs/trailgate/approvals``) and in their trailers, then assessed.
    ``comment_char``: core.commentChar, when the caller asked git already.
    """
    batches = list(batches)
    if not any(batch.policy.signed_reviews for batch in batches):
        return _judge_typed(batches, repo, every_signal, as_of, comment_char)
    return _judge_signed(batches, repo, every_signal, ledger_tip, as_of, comment_char)


def _judge_typed(batches: list[Batch], repo: git.Repo, every_signal: bool, as_of: AsOf,
                 comment_char: str | None) -> Iterator[Assessment]:
    """``judge`` where no policy asks for signed approvals: each commit
    assessed as it is read."""
    with git.CatFile() as lookups:
        for _, policy, raw, commit, _ in _read(batches, repo, every_signal, lookups, comment_char):
            if commit is None:
                yield unremarkable(policy, _unread(raw))
            else:
                yield assess(policy, commit, as_of)


def _judge_signed(batches: list[Batch], repo: git.Repo, every_signal: bool,
                  ledger_tip: str | None, as_of: AsOf, comment_char: str | None) -> Iterator[Assessment]:
    """``judge`` where some policy asks for signed approvals: the commits
    that may need them are assessed in chunks, once their approvals are found."""
    with contextlib.ExitStack() as stack:
        lookups = stack.enter_context(git.CatFile())
        ledger = None
        chunks: _Chunks | None = None
        pending: list[tuple[git.RawCommit | None, Assessment | Commit]] = []
        current: tuple[int, Policy] | None = None
        for index, policy, raw, commit, _ in _read(batches, repo, every_signal, lookups, comment_char):
            if current is not None and current[0] != index and pending:
                assert chunks is not None
                yield from chunks.add(pending, current[1])
                pending = []
            current = (index, policy)
            signed_policy = policy.signed_reviews
            item: tuple[git.RawCommit | None, Assessment | Commit]
            if commit is None:
                item = (None, unremarkable(policy, _unread(raw)))
            elif signed_policy and may_need_signed_approvals(policy, raw.paths):
                item = (raw, commit)  # assessed once its approvals are found
            else:
                item = (None, assess(policy, commit, as_of))
            if not signed_policy and chunks is None:
                assert isinstance(item[1], Assessment)
                yield item[1]
                continue
            if chunks is None:
                ledger = _ledger(ledger_tip, stack.enter_context(git.CatFile()), repo.git_dir)
                chunks = stack.enter_context(_Chunks(ledger, as_of))
            pending.append(item)
            if len(pending) >= SIGNED_CHUNK:
                yield from chunks.add(pending, policy)
                pending = []
        if chunks is not None:
            if pending and current is not None:
                yield from chunks.add(pending, current[1])
            yield from chunks.finish()
        if ledger is not None and ledger.cache is not None:
            ledger.cache.write()


class _Chunks:
    """Chunks of commits that may need signed approvals, several in flight, so
    that git and the verifier work while this process reads and judges:
    when chunk k is added, git is asked for its patches; chunk k-1's change
    ids are computed from the patches git made meanwhile and its ledger
    records asked for; chunk k-2's records are read and their signatures
    handed to the verifier; chunk k-3, verified meanwhile, is assessed and
    given. Assessments come out in the order the commits went in."""

    def __init__(self, ledger: Ledger, as_of: AsOf) -> None:
        from trailgate.approvals import records
        from trailgate.approvals.verifier import Verifier

        self.ledger = ledger
        self.as_of = as_of
        self.verifying = Verifier(records.NAMESPACE)
        self.patches = git.Patches()
        self._patches_asked: collections.deque[_Chunk] = collections.deque()
        self._records_asked: collections.deque[_Chunk] = collections.deque()
        self._submitted: collections.deque[_Chunk] = collections.deque()

    def add(self, pending: list[tuple[git.RawCommit | None, Assessment | Commit]],
            policy: Policy) -> Iterator[Assessment]:
        from trailgate.approvals.attach import Pending

        needing = [(raw, item) for raw, item in pending if raw is not None and isinstance(item, Commit)]
        chunk = _Chunk(pending, policy, Pending(needing, policy, self.ledger, None, self.ledger.cache,
                                                self.verifying, self.patches))
        chunk.approvals.ask_patches()
        self._patches_asked.append(chunk)
        if len(self._patches_asked) > 1:
            self._ask_records()
        if len(self._records_asked) > 1:
            self._submit()
        if len(self._submitted) > 1:
            yield from self._complete()

    def finish(self) -> Iterator[Assessment]:
        while self._patches_asked:
            self._ask_records()
        while self._records_asked:
            self._submit()
        while self._submitted:
            yield from self._complete()

    def _ask_records(self) -> None:
        chunk = self._patches_asked.popleft()
        chunk.approvals.ask_records()
        self._records_asked.append(chunk)

    def _submit(self) -> None:
        chunk = self._records_asked.popleft()
        chunk.approvals.submit()
        self._submitted.append(chunk)

    def _complete(self) -> Iterator[Assessment]:
        chunk = self._submitted.popleft()
        attached = iter(chunk.approvals.complete())
        for raw, item in chunk.pending:
            if raw is not None:
                yield assess(chunk.policy, next(attached), self.as_of)
            else:
                assert isinstance(item, Assessment)
                yield item

    def __enter__(self) -> _Chunks:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            if kind is None:
                self.patches.close()
            else:
                self.patches.abandon()
        finally:
            self.verifying.close()


class _Chunk(NamedTuple):
    pending: list[tuple[git.RawCommit | None, Assessment | Commit]]
    policy: Policy
    approvals: Pending


def _ledger(ledger_tip: str | None, cat: git.CatFile, git_dir: str) -> Ledger:
    from trailgate.approvals.cache import Cache
    from trailgate.approvals.ledger import Ledger

    local = ledger_tip == LOCAL_LEDGER
    found = Ledger(None if local else ledger_tip, cat, local=local)
    found.cache = Cache(git_dir)
    return found


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Judging a range with what is already loaded (modules, the policy)
    left out of the cyclic collector's passes: they hold no garbage, and
    each full pass over them costs as much as judging hundreds of commits.
    Garbage already made is collected first, never frozen; what the range
    allocates is collected as usual."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def policy_sources(batches: Iterable[Batch]) -> str:
    sources: list[str] = []
    for batch in batches:
        if batch.policy.source not in sources:
            sources.append(batch.policy.source)
    return '; '.join(sources) or 'none'


def unique(assessments: Iterable[Assessment]) -> Iterator[Assessment]:
    """Each commit once per verdict: refs that share commits would repeat them."""
    seen = set()
    for assessment in assessments:
        key = (assessment.commit.sha, assessment.violations)
        if key not in seen:
            seen.add(key)
            yield assessment
