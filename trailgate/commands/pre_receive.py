"""``trailgate pre-receive``: the server-side gate, which --no-verify cannot skip.

Runs in the bare repository inside git's push quarantine (the inherited
environment lets git see the incoming objects). Refs are not updated yet, so
every ref still has its value from before this push.

Only updates of protected refs are judged, and each on every commit it adds
to that ref (``old..new``; for a new protected ref, every commit on no
protected ref yet), wherever else those commits were pushed before: a branch,
a tag, ``refs/pull/*`` or ``refs/notes/*`` exempts nothing. The judge is the
policy at the ref's old value (for a new ref, the default branch), never one
the push or an older branch brings. A replace ref is never taken: it would
change what a protected branch holds for every other reader of the repository.
The approvals ledger is judged as the ledger (append-only, records only),
never as commits, whatever pattern also names it; so it exempts no commit.
"""
from __future__ import annotations

import os
import re
import sys
from typing import NamedTuple

from trailgate import git
from trailgate import policies
from trailgate.display import visible
from trailgate.errors import PolicyError
from trailgate.errors import UsageError
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.gather import policy_sources
from trailgate.gather import unique
from trailgate.output import Output
from trailgate.policy import Policy
from trailgate.refs import APPROVALS_REF
from trailgate.refs import NAMESPACES
from trailgate.refs import is_ref_name
from trailgate.refs import namespace_prefix
from trailgate.refs import short
from trailgate.reports.text_format import reminder_status
from trailgate.rollback import new_ref_policy
from trailgate.rollback import not_a_commit
from trailgate.rollback import policy_rollback


class Update(NamedTuple):
    old: str
    new: str
    ref: str


class ServerRefs:
    """The refs this push reads, listed once: the namespace's own where the
    server sets ``GIT_NAMESPACE`` (git-namespaces(7)). receive-pack names
    refs to the hook without the namespace, and stores them under
    ``refs/namespaces/<ns>/``, where the plain git commands trailgate runs do
    not look: every ref read here is translated, and a ref of another
    namespace (or of the root, from inside one) is never read in its place.
    """

    def __init__(self, git_dir: str, namespace: str) -> None:
        prefix = namespace_prefix(namespace)
        if prefix is None:
            raise UsageError(f'GIT_NAMESPACE={visible(namespace)} names no namespace git accepts')
        self.prefix = prefix
        self.git_dir = git_dir
        stored = git.ref_listing(*([prefix.rstrip('/')] if prefix else []))
        self.entries = {
            name: entry for name, entry in ((self._shown(ref), entry) for ref, entry in stored.items())
            if name is not None and not name.startswith(NAMESPACES)
        }
        self._aliases: dict[str, list[str]] | None = None
        self._unlisted: dict[str, str | None] = {}

    def _shown(self, stored: str) -> str | None:
        """The name the namespace knows ``stored`` by; None outside it."""
        return stored[len(self.prefix):] if stored.startswith(self.prefix) else None

    def values(self) -> dict[str, str]:
        """Ref -> the object it names, for every ref of the namespace."""
        return {name: entry.sha for name, entry in self.entries.items()}

    def commit_at(self, ref: str) -> str | None:
        """The commit the ref of that exact name points at, if any: never a tag git would read in its place."""
        return git.exact_ref(self.prefix + ref) if ref in self.entries else None

    def head(self) -> str | None:
        """The default branch: the one the namespace's HEAD names."""
        return self._target(f'{self.prefix}HEAD', git.symbolic_ref(f'{self.prefix}HEAD'))

    def _target(self, name: str, target: str | None) -> str | None:
        if target is None:
            return None
        shown = self._shown(target)
        if shown is None or shown.startswith(NAMESPACES):
            raise UsageError(f'{visible(name)} is a symbolic ref to {visible(target)}, outside the namespace '
                             f'this push is to, whose policy does not judge it')
        return shown

    def resolved(self, ref: str) -> str:
        """The ref a push to ``ref`` moves: a push to a symbolic ref (an alias
        such as ``refs/heads/master`` -> ``refs/heads/main``) moves the ref it
        points at, and is judged as an update of that ref."""
        entry = self.entries.get(ref)
        if entry is not None:
            return self._target(self.prefix + ref, entry.target or None) or ref
        if not ref.startswith('refs/') or not git.maybe_symbolic(self.git_dir, self.prefix + ref):
            return ref
        target = git.symbolic_target(self.prefix + ref)  # a symbolic ref whose target is missing
        return self._target(self.prefix + ref, target) or ref

    def names_of(self, ref: str) -> list[str]:
        """``ref`` and every symbolic ref that reads as it: each name shows what a push to ``ref`` does."""
        if self._aliases is None:
            self._aliases = {}
            for name, entry in self.entries.items():
                target = self._shown(entry.target) if entry.target else None
                if target is not None:
                    self._aliases.setdefault(target, []).append(name)
        return [ref, *self._aliases.get(ref, ())]

    def missing_target(self, name: str) -> str | None:
        """The ref ``name`` reads as when it is a symbolic ref to a missing
        ref (which git does not list): a push that creates that ref moves
        what ``name`` reads."""
        if name in self.entries or not git.maybe_symbolic(self.git_dir, self.prefix + name):
            return None
        if name not in self._unlisted:
            target = git.symbolic_target(self.prefix + name)
            self._unlisted[name] = self._shown(target) if target else None
        return self._unlisted[name]


_INPUT_LINE = re.compile(r'(?P<old>[0-9a-f]{40}|[0-9a-f]{64}) (?P<new>[0-9a-f]{40}|[0-9a-f]{64}) (?P<ref>.+)')


def _update(line: str) -> Update:
    """``<old> <new> <ref>`` exactly as receive-pack writes it: anything else
    would be read as some other ref, or none, than the one git updates."""
    found = _INPUT_LINE.fullmatch(line)
    if found is None or len(found['old']) != len(found['new']) or not is_ref_name(found['ref']):
        raise UsageError(f'unexpected pre-receive input line: {line!r}')
    return Update(found['old'], found['new'], found['ref'])


def _updates(text: str, refs: ServerRefs) -> list[Update]:
    lines = text.split('\n')
    if lines[-1] == '':
        lines.pop()
    return [update._replace(ref=refs.resolved(update.ref)) for update in map(_update, lines)]


class _Judges:
    """The policy at each base commit (or the explicit one), read once."""

    def __init__(self, explicit: str | None, repo: git.Repo, cat: git.CatFile, refs: ServerRefs) -> None:
        self.explicit = explicit
        self.repo = repo
        self.cat = cat
        self.refs = refs
        self.head = refs.head()
        self.default_tip = refs.commit_at(self.head) if self.head else None  # never a tag git reads in its place
        self._cache: dict[str, Policy | None] = {}
        self._explicit: Policy | None = None  # read once: every update shares one judge

    def at(self, base: str | None) -> Policy | None:
        if self.explicit:
            if self._explicit is None:
                self._explicit = policies.from_file(self.explicit, self.repo)
            return self._explicit
        if base is None:
            return None
        if base not in self._cache:
            self._cache[base] = policies.at_revision(self.cat, base, self.repo.git_dir)
        return self._cache[base]

    def trusted_default(self, ref: str) -> Policy | None:
        """The default branch's policy, which decides what a new ref is and judges it.

        A default branch its own policy does not protect takes any push, a
        weakened policy included: it cannot vouch for a new ref.
        """
        policy = self.at(self.default_tip)
        if policy is not None and not self.explicit and self.head and not policy.protected.matches(self.head):
            raise PolicyError(
                f'the default branch {short(self.head)} is not protected by its own policy, so anyone '
                f'can change the policy that would judge the new ref {visible(ref)}; add {short(self.head)} to '
                f'protected (or configure the hook with --policy PATH)',
            )
        return policy

    def judge_for(self, update: Update) -> Policy:
        """The ref's old value's policy; for a new ref, the default branch's."""
        new_ref = git.is_null_oid(update.old)
        base = self.default_tip if new_ref else update.old
        policy = self.trusted_default(update.ref) if new_ref else self.at(base)
        if policy is not None:
            return policy
        if base is None and not self.refs.entries:
            raise PolicyError(
                f'the repository is empty, so no .trailgate/policy.yaml can judge the update of '
                f'{visible(update.ref)}: push the branch that holds the policy before installing the hook '
                f'(in a clone, {policies.NO_POLICY_HINT}), '
                f'or install it with a policy file kept on the server (trailgate install --policy PATH)',
            )
        if base is None:
            raise PolicyError(
                f'{self._no_default_branch()}, so no .trailgate/policy.yaml can judge the update of '
                f'{visible(update.ref)}: point HEAD at the branch that holds the policy (git symbolic-ref '
                f'{self.refs.prefix}HEAD {self.refs.prefix}refs/heads/<branch>), push a policy to the default '
                f'branch first, or configure the hook with --policy PATH',
            )
        unjudged = f'the base {base[:12]} has no .trailgate/policy.yaml, so the update of {visible(update.ref)} ' \
            'cannot be judged'
        if new_ref:
            raise PolicyError(f'{unjudged}; push a policy to the default branch first (in a clone, '
                              f'{policies.NO_POLICY_HINT}), or configure the hook with --policy PATH')
        raise PolicyError(
            f"{unjudged}: a ref is judged by the policy its current value holds, never by another branch's; "
            f'a server administrator can set the ref to a commit that holds the policy (git update-ref), '
            f'or configure the hook with --policy PATH',
        )

    def _no_default_branch(self) -> str:
        if self.head is None:
            return 'HEAD names no default branch'
        return f'the default branch {short(self.head)} does not exist (HEAD names it)'

    def landing(self, policy: Policy, tips: list[str]) -> Policy:
        """``policy`` judging an update to ``tips``, with the signer files their
        policies name (``policies.landing``); a policy file kept on the server
        names its signers there, and is read as it is."""
        if self.explicit:
            return policy
        return policies.landing(policy, self.cat, tips, self.repo.git_dir)

    def is_protected(self, update: Update) -> bool:
        """Protected by the default branch's policy or by the ref's own old one.

        Either may name the ref: the stricter answer wins, so an old branch
        whose policy predates the key cannot declare itself unprotected.
        """
        if git.is_null_oid(update.old):
            found = [self.trusted_default(update.ref)]
        else:
            found = [self.at(self.default_tip), self.at(update.old)]
        policies_found = [policy for policy in found if policy is not None]
        if not policies_found:
            self.judge_for(update)  # raises: nothing can say what this ref is
        names = self.refs.names_of(update.ref)
        if any(policy.protected.matches(name) for policy in policies_found for name in names):
            return True
        # a protected branch named literally may be a symbolic ref to the ref this push creates
        return git.is_null_oid(update.old) and any(
            self.refs.missing_target(name) == update.ref
            for policy in policies_found for name in policy.protected.literal_refs()
        )


def _not_commits(guarded: list[Update]) -> str | None:
    """Why an update of a protected ref is refused for pointing it at an
    object that is not a commit (nor a tag of one): a tree or a blob holds
    files but no commit, and git log reads none in it, so its content would
    land judged by nothing. A current value that is not a commit has no
    history to judge from either, and a policy file in it is no committed
    policy: PolicyError."""
    values = {u.new for u in guarded} | {u.old for u in guarded if not git.is_null_oid(u.old)}
    others = set(git.missing_commits(sorted(values)))
    for update in guarded:
        if update.new in others:
            return not_a_commit(update.ref, update.new)
    for update in guarded:
        if update.old in others:
            raise PolicyError(
                f'{visible(update.ref)} is protected, and its current value {update.old[:12]} is not a commit '
                f'(nor a tag of one), so no committed policy can judge its update; a server administrator '
                f'can set the ref to a commit (git update-ref) or delete it, so that it is pushed again as a new ref',
            )
    return None


def _policy_rollback(update: Update, judges: _Judges) -> str | None:
    """Why an update of a protected ref is refused for taking it back to an
    older policy (``rollback``); with an explicit policy file, nothing is."""
    if judges.explicit or git.is_null_oid(update.old):
        return None
    policy = judges.landing(judges.judge_for(update), [update.new])
    return policy_rollback(update.ref, update.old, update.new, policy, judges.cat)


def _new_ref_policy(update: Update, judges: _Judges) -> str | None:
    """Why a new protected ref is refused for the policy it would hold
    (``new_ref_policy``), said beside its judged commits; with an explicit
    policy file, nothing is."""
    if judges.explicit or not git.is_null_oid(update.old) or judges.head is None or judges.default_tip is None:
        return None  # a new ref no policy can judge is said where it is judged
    policy = judges.landing(judges.judge_for(update), [update.new])
    return new_ref_policy(update.ref, judges.head, judges.default_tip, update.new, policy, judges.cat)


def _on_protected(policy: Policy, refs: dict[str, str]) -> list[str]:
    return sorted({sha for ref, sha in refs.items() if policy.protected.matches(ref)})


def _batches(guarded: list[Update], judges: _Judges, refs: dict[str, str]) -> list[Batch]:
    """What each update of a protected ref adds to it: an existing ref's
    range of its own; the new refs one judge judges, together (every commit
    on none of its protected refs), so a push of many refs is one ``git log``
    per range, never one per ref."""
    batches = []
    new_tips: dict[int, tuple[Policy, list[str]]] = {}
    for update in guarded:
        policy = judges.judge_for(update)
        if git.is_null_oid(update.old):
            new_tips.setdefault(id(policy), (policy, []))[1].append(update.new)
        else:
            batches.append(Batch(judges.landing(policy, [update.new]), (update.new, f'^{update.old}')))
    batches += [Batch(judges.landing(policy, tips), (*tips, '--not', *_on_protected(policy, refs)))
                for policy, tips in new_tips.values()]
    return batches


def _reminder(updates: list[Update], judges: _Judges, refs: dict[str, str], repo: git.Repo,
              ledger_tip: str | None) -> str | None:
    """One line for the pusher: how many commits pushed to unprotected refs
    will need review before they land on a protected one."""
    policy = judges.at(judges.default_tip) or next(
        (p for p in (judges.at(u.old) for u in updates if not git.is_null_oid(u.old)) if p), None,
    )
    if policy is None or not updates:
        return None
    batch = Batch(policy, (*(u.new for u in updates), '--not', *_on_protected(policy, refs)))
    needing = {a.commit.sha for a in judge([batch], repo, every_signal=False, ledger_tip=ledger_tip) if a.refused}
    if not needing:
        return None
    count = len(needing)
    return (
        f'trailgate pre-receive: reminder: {count} pushed commit{"s" if count != 1 else ""} '
        f'will need review before {"they land" if count != 1 else "it lands"} on a protected '
        f'branch ({policy.protected});'
    )


def _ledger_update(updates: list[Update], git_dir: str, refs: ServerRefs) -> tuple[str | None, str | None]:
    """(the approvals ledger to judge with, why its update is refused).

    The ledger is append-only: deleting it, replacing it with a history that
    does not contain the old one, or a new tip whose tree drops or changes a
    record the old tip held would lose approvals, so each is refused; and
    since what is appended stays, so is an update that adds anything but
    well-formed records (``approvals.intake``). An update in this push is
    what the push is judged with.
    """
    from trailgate.approvals import intake
    from trailgate.approvals import ledger

    current = refs.commit_at(ledger.REF)
    for old, new, ref in updates:
        if ref != ledger.REF:
            continue
        if git.is_null_oid(new):
            return current, f'{ledger.REF} is append-only: it cannot be deleted'
        if not git.is_null_oid(old) and not git.is_ancestor(old, new):
            return current, (
                f'{ledger.REF} is append-only: this update does not contain its current history '
                f'(fetch it, and let `trailgate approve --push` merge)'
            )
        if git.ref_exists(new) != new:
            return current, f'{ledger.REF} must point to a commit'
        if not git.is_null_oid(old):
            dropped = git.entries_dropped(old, new)
            if dropped:
                return current, (
                    f'{ledger.REF} is append-only: this update drops or changes {len(dropped)} '
                    f'record(s) it holds (e.g. {intake.shown(dropped[0].path)})'
                )
        problem = _intake_problem(new, None if git.is_null_oid(old) else old, git_dir)
        return (current, problem) if problem else (new, None)
    return current, None


def _intake_problem(new: str, old: str | None, git_dir: str) -> str | None:
    """Why the records this ledger update adds are refused, if they are; the
    signatures verified on the way are kept for the gate that reads them."""
    from trailgate.approvals import intake
    from trailgate.approvals import ledger
    from trailgate.approvals.cache import Cache

    with git.CatFile() as cat:
        found = intake.admit(new, old, cat)
    if found.too_much is not None:
        return f'{ledger.REF}: {found.too_much}'
    if found.refusals:
        count = len(found.refusals)
        return (
            f'{ledger.REF}: this update adds {count} entr{"y" if count == 1 else "ies"} that '
            f'{"is" if count == 1 else "are"} not a well-formed approval record, and the ledger keeps '
            f'whatever it is given; records are written by `trailgate approve` (first: {found.refusals[0]})'
        )
    if found.verified:
        cache = Cache(git_dir)
        for oid, record in found.verified.items():
            cache.set_record(oid, *record)
        cache.write()
    return None


def _case_alias(updates: list[Update], refs: ServerRefs) -> str | None:
    """Why an update is refused for a name that differs only in case from
    another ref's, where the filesystem ignores case (core.ignoreCase): there
    ``refs/heads/Main`` is stored in ``refs/heads/main``'s file, and an update
    of it would move the protected branch, or the approvals ledger, under a
    name no pattern guards. Such a filesystem (macOS's) also takes a
    composed and a decomposed accent for one name."""
    import unicodedata

    from trailgate.approvals import ledger

    def folded(ref: str) -> str:
        return unicodedata.normalize('NFC', ref).casefold()

    if not updates or not git.ignores_case():
        return None
    known: dict[str, str] = {}
    for ref in (ledger.REF, *refs.entries):
        known.setdefault(folded(ref), ref)
    for update in updates:
        other = known.setdefault(folded(update.ref), update.ref)
        if other != update.ref:
            pushed, existing = visible(short(update.ref)), visible(short(other))
            return (
                f'{pushed} differs only in case from {existing}, and this repository\'s '
                f'filesystem ignores case (core.ignoreCase): push to {existing} itself, or pick another name'
            )
    return None


def _alias(updates: list[Update]) -> str | None:
    """Why an update of a ref named ``refs/tags/refs/...`` (or ``heads/``,
    ``remotes/``, ``refs/refs/``) is refused: where the ref its name ends
    with does not exist, git reads this one in its place. A tag named
    ``refs/trailgate/approvals`` would reach CI's fetch of the approvals
    ledger without the intake judging it; one named after a missing default
    branch would choose the policy that judges new refs."""
    for update in updates:
        if git.is_null_oid(update.new):
            continue
        for prefix in git.DWIM_PREFIXES:
            rest = update.ref[len(prefix):]
            if not (update.ref.casefold().startswith(prefix) and rest.casefold().startswith('refs/')):
                continue
            if (update.ref.startswith(prefix) and rest.startswith('refs/')) or git.ignores_case():
                return (f'{visible(update.ref)} is a name git reads as {visible(rest)} where that ref is '
                        f'missing; pick another name')
    return None


def _twice(updates: list[Update]) -> str | None:
    """Why a push that updates one ref twice, to two different values, is
    refused: git's own client never sends one, but receive-pack applies such
    updates one after the other (outside an atomic push), so the second
    would move the ref from a value no update before it judged. A push to a
    symbolic ref and to its target at once names the same update twice."""
    seen: dict[str, Update] = {}
    for update in updates:
        if seen.setdefault(update.ref, update) != update:
            return f'this push updates {visible(update.ref)} twice; push one update of each ref'
    return None


def _beside_ledger(updates: list[Update]) -> str | None:
    """Why an update that creates a ref inside the approvals ledger's name
    (``refs/trailgate/approvals/x``) is refused: git keeps no ref whose name
    another ref's continues, so while it stood, no approval could ever
    create the ledger. Where the filesystem ignores case, in any case."""
    for update in updates:
        if git.is_null_oid(update.new) or not update.ref.casefold().startswith(f'{APPROVALS_REF}/'):
            continue
        if update.ref.startswith(f'{APPROVALS_REF}/') or git.ignores_case():
            return (f'{visible(update.ref)} would keep {APPROVALS_REF} from being created (git keeps no ref '
                    f'inside the name of another); pick another name')
    return None


def _other_namespace(updates: list[Update]) -> str | None:
    """Why an update of a ref under ``refs/namespaces/`` is refused: it is a
    ref of another namespace (git-namespaces(7)), whose own pushes are judged
    by its own policy; written from here, its protected branch or its
    approvals ledger would move under a name this policy does not guard."""
    for update in updates:
        if update.ref.startswith(NAMESPACES) or (update.ref.casefold().startswith(NAMESPACES) and git.ignores_case()):
            return (f'{visible(update.ref)} is a ref of another namespace; push to that namespace itself '
                    f'(GIT_NAMESPACE), where its own policy judges the push')
    return None


REPLACE_REFS = 'refs/replace/'


def _replacement(updates: list[Update]) -> str | None:
    """Why an update that creates or moves a replace ref is refused: git
    shows the object it names in place of the one its name says, to every
    reader of this repository that does not ignore replace refs (a deploy
    hook that checks out main, ``git archive``, a mirror). It would change
    what a protected branch holds without moving the branch, where no gate
    looks (trailgate reads history with replace refs ignored). Deleting one
    restores what was committed, and passes. Where the filesystem ignores
    case (core.ignoreCase), ``refs/REPLACE/<id>`` is stored in the directory
    git reads replace refs from, and is one too."""
    for update in updates:
        if git.is_null_oid(update.new):
            continue
        if update.ref.startswith(REPLACE_REFS) or (
                update.ref.casefold().startswith(REPLACE_REFS) and git.ignores_case()):
            return (
                f'{visible(update.ref)} would make git show another object in place of the one it names, '
                f'to everyone who reads this repository; replace refs are not accepted'
            )
    return None


# the report's policy source when the push is refused before its commits are judged
NOT_READ = 'none: the update is refused before its commits are judged'


def pre_receive(policy_option: str | None, out: Output) -> int:
    from trailgate.approvals import ledger

    repo = git.repo()
    server_refs = ServerRefs(repo.git_dir, os.environ.get('GIT_NAMESPACE', ''))
    received = _updates(git.read_hook_input(), server_refs)
    refused_refs = (_twice(received) or _other_namespace(received) or _case_alias(received, server_refs)
                    or _replacement(received) or _alias(received) or _beside_ledger(received))
    if refused_refs:
        out.refuse('pre-receive', (refused_refs,), NOT_READ, stream='stderr')
        return 1
    ledger_tip, ledger_problem = _ledger_update(received, repo.git_dir, server_refs)
    if ledger_problem:
        out.refuse('pre-receive', (ledger_problem,), NOT_READ, stream='stderr')
        return 1
    updates = [u for u in received if not git.is_null_oid(u.new) and u.ref != ledger.REF]
    with git.CatFile() as cat:
        judges = _Judges(policies.explicit_path(policy_option), repo, cat, server_refs)
        guarded = [u for u in updates if judges.is_protected(u)]
        rollback = _not_commits(guarded) or next(
            filter(None, (_policy_rollback(update, judges) for update in guarded)), None)
        if rollback:
            out.refuse('pre-receive', (rollback,), NOT_READ, stream='stderr')
            return 1
        created = tuple(filter(None, (_new_ref_policy(update, judges) for update in guarded)))
        elsewhere = [u for u in updates if u not in guarded]
        # the ledger's commits are judged as the ledger, never as commits: a pattern that names it exempts none
        refs = {ref: sha for ref, sha in server_refs.values().items() if ref != ledger.REF}
        batches = _batches(guarded, judges, refs)
        reminder = _reminder(elsewhere, judges, refs, repo, ledger_tip) if not out.quiet else None
    judged = unique(judge(batches, repo, out.keeps_passing, ledger_tip=ledger_tip))
    summary = out.stream('pre-receive', judged, policy_sources(batches), stream='stderr', when_empty=False,
                         refusals=lambda: created)
    if reminder:
        print(f'{reminder} {reminder_status(summary.refuses)}', file=sys.stderr)
    return 1 if summary.refuses else 0
