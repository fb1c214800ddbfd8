"""``trailgate pre-push [REMOTE [URL]]``: every commit a push would land on
a protected ref of the remote.

git gives one stdin line per ref: ``<local ref> <local sha> <remote ref>
<remote sha>``. For a protected remote ref, the commits from its current
value to the new one are judged (for a new protected ref: every commit on
none of the remote's protected refs), by the policy at the value replaced
(for a new ref, the remote's default branch). Other refs pass, with a
one-line reminder of how many commits will need review before they land.
A protected ref is pointed only at a commit (or a tag of one): a tree or a
blob holds no commit to judge. A remote value that is no commit, like one
this clone lacks, holds no committed policy: the update is judged as a new
protected ref's.
An update of the approvals ledger, whatever pattern also names it, is left
to the server, whose pre-receive judges it as the ledger (append-only,
records only): pre-push judges none of its commits and counts none in the
reminder, and the remote's ledger is no protected ref whose commits exempt
those of a new protected ref.

The pre-commit framework swallows git's lines and passes one ref at most,
so under it the push is rebuilt from its variables and the ``git push``
command line; when that cannot be known exactly, every local branch and tag
not yet on a protected ref is judged: never less than the push. Run by hand
(``pre-commit run --hook-stage pre-push --from-ref A --to-ref B``: no push,
so no remote named), it judges A..B by A's policy, as ``check A..B`` does;
without a range, it says so and checks nothing.
"""
from __future__ import annotations

import os
import re
import shlex
import sys
from typing import NamedTuple

from trailgate import git
from trailgate import invocation
from trailgate import policies
from trailgate.display import visible
from trailgate.errors import UsageError
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.gather import policy_sources
from trailgate.gather import unique
from trailgate.output import Output
from trailgate.policy import Policy
from trailgate.refs import APPROVALS_REF
from trailgate.refs import BRANCH_PREFIX
from trailgate.reports.text_format import reminder_status
from trailgate.rollback import new_ref_policy
from trailgate.rollback import not_a_commit
from trailgate.rollback import policy_rollback

ZERO = '0' * 40
BY_HAND_WITHOUT_RANGE = (
    'trailgate pre-push: no push and no range, nothing checked; to judge a range by hand: '
    'pre-commit run trailgate-pre-push --hook-stage pre-push --from-ref origin/main --to-ref HEAD'
)


class RefUpdate(NamedTuple):
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


# a full ref name without a character git forbids in one: what git writes as the remote ref
_REMOTE_REF = re.compile(r'refs/[^\x00-\x20\x7f~^:?*\[\\]+')


def parse_lines(text: str) -> list[RefUpdate]:
    """git's lines; any other line (an empty one, a short or uppercase object id,
    a carriage return) is an error, never a ref skipped or read another way."""
    return [_parse_line(line) for line in text.removesuffix('\n').split('\n')] if text else []


def _parse_line(line: str) -> RefUpdate:
    # the local ref is as the user typed it and may hold spaces: split from the right
    fields = line.rsplit(' ', 3)
    if len(fields) != 4 or not _as_git_writes(RefUpdate(*fields)):
        raise UsageError(
            f'unexpected pre-push input line {line!r}: git writes `<local ref> <local sha> <remote ref> '
            '<remote sha>`, with full object ids and the full remote ref; run trailgate pre-push as '
            "git's pre-push hook, which gives it git's own lines",
        )
    return RefUpdate(*fields)


def _as_git_writes(update: RefUpdate) -> bool:
    return bool(
        update.local_ref
        and git.OBJECT_ID.fullmatch(update.local_sha)
        and _REMOTE_REF.fullmatch(update.remote_ref)
        and git.OBJECT_ID.fullmatch(update.remote_sha),
    )


def _same_place(a: str, b: str) -> bool:
    """Do two remote URLs name the same repository (``/x``, ``file:///x``, ``/x/``)?"""
    def canonical(url: str) -> str:
        path = url.removeprefix('file://')
        if os.path.isabs(path) and os.path.exists(path):
            return os.path.realpath(path)
        return url.rstrip('/')
    return canonical(a) == canonical(b)


def _remote_name(remote: str | None, url: str | None) -> str | None:
    """The configured remote name for REMOTE (which may be a URL)."""
    urls = git.remote_urls()
    if remote in urls:
        return remote
    for name, configured in urls.items():
        if any(given and _same_place(configured, given) for given in (remote, url)):
            return name
    return None


class RemoteView(NamedTuple):
    """What the remote holds, as far as this clone can tell."""

    refs: dict[str, str]  # full ref on the remote -> object
    default: str | None  # the remote's default branch (full ref)

    @property
    def default_tip(self) -> str | None:
        return self.refs.get(self.default) if self.default else None

    def on_protected(self, policy: Policy) -> list[str]:
        """The objects of the remote's protected refs that this clone has;
        never the approvals ledger's, judged as the ledger, never as commits."""
        shas = sorted({sha for ref, sha in self.refs.items()
                       if policy.protected.matches(ref) and ref != APPROVALS_REF})
        missing = set(git.missing_commits(shas))
        return [sha for sha in shas if sha not in missing]


def _tracking_view(remote: str) -> RemoteView:
    prefix = f'refs/remotes/{remote}/'
    refs = {
        BRANCH_PREFIX + ref[len(prefix):]: sha
        for ref, sha in git.ref_values(prefix).items() if not ref.endswith('/HEAD')
    }
    head = git.symbolic_ref(f'{prefix}HEAD')
    default = BRANCH_PREFIX + head[len(prefix):] if head and head.startswith(prefix) else None
    if default is None:
        default = next((ref for ref in ('refs/heads/main', 'refs/heads/master') if ref in refs), None)
    return RemoteView(refs, default)


def remote_view(remote: str | None, url: str | None) -> tuple[str | None, RemoteView]:
    """(configured remote name, its view). A push to a URL that is no configured
    remote, or to a remote whose default branch this clone has not fetched,
    asks the remote itself, so it gets the same trusted base."""
    name = _remote_name(remote, url)
    if name is not None:
        view = _tracking_view(name)
        if view.default_tip is not None:
            return name, view
        # this clone has not fetched the remote's default branch (a remote added
        # and never fetched, a default other than main): the work tree's policy,
        # which the push may change, must not judge a new protected ref; asked at
        # the URL git pushes to, which may not be the one it fetches from
        refs, head = git.ls_remote(url or name)
        return name, RemoteView(refs, head) if refs else view
    target = url or remote
    if not target:
        return None, RemoteView({}, None)
    refs, head = git.ls_remote(target)
    return None, RemoteView(refs, head)


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

    def landing(self, policy: Policy, *tips: str) -> Policy:
        """``policy`` judging a push of ``tips``, with the signer files the
        policies committed there name (``policies.landing``); a policy file
        given explicitly names its signers itself."""
        return policy if self.explicit else policies.landing(policy, self.cat, tips, self.repo.git_dir)

    def _load(self, base: str | None) -> Policy:
        if self.explicit:
            return policies.from_file(self.explicit, self.repo)
        policy = policies.at_revision(self.cat, base, self.repo.git_dir) if base else None
        # nothing on the remote yet has a policy: the local one still gives advice
        return policy or policies.from_worktree(self.repo, None)


class _Plan(NamedTuple):
    guarded: list[Batch]  # commits that would land on a protected ref: judged
    elsewhere: list[Batch]  # commits pushed to other refs: counted for the reminder
    rollbacks: tuple[str, ...] = ()  # why an update takes a protected ref back to an older policy
    not_commits: tuple[str, ...] = ()  # why an update points a protected ref at what is no commit
    created: tuple[str, ...] = ()  # why a new protected ref would hold another policy: said with its commits


def _known(sha: str) -> bool:
    return not git.is_null_oid(sha) and git.commit_exists(sha)


def _plan(updates: list[RefUpdate], view: RemoteView, found: _Policies) -> _Plan:
    plan = _Plan([], [])
    rollbacks = []
    not_commits = []
    created = []
    default_tip = view.default_tip if view.default_tip and _known(view.default_tip) else None
    pushed = [u for u in updates if not git.is_null_oid(u.local_sha) and u.remote_ref != APPROVALS_REF]
    # what a push sends is here: not a commit is a tree, a blob or a tag of one
    others = set(git.missing_commits(sorted({update.local_sha for update in pushed})))
    for update in updates:
        if git.is_null_oid(update.local_sha):
            continue  # a deletion adds no commits
        if update.remote_ref == APPROVALS_REF:
            continue  # the server judges the ledger as the ledger: its commits are no commits to review
        # a current value that is no commit (or one this clone lacks) holds no
        # committed policy and no history: the update is judged as a new ref's
        replaced = update.remote_sha if _known(update.remote_sha) else None
        policy = found.for_base(replaced or default_tip)
        not_protected = ('--not', *view.on_protected(policy))
        if not policy.protected.matches(update.remote_ref):
            plan.elsewhere.append(Batch(policy, (update.local_sha, *not_protected)))
        elif update.local_sha in others:
            not_commits.append(not_a_commit(update.remote_ref, update.local_sha))
        elif replaced:
            policy = found.landing(policy, update.local_sha)
            plan.guarded.append(Batch(policy, (update.local_sha, f'^{replaced}')))
            if not found.explicit:  # what the server refuses, said before the push
                rollbacks.append(policy_rollback(update.remote_ref, replaced, update.local_sha, policy, found.cat))
        else:
            policy = found.landing(policy, update.local_sha)
            plan.guarded.append(Batch(policy, (update.local_sha, *not_protected)))
            if not found.explicit and view.default and default_tip and git.is_null_oid(update.remote_sha):
                created.append(new_ref_policy(update.remote_ref, view.default, default_tip, update.local_sha,
                                              policy, found.cat))
    return plan._replace(rollbacks=tuple(reason for reason in rollbacks if reason), not_commits=tuple(not_commits),
                         created=tuple(reason for reason in created if reason))


# a short destination starting so may name a ref in another namespace of the remote
_OTHER_NAMESPACES = ('heads/', 'tags/', 'remotes/')


def _destination(source: str, destination: str | None, view: RemoteView) -> str | None:
    """The remote ref a refspec updates, as git would choose it (None: cannot tell)."""
    full = git.full_ref_name(source)
    if destination is None:
        # a ref goes to the ref of the same name, and HEAD to the branch it is on,
        # whatever that branch's upstream: git follows upstreams only for a bare `git push`
        return full  # None: a sha or an expression needs an explicit destination
    if destination.startswith('refs/'):
        return destination
    # git matches a short destination against the remote's refs before it makes
    # one: `feature:heads/main` updates refs/heads/main
    matches = [ref for ref in git.short_name_refs(destination) if ref in view.refs]
    if len(matches) == 1:
        return matches[0]
    if matches or destination.startswith(_OTHER_NAMESPACES):
        return None  # ambiguous, or a remote ref this clone may not have seen
    if full and full.startswith('refs/tags/'):
        return None  # git updates the remote's ref of that name, a branch if it has one
    return BRANCH_PREFIX + destination


def _same_names(pattern: str, view: RemoteView) -> list[RefUpdate]:
    """``--all`` or ``--tags``: every local branch or tag, to the remote's ref of its name."""
    return [RefUpdate(ref, sha, ref, view.refs.get(ref, ZERO))
            for ref, sha in git.ref_values(pattern.removesuffix('*')).items()]


def _implicit_push(remote: str | None) -> list[tuple[str, str | None]] | None:
    """``git push`` with no refspec: the current branch, where push.default sends it."""
    configured = git.run_ok('config', '--get', 'push.default')
    mode = git.decode(configured).strip() if configured else 'simple'
    if mode not in ('simple', 'upstream', 'current', 'tracking'):
        return None  # matching, nothing: not one branch
    branch = git.symbolic_ref('HEAD')
    if branch is None:
        return None
    if mode == 'current':
        return [(branch, branch)]
    upstream = git.upstream_of(branch)
    if upstream and remote and upstream.startswith(f'refs/remotes/{remote}/'):
        return [(branch, BRANCH_PREFIX + upstream[len(f'refs/remotes/{remote}/'):])]
    return [(branch, branch)]


def _follows_tags() -> bool:
    """Does the push also send the annotated tags of what it pushes (``--follow-tags``, ``push.followTags``)?"""
    said = invocation.push_follows_tags()
    if said is not None:
        return said
    configured = git.run_ok('config', '--type=bool', '--get', 'push.followTags')
    return configured is not None and git.decode(configured).strip() == 'true'


def _configured_elsewhere(remote: str) -> bool:
    """Does ``remote``'s configuration push refs the command line does not name
    (``remote.<name>.push`` refspecs, ``remote.<name>.mirror``)?"""
    if git.run_ok('config', '--get-all', f'remote.{remote}.push'):
        return True
    mirror = git.run_ok('config', '--type=bool', '--get', f'remote.{remote}.mirror')
    return mirror is not None and git.decode(mirror).strip() == 'true'


def framework_updates(remote: str | None, view: RemoteView) -> list[RefUpdate] | None:
    """Under the pre-commit framework, which swallows git's lines: the push's
    ref updates, from its variables and the ``git push`` command line.
    None when the push cannot be known exactly."""
    if remote and _configured_elsewhere(remote):
        return None  # git may push elsewhere than the line says
    refspecs = invocation.pushed_refspecs()
    if refspecs == []:
        refspecs = _implicit_push(remote)
    updates = []
    to_ref = os.environ.get('PRE_COMMIT_TO_REF')
    remote_branch = os.environ.get('PRE_COMMIT_REMOTE_BRANCH')
    if to_ref and remote_branch:
        tracked = view.refs.get(remote_branch, ZERO)
        updates.append(RefUpdate(to_ref, to_ref, remote_branch, tracked))
        from_ref = os.environ.get('PRE_COMMIT_FROM_REF')
        if from_ref and from_ref != tracked and _known(from_ref):
            # the remote's value as git saw it, when the remote-tracking ref is stale
            # (for a new ref, a commit a remote has): judged as both, never less than the push
            updates.append(RefUpdate(to_ref, to_ref, remote_branch, from_ref))
    if refspecs is None:
        return None
    if _follows_tags():
        # the annotated tags on what is pushed go too: every one, never less than the push
        updates.extend(RefUpdate(ref, sha, ref, view.refs.get(ref, ZERO)) for ref, sha in git.annotated_tags().items())
    for source, destination in refspecs:
        if source in invocation.SAME_NAME_PATTERNS:
            updates.extend(_same_names(source, view))
            continue
        target = _destination(source, destination, view)
        # a tree, a blob or a tag of one is pushed as it is: judged where it lands
        sha = git.ref_exists(source) or git.object_name(source)
        if target is None or sha is None:
            return None
        updates.append(RefUpdate(source, sha, target, view.refs.get(target, ZERO)))
    return updates


def _everything_unpushed(view: RemoteView, found: _Policies) -> _Plan:
    """When the push cannot be known: every local branch, tag and HEAD, judged
    as if headed for a protected ref (never less than the push)."""
    default_tip = view.default_tip if view.default_tip and _known(view.default_tip) else None
    policy = found.for_base(default_tip)
    to_ref = os.environ.get('PRE_COMMIT_TO_REF')
    sources = [*([to_ref] if to_ref else []), *(invocation.pushed_sources() or ())]
    named = [*sources[:1], 'HEAD', *sources[1:]]
    # a branch or tag that is no commit, git log reads no commit in: one the push
    # names, or a protected one it may send, is refused as if it landed there
    local = git.ref_values('refs/heads/', 'refs/tags/')
    guarded = [ref for ref in local if policy.protected.matches(ref)]
    missing = set(git.missing_commits([*named, *guarded]))
    commits = [name for name in named if name not in missing]
    not_commits = tuple(_unknown_destination(name) for name in dict.fromkeys((*sources, *guarded)) if name in missing)
    # any of them may land on a protected ref: the signer file each one's policy names is guarded
    policy = found.landing(policy, *commits, *local.values())
    return _Plan([Batch(policy, ('--branches', '--tags', *commits, '--not', *view.on_protected(policy)))], [],
                 not_commits=not_commits)


def _unknown_destination(name: str) -> str:
    return (f'this push sends {visible(name)}, which is not a commit (nor a tag of one), and which refs it '
            f'updates cannot be known, so it is refused as if it lands on a protected ref, where no commit '
            f'of it can be judged; push a commit, or a tag of one')


def _by_hand() -> tuple[str, str] | None:
    """(from, to) when pre-commit runs the pre-push stage by hand: it names
    the range, and no remote (a push always names one)."""
    from_ref = os.environ.get('PRE_COMMIT_FROM_REF')
    to_ref = os.environ.get('PRE_COMMIT_TO_REF')
    if from_ref and to_ref and not os.environ.get('PRE_COMMIT_REMOTE_NAME'):
        return from_ref, to_ref
    return None


def _range_plan(from_ref: str, to_ref: str, found: _Policies) -> _Plan:
    """The commits from..to, judged as headed for a protected ref, by the policy at from."""
    base, tip = git.resolve_commit(from_ref), git.resolve_commit(to_ref)
    return _Plan([Batch(found.landing(found.for_base(base), tip), (tip, '--not', base))], [])


def _reminder(plan: _Plan, repo: git.Repo, refused: bool) -> str | None:
    """One line: how many pushed commits will need review before they land
    (``refused``: the push is refused for what lands on a protected ref)."""
    needing = {
        assessment.commit.sha for assessment in judge(plan.elsewhere, repo, every_signal=False)
        if assessment.refused
    }
    if not needing:
        return None
    count = len(needing)
    protected = '; '.join(sorted({str(batch.policy.protected) for batch in plan.elsewhere}))
    return (
        f'trailgate pre-push: reminder: {count} pushed commit{"s" if count != 1 else ""} '
        f'will need review before {"they land" if count != 1 else "it lands"} on a protected '
        f'branch ({protected}); {reminder_status(refused)} `trailgate explain <commit>` shows what each needs.'
    )


def pre_push(remote: str | None, url: str | None, policy_option: str | None, out: Output) -> int:
    repo = git.repo()
    updates = parse_lines(git.read_hook_input())
    remote = remote or os.environ.get('PRE_COMMIT_REMOTE_NAME')
    url = url or os.environ.get('PRE_COMMIT_REMOTE_URL')
    under_framework = not updates and bool(os.environ.get('PRE_COMMIT')) and bool(
        os.environ.get('PRE_COMMIT_REMOTE_NAME') or os.environ.get('PRE_COMMIT_TO_REF'),
    )
    if not updates and not under_framework:
        if os.environ.get('PRE_COMMIT'):
            print(BY_HAND_WITHOUT_RANGE, file=sys.stderr)
        return 0  # git runs the hook even when nothing is pushed
    remote_name, view = remote_view(remote, url)
    with git.CatFile() as cat:
        found = _Policies(repo, policies.explicit_path(policy_option), cat)
        by_hand = _by_hand() if under_framework else None
        if by_hand:
            plan = _range_plan(*by_hand, found)
        elif under_framework:
            known = framework_updates(remote_name, view)
            plan = _plan(known, view, found) if known is not None else _everything_unpushed(view, found)
        else:
            plan = _plan(updates, view, found)
        refusal = next(iter(plan.not_commits + plan.rollbacks), None)
        if refusal is None:
            summary = out.stream('pre-push', unique(judge(plan.guarded, repo, out.keeps_passing)),
                                 policy_sources(plan.guarded), stream='stderr', when_empty=False,
                                 refusals=lambda: plan.created)
    if refusal:  # said once git's processes are closed, which may still fail
        out.refuse('pre-push', (refusal,), policy_sources(plan.guarded), stream='stderr')
        return 1
    if summary.refused_count and any(batch.policy.signed_reviews for batch in plan.guarded):
        print(_fetch_approvals_hint(remote_name or url), file=sys.stderr)
    reminder = _reminder(plan, repo, summary.refuses) if plan.elsewhere and not out.quiet else None
    if reminder:
        print(reminder, file=sys.stderr)
    return 1 if summary.refuses else 0


def without_credentials(url: str) -> str:
    """``url`` without the user and password of ``scheme://user:pass@host/``,
    as git hides them in its own messages: a token must not reach a log."""
    scheme, separator, rest = url.partition('://')
    if not separator or not scheme or not all(c.isalnum() or c in '+.-' for c in scheme):
        return url
    authority, slash, path = rest.partition('/')
    return f'{scheme}://{authority.rpartition("@")[2]}{slash}{path}'


def _fetch_approvals_hint(remote: str | None) -> str:
    """Approvals are read from this clone's ledger, which ``git fetch`` does not
    bring: an author whose change a reviewer approved and pushed must fetch it."""
    source = shlex.quote(without_credentials(remote)) if remote else 'origin'
    return (f'trailgate pre-push: approvals are read from this clone\'s {APPROVALS_REF}; if a reviewer '
            f'approved and pushed them (`trailgate approve --push`), fetch them, then push again: '
            f"git fetch {source} '+{APPROVALS_REF}:{APPROVALS_REF}'")
