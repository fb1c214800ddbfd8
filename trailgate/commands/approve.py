"""``trailgate approve [RANGE...]``: a reviewer signs the changes that need
their approval, and records the signatures in the approvals ledger (or
prints them as trailers)."""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import NamedTuple

import click

from trailgate import git
from trailgate import policies
from trailgate import targets
from trailgate.approvals import ledger
from trailgate.approvals import records
from trailgate.approvals import signing
from trailgate.display import visible
from trailgate.errors import EXIT_OK
from trailgate.errors import EXIT_REFUSED
from trailgate.errors import GitError
from trailgate.errors import UsageError
from trailgate.evaluate import Assessment
from trailgate.evaluate import needs_signed_approvals
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.model import POLICY_OWNERS_RULE
from trailgate.model import fold_email
from trailgate.policy import Policy
from trailgate.requirements import SIGNED_KINDS

if TYPE_CHECKING:
    from trailgate.approvals.changeid import FileStat


def _protected_target(explicit: str | None, repo: git.Repo) -> str | None:
    """The local ref holding the protected branch the current branch will land
    on (issue 9's ``protected``), when it is not the current branch itself."""
    branch = git.symbolic_ref('HEAD')
    target = targets.protected_target(policies.from_worktree(repo, explicit), branch)
    if target is None or target.local is None or target.local == branch:
        return None
    return target.local


def _default_range(explicit: str | None, repo: git.Repo) -> tuple[str, ...]:
    """What the current branch adds over its protected target; without one
    that this clone knows, over the remote's default branch (never over the
    current branch itself, which adds nothing over itself). The range
    excludes the target's tip, as ``check --base`` does: its policy, not
    the one at the fork point, says what needs approving."""
    current = git.symbolic_ref('HEAD')
    for candidate in (_protected_target(explicit, repo), git.symbolic_ref('refs/remotes/origin/HEAD'),
                      'refs/remotes/origin/main', 'refs/heads/main', 'refs/heads/master'):
        tip = git.exact_ref(candidate) if candidate and candidate != current else None
        if tip and git.merge_base(tip, 'HEAD'):
            return (f'{tip}..HEAD',)
    raise UsageError('no protected target to compare with: give the range to approve, e.g. origin/main..HEAD')


def _policy(revisions: list[str], explicit: str | None, repo: git.Repo) -> Policy:
    if explicit:
        return policies.from_file(explicit, repo)
    with git.CatFile() as cat:
        for rev in revisions:
            if rev.startswith('^'):
                found = policies.at_revision(cat, rev[1:], repo.git_dir)
                if found is not None:
                    return found
    return policies.from_worktree(repo, None)


def _reviewer(policy: Policy, blob: bytes) -> str:
    """The principal the allowed-signers file lets this key approve as, now,
    in trailgate's namespace (the one matching ``user.email`` first); a
    key whose every line would make its approvals count for nothing is
    refused before anything is signed, with the reason."""
    import time

    lines = policy.signers.lines_for_key(blob) if policy.signers is not None else ()
    if not lines:
        raise UsageError(
            f'your key is not in the allowed-signers file {policy.signers_path}: '
            f'ask a policy owner to add it (trailgate signers add EMAIL KEY.pub)',
        )
    email = git.run_ok('config', '--get', 'user.email')
    wanted = fold_email(git.decode(email).strip()) if email else ''
    now = time.time()
    usable: list[str] = []
    problems: list[str] = []
    for principal in (p for line in lines for p in line.principals):
        problem = policy.signers.judge(blob, principal, records.NAMESPACE, now)
        if problem is None and not records.is_reviewer_email(principal):
            problem = f'{principal!r} is not a plain email, so no approval can name it'
        if problem is None:
            usable.append(principal)
        elif problem not in problems:
            problems.append(problem)
    if not usable:
        raise UsageError(f'your key cannot approve: {"; ".join(visible(p) for p in problems)}')
    for principal in usable:
        if fold_email(principal) == wanted:
            return principal
    return usable[0]


def _patches(chosen: list[Assessment]) -> list[tuple[bytes, bool]]:
    """The canonical patch of each chosen commit, from which its change id was
    computed (for a merge: its own change, what it adds to git's merge of its
    parents), from one ``git log`` and one ``git diff-tree`` for the range.
    A patch whose id is not the one to be signed is never shown."""
    from trailgate.approvals.attach import change_requests
    from trailgate.approvals.changeid import change_id

    shas = [assessment.commit.sha for assessment in chosen]
    raws = {raw.sha: raw for raw in git.log((), [sha for sha in shas if sha])}
    requests, merge_results = change_requests([raws[sha] for sha in shas if sha])
    patches = list(git.change_patches(requests))
    for assessment, patch in zip(chosen, patches, strict=True):
        if change_id(patch) != assessment.commit.change_id:
            raise GitError(f'the change of {assessment.commit.short_sha} read twice gave two different ids')
    return list(zip(patches, merge_results, strict=True))


_KINDS = {'100644': 'file', '100755': 'executable file', '120000': 'symlink', '160000': 'submodule'}


def _kind(mode: str) -> str:
    return _KINDS.get(mode, f'mode {mode}')


def _what(file: FileStat) -> str:
    """What a file's lines do not say: that it is new or deleted, a mode
    change, a symlink (and where it points) or a submodule (and its commit),
    which a line count shows as an ordinary file's ``+1``, ``-1`` or
    ``+0 -0``."""
    target = f' -> {visible(file.target.removeprefix("Subproject "))}' if file.target else ''
    if not file.old_mode:
        return f', new {_kind(file.new_mode)}{target}'
    if not file.new_mode:
        return f', deleted {_kind(file.old_mode)}'
    if file.old_mode != file.new_mode:
        return f', {_kind(file.old_mode)} -> {_kind(file.new_mode)} ({file.old_mode} -> {file.new_mode}){target}'
    return f', {_kind(file.new_mode)}{target}' if file.new_mode != '100644' else ''


def _unseen(file: FileStat) -> str:
    """Characters of the added lines that git show, an editor or a pull
    request's page do not show as what they are: what they are."""
    if not file.unseen:
        return ''
    chars = ' '.join(visible(char) for char in file.unseen[:8]) + (' ...' if len(file.unseen) > 8 else '')
    return f'; its added lines hold characters that are not shown as what they are: {chars}'


Hidden = Callable[[Iterable[str]], dict[str, list[str]]]
_HIDING = ('diff', 'linguist-generated')


def _drivers() -> set[str]:
    """The diff drivers this user's git configuration gives a textconv, a
    command or ``binary``: a ``diff=NAME`` attribute makes git show their output."""
    out = git.run_ok('config', '-z', '--get-regexp', r'^diff\..+\.(textconv|command|binary)$')
    found = set()
    for entry in git.decode(out or b'').split('\0'):
        key, _, value = entry.partition('\n')
        name, _, setting = key[len('diff.'):].rpartition('.')
        if name and (setting != 'binary' or value.lower() in ('true', 'yes', 'on', '1', '')):
            found.add(name)
    return found


def _ignored_submodules(source: tuple[str, ...]) -> set[str]:
    """The paths of the submodules a ``.gitmodules`` (``--file F`` or
    ``--blob B``) marks ``ignore = all``: git diff, git show and git log -p
    leave out every change of their commit."""
    out = git.run_ok('config', '-z', *source, '--get-regexp', r'^submodule\..+\.(path|ignore)$')
    paths: dict[str, str] = {}
    ignored: set[str] = set()
    for entry in git.decode(out or b'').split('\0'):
        key, _, value = entry.partition('\n')
        name, _, setting = key.rpartition('.')
        if setting == 'path':
            paths[name] = value
        elif setting == 'ignore' and value.lower() == 'all':
            ignored.add(name)
    return {paths[name] for name in ignored if name in paths}


@contextlib.contextmanager
def _hidden_elsewhere(revisions: list[str], repo: git.Repo) -> Iterator[Hidden]:
    """For paths, why the views a reviewer reads a change in (``git diff``,
    ``git show``, a pull request's page) leave out their lines: what the
    ``.gitattributes`` and ``.gitmodules`` of the work tree and of the tips
    being approved say, which an author writes. approve shows the change as
    trailgate hashes it, whatever they say; this says where the reviewer may
    have seen less."""
    import tempfile

    drivers = _drivers()
    with contextlib.ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix='trailgate-approve-'))
        views = []
        ignored: set[str] = set()
        if repo.toplevel is not None:
            views.append(git.Attributes(None, None, repo.toplevel, _HIDING))
            stack.callback(views[-1].close)
            if os.path.isfile(modules := os.path.join(repo.toplevel, '.gitmodules')):
                ignored |= _ignored_submodules(('--file', modules))
        for number, tip in enumerate(dict.fromkeys(rev for rev in revisions if not rev.startswith('^'))):
            ignored |= _ignored_submodules(('--blob', f'{tip}:.gitmodules'))
            files = git.attribute_files(tip)
            if files:
                os.mkdir(directory := os.path.join(scratch, str(number)))
                views.append(git.Attributes(files, directory, repo.toplevel, _HIDING))
                stack.callback(views[-1].close)

        def hidden(paths: Iterable[str]) -> dict[str, list[str]]:
            paths = list(paths)
            found: dict[str, list[str]] = {}
            for view in views:
                for path, (diff, generated) in view.values(paths).items():
                    reasons = found.setdefault(path, [])
                    if diff == 'unset':
                        reasons.append('.gitattributes -diff (git diff and git show print "Binary files differ")')
                    elif diff in drivers:
                        reasons.append(f'.gitattributes diff={diff} (git diff and git show print what your '
                                       f'diff.{diff} makes of it)')
                    if generated in ('set', 'true'):
                        reasons.append('.gitattributes linguist-generated (GitHub and GitLab collapse its diff)')
            for path in ignored.intersection(paths):
                found.setdefault(path, []).append(
                    '.gitmodules ignore = all (git diff, git show and git log -p leave its commit out)')
            return {path: list(dict.fromkeys(reasons)) for path, reasons in found.items() if reasons}

        yield hidden


def _stat(patch: bytes, hidden: Hidden) -> tuple[list[str], list[str]]:
    """The stat's lines, and those of them that say more than a line count
    and whether the file is new or deleted."""
    from trailgate.approvals.changeid import stat

    files = stat(patch)
    elsewhere = hidden(file.name for file in files if not file.binary)
    lines = []
    notable = []
    for file in files:
        counts = 'binary' if file.binary else f'+{file.added} -{file.removed}'
        hiding = f'; hidden elsewhere by {", ".join(elsewhere[file.name])}' \
            if file.name in elsewhere else ''
        spacing = f'; {file.spacing} added line(s) differ from removed ones in whitespace alone ' \
            '(git diff -w and "hide whitespace" leave them out)' if file.spacing else ''
        wide = f'; its longest added line is {file.widest} characters (a view that does not wrap shows its start)' \
            if file.widest > WIDE_LINE else ''
        what = _what(file)
        lines.append(f'{visible(file.path)} | {counts}{what}{_unseen(file)}{spacing}{wide}{hiding}')
        if what not in ('', ', new file', ', deleted file') or file.unseen or spacing or wide or hiding:
            notable.append(lines[-1])
    added, removed = sum(file.added for file in files), sum(file.removed for file in files)
    lines.append(f'{len(files)} file{"s" if len(files) != 1 else ""} changed, {added} insertion'
                 f'{"s" if added != 1 else ""}(+), {removed} deletion{"s" if removed != 1 else ""}(-)')
    return lines, notable


WIDE_LINE = 200  # characters: more than a side-by-side diff, or a terminal, shows on one line
LONG_LISTING = 40  # lines: more than a terminal shows next to the question
NOTABLE_REPEATED = 20
MERGE_RESULT_NOTE = " (the merge's own change: what it adds to git's merge of its parents)"
MERGE_NOTE = ' (a merge git cannot redo: its whole diff against its first parent)'


def _describe(assessment: Assessment, patch: bytes, merge_result: bool, alike: list[Assessment],
              hidden: Hidden) -> tuple[list[str], list[str]]:
    """The lines that show what an approval of ``assessment``'s change
    approves, and those of them a reviewer must not miss in a long listing.

    ``alike``: the other commits of the range with the same change id, which
    the one approval approves too (the same lines, maybe at other places in
    the same files: the id hashes no line numbers)."""
    commit = assessment.commit
    paths = sorted({path for result in assessment.results if result.applies for path in result.paths})
    more = f', ... ({len(paths)} in all)' if len(paths) > 10 else ''
    lines = [
        f'{commit.short_sha} {visible(commit.subject)}',
        f'  change {commit.change_id}{MERGE_RESULT_NOTE if merge_result else MERGE_NOTE if commit.is_merge else ""}',
        f'  author {visible(str(commit.author))}',
        f'  protected paths: {visible(", ".join(paths[:10]))}{more}',
    ]
    stat, notable = _stat(patch, hidden)
    lines.extend(f'   {line}' for line in stat)
    also = [f'also approves {other.commit.short_sha} {visible(other.commit.subject)}: the same change id '
            f'(the same lines, maybe at other places in the same files)' for other in alike]
    lines.extend(f'  {line}' for line in also)
    return lines, [f'{commit.short_sha} {line}' for line in (*notable, *also)]


def _groups_asking(policy: Policy, assessment: Assessment) -> list[str]:
    """The groups whose signed approvals the commit needs."""
    rules = {rule.id: rule for rule in policy.rules}
    groups = set()
    for result in assessment.results:
        if not result.applies or not any(check.kind in SIGNED_KINDS for check in result.checks):
            continue
        rule = rules.get(result.rule)
        if result.rule == POLICY_OWNERS_RULE and policy.policy_owners is not None:
            groups.add(policy.policy_owners)
        elif rule is not None and rule.require.reviews is not None:
            groups.add(rule.require.reviews.group)
    return sorted(groups)


def _not_counting(policy: Policy, chosen: list[Assessment], reviewer: str) -> list[str]:
    """A note for each change the reviewer's approval will not count for:
    they are in none of the groups whose approvals it needs."""
    notes = []
    for assessment in chosen:
        groups = _groups_asking(policy, assessment)
        if groups and not any(policy.in_group(reviewer, group) for group in groups):
            names = ', '.join(repr(group) for group in groups)
            notes.append(
                f'note: your approval of {assessment.commit.short_sha} will not count: it needs approvals '
                f'from group {names}, and you ({visible(reviewer)}) are not a member',
            )
    return notes


class Selection(NamedTuple):
    chosen: list[Assessment]  # one per change id, to sign
    own: list[str]  # commits the reviewer authored: never approved, with the reason
    done: list[str]  # commits the reviewer has approved already
    alike: dict[str, list[Assessment]]  # by change id: the further commits its approval approves


def _approved_as(policy: Policy, assessment: Assessment, reviewer: str, person: frozenset[str]) -> str | None:
    """The email under which the reviewer's person already approved the
    change, when one more approval from them would count for nothing: a
    person counts once per group, so it could only count for a group whose
    member ``reviewer`` is and none of their approvals' emails is."""
    mine = [approval for approval in assessment.commit.approvals if approval.problem is None and (
        fold_email(approval.reviewer) == fold_email(reviewer) or approval.person in person)]
    for group in _groups_asking(policy, assessment):
        if policy.in_group(reviewer, group) and not any(policy.in_group(a.reviewer, group) for a in mine):
            return None
    return mine[0].reviewer if mine else None


def _to_approve(policy: Policy, assessments: Iterable[Assessment], reviewer: str,
                person: frozenset[str]) -> Selection:
    """``person``: every email the allowed-signers file ties to the reviewer's key."""
    selection = Selection([], [], [], {})
    for assessment in assessments:
        commit = assessment.commit
        if not needs_signed_approvals(assessment) or commit.change_id is None or not commit.own_change:
            continue
        author = fold_email(commit.author.email)
        if author == fold_email(reviewer) or author in person:
            you = f'you ({reviewer}) are its author' if author == fold_email(reviewer) else (
                f'the allowed-signers file ties your key to its author ({visible(commit.author.email)})'
            )
            selection.own.append(
                f'not approving {commit.short_sha} {visible(commit.subject)}: {you}, '
                f'and an author never approves their own change',
            )
        elif (approved_as := _approved_as(policy, assessment, reviewer, person)) is not None:
            as_email = '' if fold_email(approved_as) == fold_email(reviewer) else f' (as {visible(approved_as)})'
            selection.done.append(f'already approved by you{as_email}: {commit.short_sha} {visible(commit.subject)}')
        elif commit.change_id in selection.alike:
            selection.alike[commit.change_id].append(assessment)
        else:
            selection.alike[commit.change_id] = []
            selection.chosen.append(assessment)
    return selection


def approve(ranges: tuple[str, ...], key_option: str | None, push: str | None, trailer: bool, yes: bool,
            policy_option: str | None) -> int:
    from trailgate.commands.check import one_expression
    from trailgate.commands.check import revision_arguments

    repo = git.repo()
    ranges = ranges or _default_range(policies.explicit_path(policy_option), repo)
    revisions = revision_arguments(ranges, repo)
    policy = _policy(revisions, policies.explicit_path(policy_option), repo)
    if policy.signers is None:
        raise UsageError('the policy names no signers file, so there is nothing to sign: see `signers:` in README')
    key = signing.resolve(key_option, repo.toplevel)
    blob = key.blob()
    reviewer = _reviewer(policy, blob)
    # the changes `check` with the same ranges asks approvals for: each range's commits
    batch = Batch(policy, tuple(revisions)) if one_expression(ranges) else \
        Batch(policy, (), exact=tuple(git.commits_of_each(ranges)))
    assessments = list(judge([batch], repo))
    chosen, own, done, alike = _to_approve(policy, assessments, reviewer, policy.signers.person(blob))
    # with --trailer, stdout is for the trailer lines alone
    for line in (*own, *done):
        click.echo(line, err=trailer)
    if not chosen:
        click.echo('nothing to approve in this range', err=trailer)
        if push and not trailer and ledger.tip() is not None:
            _push(push)  # what an earlier `approve` recorded is still to be pushed
        return EXIT_REFUSED if own else EXIT_OK
    click.echo(f'approving as {reviewer} ({policy.signers_path}) each change whole, every file of its stat, '
               f'protected or not:', err=trailer)
    shown = 0
    notable: list[str] = []
    with _hidden_elsewhere(revisions, repo) as hidden:
        for assessment, (patch, merge_result) in zip(chosen, _patches(chosen), strict=True):
            lines, notes = _describe(assessment, patch, merge_result, alike[assessment.commit.change_id or ''],
                                     hidden)
            click.echo('\n'.join(lines), err=trailer)
            shown += len(lines)
            notable += notes
    if shown > LONG_LISTING and notable:
        # what a terminal has scrolled away, said again next to the question
        click.echo(f'of the {shown} lines above, these say more than a line count:', err=trailer)
        for line in notable[:NOTABLE_REPEATED]:
            click.echo(f'  {line}', err=trailer)
        if len(notable) > NOTABLE_REPEATED:
            click.echo(f'  ... and {len(notable) - NOTABLE_REPEATED} more above', err=trailer)
    for note in _not_counting(policy, chosen, reviewer):
        click.echo(note, err=True)
    on_terminal = sys.stdin is not None and sys.stdin.isatty()  # None: stdin closed
    if not yes and on_terminal and not click.confirm(f'Sign {len(chosen)} approval(s)?', err=trailer):
        click.echo('nothing signed', err=trailer)
        return EXIT_REFUSED
    changes = [assessment.commit.change_id for assessment in chosen]
    signed = signing.sign_many(key, blob, [change for change in changes if change is not None], reviewer)
    if trailer:
        for record in signed:
            click.echo(f'{records.TRAILER}: {records.to_trailer_value(record)}')
        return EXIT_OK
    shas = ', '.join(a.commit.short_sha for a in chosen)
    ledger.append(signed, f'Approve {shas}\n\nReviewer: {reviewer}\n')
    click.echo(f'recorded {len(signed)} approval(s) in {ledger.REF}')
    if push:
        _push(push)
    return EXIT_OK


def _push(remote: str) -> None:
    pushed = ledger.push(remote)
    click.echo(f'pushed {ledger.REF} ({pushed[:12]}) to {remote}')
