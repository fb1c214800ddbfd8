"""A protected ref taken back to an older policy: what pre-receive refuses,
and pre-push foresees.

Moving a protected ref so that it holds another version of the policy (or
of its allowed-signers file) than the commits it gains give it, changes the
policy with no commit that ``policy_owners`` could review: a force push
back past the commits that changed it, or a fast-forward onto a merge that
keeps a version the ref held before (its combined diff shows no change).
The policy it leaves would judge every later push to the ref.

Nor is a protected ref pointed at a tree, a blob or a tag of one
(``not_a_commit``): git log reads no commit in it, so its content would land
judged by nothing.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from trailgate import git
from trailgate.display import visible
from trailgate.policy import Policy
from trailgate.refs import short


def not_a_commit(ref: str, sha: str) -> str:
    """Why pointing the protected ``ref`` at ``sha``, which is no commit (nor
    a tag of one), is refused."""
    return (f'{visible(ref)} is protected, and this push points it at {sha[:12]}, which is not a commit '
            f'(nor a tag of one), so no commit of it can be judged; push a commit, or a tag of one')


def policy_rollback(ref: str, old: str, new: str, policy: Policy, cat: git.CatFile) -> str | None:
    """Why moving ``ref`` from ``old`` to ``new`` (commits both) is refused
    for what it does to the policy ``policy`` (the one at ``old``), if it is."""
    if policy.policy_owners is None:
        return None
    changed = _policy_change(ref, old, new, policy, cat)
    if isinstance(changed, str):
        return changed
    if not changed:
        return None
    paths = sorted(policy.policy_paths)
    if git.is_ancestor(old, new):
        dropped = False
    else:
        base = git.merge_base(old, new)
        dropped = base is None or _versions(cat, base, paths) != _versions(cat, old, paths)
    if not dropped and _each_set_by_a_commit_beyond(new, old, changed):
        return None  # what it drops left the policy alone; what it adds is judged commit by commit
    files = visible(' and '.join(paths))  # a signer file the pushed policy names is the pusher's text
    if not dropped:  # a merge that keeps a version the ref held before: its combined diff shows no change
        what = _kept_earlier(ref, files)
    else:
        what = f'takes {visible(ref)} back to another {files} than it holds, past the commits that changed it'
    return f'this update {what}: {_owners_review(policy)}'


def new_ref_policy(ref: str, default: str, default_tip: str, new: str, policy: Policy,
                   cat: git.CatFile) -> str | None:
    """Why creating the protected ``ref`` at ``new`` is refused for the
    policy it would hold (``policy``: the one at ``default_tip``, the tip of
    the default branch ``default``, which judges a new ref): another than the
    default branch's, that no commit the ref gains sets. The policy at ``new``
    judges every later push to the ref, so a ref created at a commit from
    before a change to the policy or its signer file (a rule tightened, a key
    removed) would be judged by the older one."""
    if policy.policy_owners is None:
        return None
    changed = _policy_change(ref, default_tip, new, policy, cat)
    if isinstance(changed, str):
        return changed
    if not changed or _each_set_by_a_commit_beyond(new, default_tip, changed):
        return None
    files = visible(' and '.join(sorted(policy.policy_paths)))
    remedy = ('tag a commit that holds the default branch\'s' if ref.startswith('refs/tags/') else
              'create it at a commit that holds the default branch\'s (merge the default branch into it first)')
    return (f'this update creates {visible(ref)} with another {files} than the default branch '
            f'{visible(short(default))} holds, one that no commit it adds sets anew, and that would judge every later '
            f'push to it: {remedy}; {_owners_review(policy)}')


def _policy_change(ref: str, trusted: str, new: str, policy: Policy, cat: git.CatFile) -> str | list[str]:
    """What giving ``ref`` the value ``new`` in place of ``trusted`` does to
    the files of ``policy`` (the one at ``trusted``): the refusal of a signer
    file that no review saw, or those of its paths that ``new`` holds
    otherwise."""
    unset = _unset_signers(new, trusted, policy, cat)
    if unset is not None:
        return f'this update {_names_unset(ref, unset)}: {_owners_review(policy)}'
    paths = sorted(policy.policy_paths)
    return _differing(paths, _versions(cat, trusted, paths), _versions(cat, new, paths))


def merge_keeps_older_policy(target: str, base: str, head: str, policy: Policy,
                             cat: git.CatFile) -> Callable[[], str | None]:
    """Why landing ``head`` on ``base`` (a pull request, merged or replayed;
    ``policy``: the one at ``base``) is refused for the policy it brings: one
    that differs from the fork point's, set by no commit of the branch (a
    merge that keeps an earlier version shows no change to it, so no commit
    the check judges carries it for ``policy_owners``). A branch that leaves
    the policy alone, or changes it in commits of its own, passes here; so
    does one whose tip holds the policy ``base`` holds (landing it changes
    nothing there).

    The answer comes from the function returned: the git questions it needs
    (walks of the history, each) are asked by a thread meanwhile, beside the
    check's own log."""
    if policy.policy_owners is None:
        return _passes
    paths = sorted(policy.policy_paths)
    at_head = _versions(cat, head, paths)
    changed = _differing(paths, at_head, _versions(cat, base, paths))
    if not changed and not policy.landing_signers:
        return _passes
    answers: list[str | None] = []
    failures: list[BaseException] = []

    def ask() -> None:
        try:
            answers.append(_kept_older(target, base, head, paths, changed, at_head, policy))
        except BaseException as failure:  # re-raised where the answer is read
            failures.append(failure)

    thread = threading.Thread(target=ask, name='trailgate-rollback', daemon=True)
    thread.start()

    def verdict() -> str | None:
        thread.join()
        if failures:
            raise failures[0]
        return answers[0]
    return verdict


def _kept_older(target: str, base: str, head: str, paths: list[str], changed: list[str],
                at_head: list[bytes | None], policy: Policy) -> str | None:
    """``changed``: those of ``paths`` that ``head`` holds otherwise than ``base``."""
    with git.CatFile() as cat:
        unset = _unset_signers(head, base, policy, cat)
    if unset is not None:
        return f'this change {_names_unset(target, unset)}: {_owners_review(policy)}'
    kept = [path for path in changed if not _each_set_by_a_commit_beyond(head, base, [path])]
    if not kept:
        return None  # commits of the branch change them, judged with the others
    fork = git.merge_base(base, head)
    if fork is None:
        return None
    with git.CatFile() as cat:
        at_fork = dict(zip(paths, _versions(cat, fork, paths), strict=True))
    at_tip = dict(zip(paths, at_head, strict=True))
    if all(at_tip[path] == at_fork[path] for path in kept):
        return None  # the branch left them as they were where it forked
    return f"this change {_kept_earlier(target, visible(' and '.join(paths)))}: {_owners_review(policy)}"


def _versions(cat: git.CatFile, rev: str, paths: list[str]) -> list[bytes | None]:
    """The content of each of ``paths`` at ``rev`` (None: not there)."""
    return [cat.blob(rev, path) for path in paths]


def _differing(paths: list[str], first: list[bytes | None], second: list[bytes | None]) -> list[str]:
    return [path for path, one, other in zip(paths, first, second, strict=True) if one != other]


def _each_set_by_a_commit_beyond(tip: str, trusted: str, paths: list[str]) -> bool:
    """Whether each of ``paths`` has its version at ``tip`` from a commit that
    ``trusted`` does not hold (judged with the others, for ``policy_owners``).
    Each on its own: the last commit to change one of them says nothing of the
    other, which a merge may have taken back to an earlier version."""
    for path in paths:
        last = git.last_change(tip, [path])
        if last is None or git.is_ancestor(last, trusted) or _replays(last, trusted, path):
            return False
    return True


def _replays(commit: str, trusted: str, path: str) -> bool:
    """Whether ``commit`` changes ``path`` as a commit ``trusted`` holds
    already did, from the same version to the same version: the change made
    again (a cherry-pick onto the parent it had, a commit recreated with
    another date), which carries the reviews of the first, typed or signed,
    whose approval is of the change, not of the commit. Such a commit sets
    no version of its own: it brings back one that ``trusted``'s history
    held, and left, and that the review it carries saw come from another
    version than ``trusted`` holds."""
    with git.CatFile() as cat:
        after = cat.blob(commit, path)
        before = {cat.blob(parent, path) for parent in git.parents(commit)} or {None}
        for earlier, parents in git.changes_of(trusted, path):
            if cat.blob(earlier, path) != after:
                continue
            if not before.isdisjoint({cat.blob(parent, path) for parent in parents} or {None}):
                return True
    return False


def _unset_signers(tip: str, trusted: str, policy: Policy, cat: git.CatFile) -> str | None:
    """An allowed-signers file that the policy at ``tip`` names, and the
    one at ``trusted`` (``policy``) does not, whose content at ``tip`` did
    not come wholly from commits beyond ``trusted`` (each judged, and one
    that changes it needs ``policy_owners``): a file that a commit outside
    them already holds (one already committed, on the trusted side or brought
    back by a merge) was never reviewed as the signer file, and the
    owner-approved ``signers:`` edit is approved as its diff, whatever that
    file holds by the time it lands. Where no commit outside the range
    holds the file, every version of it at ``tip`` is shown by a commit of
    the range (a merge shows what differs from each of its parents)."""
    if not policy.landing_signers:
        return None
    outside = [line[1:] for line in git.decode(git.run('rev-list', '--boundary', tip, f'^{trusted}')).split()
               if line.startswith('-')] or [tip]  # no commit beyond: the tip is a commit of the trusted side
    for path in sorted(policy.landing_signers):
        if any(cat.blob(commit, path) is not None for commit in outside):
            return path
    return None


def _names_unset(ref: str, path: str) -> str:
    return (f'makes {visible(path)} the allowed-signers file of {visible(ref)}, a file that a commit it does not add '
            f'already holds, so no review saw its keys (add the file in the commits that point signers: at it)')


def _kept_earlier(ref: str, files: str) -> str:
    return (f'gives {visible(ref)} a {files} that no commit it adds changes (a merge keeps an earlier version, '
            f'or a commit makes an earlier change to it again)')


def _owners_review(policy: Policy) -> str:
    return f'a change to the policy lands only in a commit that policy_owners ({policy.policy_owners}) review'


def _passes() -> str | None:
    return None
