"""The commit about to be made, gathered once from git for commit-msg,
prepare-commit-msg and ``explain --message``.
"""
from __future__ import annotations

import os

from trailgate import git
from trailgate import invocation
from trailgate import policies
from trailgate.errors import FatalError
from trailgate.errors import UsageError
from trailgate.evaluate import documentation_candidates
from trailgate.model import Commit
from trailgate.policy import Policy
from trailgate.trailers import CLEANUP_MODES
from trailgate.trailers import auto_comment_char
from trailgate.trailers import cleanup_message
from trailgate.trailers import parse_trailers

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def read_message_file(path: str) -> str:
    try:
        with open(path, 'rb') as f:
            data = f.read(MAX_MESSAGE_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f'{path}: no such message file (git passes it to the hook)') from None
    except IsADirectoryError:
        raise UsageError(f'{path}: is a directory, not a commit message file') from None
    except OSError as e:
        raise UsageError(f'{path}: cannot read the message: {e.strerror}') from None
    if len(data) > MAX_MESSAGE_BYTES:
        raise UsageError(f'{path}: the message is larger than 64 MiB')
    return git.decode(data)


def _merge_heads(git_dir: str) -> list[str]:
    try:
        with open(os.path.join(git_dir, 'MERGE_HEAD'), encoding='ascii') as f:
            return f.read().split()
    except (FileNotFoundError, UnicodeDecodeError):
        return []


def _changes(repo: git.Repo, diff: git.Started | None) -> tuple[git.StagedChanges, list[str]]:
    """The new commit's paths, and the index mode of each entry it changes:
    its diff against its first parent (``diff``: the diff against HEAD,
    started ahead; None when amending, when the parents are HEAD's); and the
    commit's other parents.

    A merge counts only paths that differ from every parent, as its
    combined diff would show: a merge being made, or one being amended.
    """
    if diff is None:
        parents = git.parents_of_head()
        changes = git.staged_changes(parents[0] if parents else git.empty_tree())
        others = parents[1:]
    else:
        changes = git.staged_changes(started=diff)
        others = _merge_heads(repo.git_dir)
    for other in others:
        changes = changes._replace(paths=changes.paths & git.staged_changes(other).paths)
    return changes, others


def _regular_files(candidates: frozenset[str], modes: dict[str, str]) -> frozenset[str]:
    """Those of ``candidates`` that are regular files in the index: the
    diff already gave the mode of each entry it changes; git is asked only
    about the others."""
    known = {path for path in candidates if path in modes and '\n' not in path}
    regular = {path for path in known if modes[path] in git.REGULAR_MODES}
    return frozenset(regular) | git.index_regular_files(candidates - known)


def editor_runs() -> bool:
    """Will git open an editor on this message? It sets GIT_EDITOR=: for -m, -F, --no-edit."""
    return os.environ.get('GIT_EDITOR') != ':'


def cleanup_mode(facts: git.Vars) -> str:
    """How ``git commit`` will clean this message up (git's own choice of default)."""
    mode = invocation.commit_cleanup_option() or facts.config.get('commit.cleanup', 'default')
    if mode == 'scissors' and not editor_runs():
        return 'whitespace'  # git cuts at the scissors line only in a message it had edited
    if mode in CLEANUP_MODES:
        return mode
    return 'strip' if editor_runs() else 'whitespace'


def cleanup_comment_char(facts: git.Vars, text: str) -> str:
    """The comment character git cleans this message up with. Under
    ``core.commentChar=auto`` git picks one the message does not start a line
    with; the stored message's trailers are still read with '#', as git log
    reads them."""
    if facts.config.get('core.commentchar') == 'auto':
        return auto_comment_char(text, editor_runs())
    return facts.comment_char


def ask_git(branch: bool = False) -> git.StagedQuestions:
    """Start what the pending commit needs from git (``branch``: the branch too)."""
    return git.StagedQuestions(amending=invocation.is_amending(), branch=branch)


def pending_commit(msgfile: str, policy_option: str | None,
                   questions: git.StagedQuestions) -> tuple[Commit, Policy]:
    """The commit about to be made, from git's answers to ``questions``, and
    the work tree's policy."""
    repo = questions.repo()
    if repo.toplevel is None:
        raise FatalError('this hook needs a work tree; it cannot run in a bare repository')
    policy = policies.from_worktree(repo, policies.explicit_path(policy_option))
    facts = questions.variables()
    text = read_message_file(msgfile)
    message = cleanup_message(text, cleanup_comment_char(facts, text), cleanup_mode(facts))
    changes, other_parents = _changes(repo, questions.diff)
    commit = Commit(
        sha=None,
        message=message,
        trailers=parse_trailers(message, facts.comment_char),
        author=facts.author,
        committer=facts.committer,
        date=facts.committed.date(),
        paths=changes.paths,
        is_merge=bool(other_parents),
    )
    candidates = documentation_candidates(policy, commit)
    if candidates:
        commit = commit._replace(existing_files=_regular_files(candidates, changes.modes))
    return commit, policy
