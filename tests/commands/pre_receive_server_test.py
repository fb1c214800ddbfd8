"""pre-receive as real servers run it: symbolic refs, GIT_NAMESPACE, push
options, atomic and many-ref pushes.

receive-pack tells the hook the name a push was made to; what it moves may
be another ref (a symbolic ref's target), and where it stores it may be
``refs/namespaces/<ns>/`` (git-namespaces(7)), which the plain git commands
the hook runs do not apply. Every push is ``--no-verify``: only the server
decides.
"""
from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from testing.approvals import LEDGER
from testing.approvals import SIGNERS_PATH
from testing.approvals import change_of
from testing.approvals import entry
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.approvals import write_ledger
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import EMPTY_POLICY
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import Setup
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import ref_values
from testing.scenarios import unreviewed
from testing.scenarios import write_hooks
from testing.sshkeys import make_key
from testing.util import init_repo
from tests.commands.pre_receive_test import HOOK
from tests.commands.pre_receive_test import accepted
from tests.commands.pre_receive_test import good
from tests.commands.pre_receive_test import push
from tests.commands.pre_receive_test import refused
from tests.hooks_test import SOURCE
from tests.hooks_test import WITH_TRAILGATE
from trailgate.refs import namespace_prefix

# -- symbolic refs -------------------------------------------------------------


def test_a_push_to_a_symbolic_ref_and_its_target_at_once_is_judged(setup: Setup) -> None:
    repo, origin = setup
    origin.git('symbolic-ref', 'refs/heads/master', 'refs/heads/main')
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/master', 'HEAD:main'), wrong[:10], RULE)
    assert ref_values(origin) == before


def test_a_symbolic_ref_to_a_missing_protected_branch_creates_it_judged(setup: Setup) -> None:
    """git moves (creates) the target of a symbolic ref pushed to, even where it does not exist yet."""
    repo, origin = setup
    origin.git('symbolic-ref', 'refs/heads/next', 'refs/heads/release/9')
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/next'), wrong[:10], RULE)
    assert 'refs/heads/release/9' not in ref_values(origin)


def test_a_symbolic_ref_that_resolves_to_nothing_is_an_error(setup: Setup) -> None:
    repo, origin = setup
    origin.git('symbolic-ref', 'refs/heads/loop-a', 'refs/heads/loop-b')
    origin.git('symbolic-ref', 'refs/heads/loop-b', 'refs/heads/loop-a')
    unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/loop-a'), 'loop-a', status=2)


def test_a_protected_name_that_is_a_symbolic_ref_guards_the_ref_it_reads(setup: Setup) -> None:
    """main is an alias of trunk on the server: a push to trunk moves what main reads."""
    repo, origin = setup
    origin.git('update-ref', 'refs/heads/trunk', 'refs/heads/main')
    origin.git('symbolic-ref', 'refs/heads/main', 'refs/heads/trunk')
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/trunk'), wrong[:10], RULE)
    assert ref_values(origin) == before
    good(repo)
    repo.git('reset', '-q', '--hard', 'HEAD~2')
    accepted(push(repo, 'HEAD:refs/heads/trunk'))  # an honest push still lands


def test_a_protected_name_that_is_a_symbolic_ref_to_a_missing_branch_guards_its_creation(tmp_path: Path) -> None:
    """stable -> stable-2, which does not exist yet (git lists no such ref):
    the push that creates stable-2 gives stable its first value."""
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main, stable]\n', hooks=False)
    publish(repo, origin)
    origin.git('symbolic-ref', 'refs/heads/stable', 'refs/heads/stable-2')
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:refs/heads/stable-2'), wrong[:10], RULE)
    assert 'refs/heads/stable-2' not in ref_values(origin)
    accepted(push(repo, 'HEAD:refs/heads/unrelated'))  # any other new branch is not protected


def test_a_branch_named_head_is_an_ordinary_branch(setup: Setup) -> None:
    """``refs/heads/HEAD`` is a branch like any other (HEAD itself is not a
    name a push may give: git refuses it); the default branch stays main."""
    repo, origin = setup
    wrong = unreviewed(repo)
    accepted(push(repo, 'HEAD:refs/heads/HEAD'))  # not protected by [main, release/*]
    assert origin.git('symbolic-ref', 'HEAD').strip() == 'refs/heads/main'
    refused(push(repo, 'HEAD:refs/heads/release/3'), wrong[:10], RULE)


# -- GIT_NAMESPACE --------------------------------------------------------------

TENANT = 'tenant'


def _receive_pack(namespace: str) -> str:
    return f'--receive-pack=env GIT_NAMESPACE={namespace} git receive-pack'


def push_to(repo: Repo, namespace: str, *args: str) -> Run:
    """``git push`` to ``origin`` as a server serving ``namespace`` receives it."""
    return repo.run_git('push', '--no-verify', _receive_pack(namespace), 'origin', *args)


def publish_in(repo: Repo, origin: Repo, namespace: str) -> None:
    """``repo``'s main as the namespace's main and default branch, past every hook."""
    hook = origin.path / 'hooks' / HOOK
    saved = hook.read_bytes()
    hook.unlink()
    try:
        repo.git('push', '-q', '--no-verify', _receive_pack(namespace), 'origin', 'main:refs/heads/main')
    finally:
        hook.write_bytes(saved)
        hook.chmod(0o755)
    prefix = namespace_prefix(namespace)
    origin.git('symbolic-ref', f'{prefix}HEAD', f'{prefix}refs/heads/main')


def _lax_root(tmp_path: Path, origin: Repo) -> Repo:
    """Another project at the repository's root, whose policy has no rules."""
    other = new_repo(tmp_path / 'other', EMPTY_POLICY, hooks=False)
    publish(other, origin)
    return other


@pytest.fixture
def tenant(tmp_path: Path) -> Setup:
    """A namespace whose main holds the standard policy, in a repository
    whose root holds another project with a policy that requires nothing."""
    origin = bare_remote(tmp_path / 'origin.git')
    _lax_root(tmp_path, origin)
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    repo.git('remote', 'add', 'origin', str(origin.path))
    publish_in(repo, origin, TENANT)
    return Setup(repo, origin)


@pytest.mark.parametrize('namespace', [TENANT, 'a/b'])
def test_a_namespace_s_new_protected_ref_is_judged_by_its_own_default_branch(tmp_path: Path, namespace: str) -> None:
    origin = bare_remote(tmp_path / 'origin.git')
    _lax_root(tmp_path, origin)
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    repo.git('remote', 'add', 'origin', str(origin.path))
    publish_in(repo, origin, namespace)
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push_to(repo, namespace, 'HEAD:refs/heads/release/2'), wrong[:10], RULE)
    refused(push_to(repo, namespace, 'HEAD:main'), wrong[:10], RULE)
    assert ref_values(origin) == before
    accepted(push_to(repo, namespace, 'HEAD:refs/heads/feature'))  # unprotected in its policy too
    assert ref_values(origin)[f'{namespace_prefix(namespace)}refs/heads/feature'] == wrong


def test_the_shipped_hook_script_judges_a_namespace_by_its_own_policy(tmp_path: Path) -> None:
    """``hooks/pre-receive`` as a server installs it, with trailgate on PATH."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    shutil.copy2(SOURCE / HOOK, origin.path / 'hooks' / HOOK)
    _lax_root(tmp_path, origin)
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    repo.git('remote', 'add', 'origin', str(origin.path))
    publish_in(repo, origin, TENANT)
    wrong = unreviewed(repo)
    result = repo.run_git('push', '--no-verify', _receive_pack(TENANT), 'origin', 'HEAD:refs/heads/release/2',
                          env=WITH_TRAILGATE)
    assert result.returncode != 0 and f'remote: refused {wrong[:10]}' in result.stderr, result
    assert 'Traceback' not in result.output
    assert f'{namespace_prefix(TENANT)}refs/heads/release/2' not in ref_values(origin)


def test_a_commit_on_the_root_s_protected_branch_exempts_nothing_in_a_namespace(tenant: Setup,
                                                                                  tmp_path: Path) -> None:
    repo, origin = tenant
    wrong = unreviewed(repo)
    accepted(repo.run_git('push', '--no-verify', 'origin', f'+{wrong}:refs/heads/main'))  # the root requires nothing
    refused(push_to(repo, TENANT, 'HEAD:refs/heads/release/2'), wrong[:10], RULE)
    assert f'{namespace_prefix(TENANT)}refs/heads/release/2' not in ref_values(origin)


def test_a_namespace_without_a_default_branch_judges_no_new_ref(tenant: Setup) -> None:
    """Its HEAD is missing: the root's default branch does not stand in for it."""
    repo, origin = tenant
    origin.git('symbolic-ref', '--delete', f'{namespace_prefix(TENANT)}HEAD')
    unreviewed(repo)
    result = push_to(repo, TENANT, 'HEAD:refs/heads/release/2')
    refused(result, 'HEAD names no default branch', f'git symbolic-ref {namespace_prefix(TENANT)}HEAD', status=2)


def test_a_symbolic_ref_out_of_the_namespace_is_an_error(tenant: Setup) -> None:
    repo, origin = tenant
    prefix = namespace_prefix(TENANT)
    origin.git('symbolic-ref', f'{prefix}refs/heads/alias', 'refs/heads/main')
    unreviewed(repo)
    refused(push_to(repo, TENANT, '+HEAD:refs/heads/alias'), 'outside the namespace', status=2)


@pytest.mark.parametrize('ref', [f'refs/namespaces/{TENANT}/refs/heads/main',
                                 f'refs/namespaces/{TENANT}/refs/trailgate/approvals'])
def test_a_push_never_writes_another_namespace_s_refs(tenant: Setup, ref: str) -> None:
    repo, origin = tenant
    before = ref_values(origin)
    unreviewed(repo)
    refused(repo.run_git('push', '--no-verify', 'origin', f'HEAD:{ref}'), 'another namespace')
    refused(push_to(repo, 'other', f'HEAD:{ref}'), 'another namespace')
    assert ref_values(origin) == before


def test_approvals_count_from_the_namespace_s_own_ledger(tmp_path: Path) -> None:
    """The root's ``refs/trailgate/approvals`` is another project's ledger."""
    alice, bob = (make_key(tmp_path / 'keys', name) for name in ('alice', 'bob'))
    signers = signers_file(('alice@example.com', alice), ('bob@example.com', bob))
    origin = bare_remote(tmp_path / 'origin.git')
    _lax_root(tmp_path, origin)
    repo = new_repo(tmp_path / 'repo', signed_policy(), hooks=False, files={SIGNERS_PATH: signers})
    repo.git('remote', 'add', 'origin', str(origin.path))
    publish_in(repo, origin, TENANT)
    change = repo.commit_ok(message('Retry charges', ASSISTED), {CRITICAL: 'retries = 3\n'}, verify=False)
    write_ledger(repo, {**entry(alice, change_of(repo), 'alice@example.com'),
                        **entry(bob, change_of(repo), 'bob@example.com')})
    accepted(repo.run_git('push', '--no-verify', 'origin', f'{LEDGER}:{LEDGER}'))  # to the root
    refused(push_to(repo, TENANT, 'HEAD:main'), change[:10], 'trailgate approve')
    accepted(push_to(repo, TENANT, f'{LEDGER}:{LEDGER}'))
    accepted(push_to(repo, TENANT, 'HEAD:main'))


def test_the_approvals_ledger_is_refused_as_anything_but_a_commit(setup: Setup) -> None:
    """An annotated tag of a ledger commit, or its tree, pushed as the ledger:
    each update of it must be a commit that contains the one before."""
    repo, origin = setup
    ledger = write_ledger(repo, {})
    repo.git('tag', '-a', '-m', 'Ledger', 'wrapped', ledger)
    for source in ('refs/tags/wrapped', f'{ledger}^{{tree}}'):
        refused(push(repo, f'{source}:{LEDGER}'), f'{LEDGER} must point to a commit')
    assert LEDGER not in ref_values(origin)
    accepted(push(repo, f'{LEDGER}:{LEDGER}'))


EVERY_REF_POLICY = """\
version: 1
groups:
  senior: [alice@example.com]
protected: ["refs/**"]
rules:
  - id: every-path
    paths: ["**"]
    applies_to: all
    require:
      reviews: {group: senior}
"""


def test_a_pattern_that_also_names_the_approvals_ledger_judges_it_as_the_ledger(tmp_path: Path) -> None:
    """``refs/**`` names the approvals ledger too: an update of it is judged
    as the ledger (append-only, records only), never as commits, which no
    ledger commit could pass here; a branch in the same push is judged, and
    a new branch of the ledger's commits is judged as any other."""
    alice = make_key(tmp_path / 'keys', 'alice')
    origin = bare_remote(tmp_path / 'origin.git')
    repo = new_repo(tmp_path / 'repo', EVERY_REF_POLICY, hooks=False)
    publish(repo, origin)
    wrong = repo.commit_ok(message('Tidy the readme'), {'README.txt': 'tidy\n'}, verify=False)
    first = write_ledger(repo, entry(alice, 'c' * 64, 'alice@example.com'))  # any change: it approves nothing here
    refused(push(repo, 'HEAD:main', f'{LEDGER}:{LEDGER}'), wrong[:10], 'every-path')
    assert LEDGER not in ref_values(origin)
    accepted(push(repo, f'{LEDGER}:{LEDGER}'))
    refused(push(repo, f'{first}:refs/heads/records'), first[:10], 'every-path')  # exempted by no ledger
    write_ledger(repo, {'notes.txt': b'not a record\n'})
    refused(push(repo, f'+{LEDGER}:{LEDGER}'), 'not a well-formed approval record')
    write_ledger(repo, {}, parent=first, replace=True)
    refused(push(repo, f'+{LEDGER}:{LEDGER}'), 'append-only')
    refused(push(repo, f':{LEDGER}'), 'cannot be deleted')
    assert ref_values(origin)[LEDGER] == first


def _pkt(data: bytes) -> bytes:
    return b'%04x' % (len(data) + 4) + data


def raw_push(repo: Repo, origin: Repo, commands: list[tuple[str, str, str]], *revs: str) -> Run:
    """``commands`` (old, new, ref) sent to the server's receive-pack as they
    are, with a pack of the objects ``revs`` name (pack-objects --revs): what
    a client other than git's own may send."""
    pack = subprocess.run(('git', 'pack-objects', '--stdout', '--revs', '-q'), cwd=repo.path, env=repo.env,
                          input=''.join(f'{rev}\n' for rev in revs).encode(), capture_output=True, check=True)
    lines = [f'{old} {new} {ref}'.encode() for old, new, ref in commands]
    request = _pkt(lines[0] + b'\0report-status') + b''.join(map(_pkt, lines[1:])) + b'0000' + pack.stdout
    return repo.run('git', 'receive-pack', str(origin.path), input=request)


@pytest.mark.parametrize('then', ['rewritten', 'deleted'])
def test_a_push_updating_the_approvals_ledger_twice_is_refused(setup: Setup, tmp_path: Path, then: str) -> None:
    """git's own client never names a ref twice in one push, but receive-pack
    takes the updates it is sent and, outside an atomic push, applies them
    one after the other: an append of a record, then from there a ledger
    that holds none (or its deletion). Judged on the first alone, the
    append-only ledger would lose every approval it holds."""
    repo, origin = setup
    alice = make_key(tmp_path / 'keys', 'alice')
    first = write_ledger(repo, entry(alice, 'c' * 64, 'alice@example.com'))
    accepted(push(repo, f'{LEDGER}:{LEDGER}'))
    appended = write_ledger(repo, entry(alice, 'd' * 64, 'alice@example.com'))
    last = write_ledger(repo, {}, parent=appended, replace=True) if then == 'rewritten' else '0' * 40
    result = raw_push(repo, origin, [(first, appended, LEDGER), (appended, last, LEDGER)],
                      appended if then == 'deleted' else last, f'^{first}')
    assert result.hooks.get(HOOK) == 1, result.output
    assert f'{LEDGER} twice' in result.stderr, result.stderr
    assert ref_values(origin)[LEDGER] == first


def test_a_push_updating_a_protected_branch_twice_is_refused(setup: Setup) -> None:
    """The same for a protected branch: each update would be judged, but a
    push no git client makes is refused before anything is judged."""
    repo, origin = setup
    before = origin.rev('main')
    reviewed = good(repo)
    after = good(repo, 'good = 2\n')
    result = raw_push(repo, origin, [(before or '', reviewed, 'refs/heads/main'),
                                     (reviewed, after, 'refs/heads/main')], after, f'^{before}')
    assert result.hooks.get(HOOK) == 1, result.output
    assert 'refs/heads/main twice' in result.stderr, result.stderr
    assert origin.rev('main') == before


def test_a_ref_inside_the_approvals_ledger_s_name_is_refused(setup: Setup) -> None:
    """git keeps no ref whose name another ref's name continues: a branch
    pushed to ``refs/trailgate/approvals/x`` before the first approval would
    keep every reviewer's ``approve --push`` from ever creating the ledger,
    for as long as it stood."""
    repo, origin = setup
    refused(push(repo, f'HEAD:{LEDGER}/x'), f'would keep {LEDGER} from being created')
    assert f'{LEDGER}/x' not in ref_values(origin)
    ledger = write_ledger(repo, {})
    accepted(push(repo, f'{ledger}:{LEDGER}'))


# -- what a push carries besides refs -------------------------------------------


@pytest.mark.parametrize('options', [['-o', 'ci.skip'], ['-o', 'trailgate.skip', '-o', 'GIT_NAMESPACE=other']])
def test_push_options_change_nothing(setup: Setup, options: list[str]) -> None:
    repo, origin = setup
    origin.git('config', 'receive.advertisePushOptions', 'true')
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push(repo, *options, 'HEAD:main'), wrong[:10], RULE)
    assert ref_values(origin) == before
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    good(repo)
    accepted(push(repo, *options, 'HEAD:main'))


def test_an_atomic_push_with_one_refused_ref_moves_nothing(setup: Setup) -> None:
    repo, origin = setup
    before = ref_values(origin)
    wrong = unreviewed(repo)
    refused(push(repo, '--atomic', 'HEAD:refs/heads/feature', 'HEAD:refs/tags/v2', 'HEAD:main'), wrong[:10], RULE)
    assert ref_values(origin) == before


def _counting_git(origin: Repo, tmp_path: Path) -> Path:
    """The server's hook, run with a ``git`` on PATH that logs each command
    line (receive-pack puts git's own directory first on PATH: the hook sets it)."""
    wrapper = tmp_path / 'bin' / 'git'
    wrapper.parent.mkdir()
    wrapper.write_text('#!/bin/sh\nprintf "%s\\n" "$*" >> "$TRAILGATE_TEST_GIT_LOG"\n'
                       f'exec {shutil.which("git")} "$@"\n')
    wrapper.chmod(0o755)
    log = tmp_path / 'git.log'
    hook = origin.path / 'hooks' / HOOK
    real = hook.with_name('pre-receive.real')
    hook.rename(real)
    hook.write_text(f'#!/bin/sh\nPATH={shlex.quote(str(wrapper.parent))}:$PATH\n'
                    f'TRAILGATE_TEST_GIT_LOG={shlex.quote(str(log))}\nexport PATH TRAILGATE_TEST_GIT_LOG\n'
                    f'exec {shlex.quote(str(real))}\n')
    hook.chmod(0o755)
    return log


def _gits_of_a_push(repo: Repo, log: Path, *args: str) -> tuple[Run, int]:
    log.unlink(missing_ok=True)
    result = push(repo, *args)
    return result, len(log.read_text().splitlines())


def test_a_push_of_many_refs_starts_no_git_per_ref(setup: Setup, tmp_path: Path) -> None:
    """5 branches or 500, and the whole mirror: the same git processes, and
    the verdict of the protected refs among them."""
    repo, origin = setup
    log = _counting_git(origin, tmp_path)
    good(repo)
    for count in (5, 500):
        repo.git('update-ref', '--stdin', input=''.join(f'create refs/heads/topic/{count}/{n} HEAD\n'
                                                        for n in range(count)))
    _, few = _gits_of_a_push(repo, log, 'main', 'refs/heads/topic/5/*:refs/heads/topic/5/*')
    result, many = _gits_of_a_push(repo, log, 'refs/heads/topic/500/*:refs/heads/topic/500/*',
                                   'HEAD:refs/heads/release/1')
    accepted(result)
    assert many == few, (few, many, log.read_text())
    wrong = unreviewed(repo)
    repo.git('update-ref', '--stdin', input=''.join(f'update refs/heads/topic/500/{n} HEAD\n' for n in range(500)))
    before = ref_values(origin)
    result, mirrored = _gits_of_a_push(repo, log, '--mirror')
    refused(result, wrong[:10], RULE)
    assert ref_values(origin) == before
    assert mirrored <= few + 1, (few, mirrored, log.read_text())


# -- the server's environment -----------------------------------------------------


def test_a_non_bare_server_judges_by_the_committed_policy_never_its_working_tree(tmp_path: Path) -> None:
    """``receive.denyCurrentBranch=updateInstead``: the server has a checkout
    of main, whose policy file there says anything (skip-worktree keeps git
    from seeing it changed); the policy that judges is main's committed one."""
    origin = Repo(init_repo(tmp_path / 'server'))
    write_hooks(origin.path / '.git' / 'hooks', (HOOK,))
    origin.git('config', 'receive.denyCurrentBranch', 'updateInstead')
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    publish(repo, Repo(origin.path / '.git'))
    origin.git('reset', '-q', '--hard', 'main')
    origin.git('update-index', '--skip-worktree', POLICY_PATH)
    (origin.path / POLICY_PATH).write_text(EMPTY_POLICY)
    wrong = unreviewed(repo)
    refused(push(repo, 'HEAD:main'), wrong[:10], RULE)
    assert origin.rev('main') != wrong
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    good(repo)
    accepted(push(repo, 'HEAD:main'))
    assert (origin.path / CRITICAL).read_text() == 'good = 1\n'  # git updated the checkout


def test_a_commit_on_an_alternate_s_protected_branch_exempts_nothing(setup: Setup, tmp_path: Path) -> None:
    """The server borrows objects from another repository (a fork network's
    shared store, ``objects/info/alternates``) whose main and release
    branch already hold an unreviewed commit, and advertises their tips
    (``core.alternateRefsCommand``), so the pusher sends none of its
    objects: those refs are not this repository's, and landing the commit
    on this main or a new release branch here is judged all the same."""
    repo, origin = setup
    wrong = unreviewed(repo)
    network = tmp_path / 'network.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(network)), check=True, env=repo.env)
    repo.git('push', '-q', '--no-verify', str(network), 'HEAD:refs/heads/main', 'HEAD:refs/heads/release/1')
    (origin.path / 'objects' / 'info' / 'alternates').write_text(f'{network / "objects"}\n')
    origin.git('config', 'core.alternateRefsCommand',
               'git --git-dir="$1" for-each-ref --format="%(objectname)" refs/heads/')
    before = ref_values(origin)
    refused(push(repo, 'HEAD:refs/heads/release/2'), wrong[:10], RULE)
    refused(push(repo, 'HEAD:main'), wrong[:10], RULE)
    assert ref_values(origin) == before


def test_a_ledger_history_rewritten_with_every_record_kept_is_refused(setup: Setup, tmp_path: Path) -> None:
    """The ledger is append-only in its history too: a new root commit that
    holds every record the server's ledger holds (nothing dropped, nothing
    malformed) does not contain that ledger, and is refused; appending on
    top of it passes."""
    repo, origin = setup
    alice = make_key(tmp_path / 'keys', 'alice')
    record = entry(alice, 'c' * 64, 'alice@example.com')
    first = write_ledger(repo, record)
    accepted(push(repo, f'{LEDGER}:{LEDGER}'))
    # another root commit (in the same second, the same subject would make it the same commit)
    write_ledger(repo, record, parent='', replace=True, subject='ledger, written again')
    refused(push(repo, f'+{LEDGER}:{LEDGER}'), 'does not contain its current history')
    assert ref_values(origin)[LEDGER] == first
    appended = write_ledger(repo, entry(alice, 'd' * 64, 'alice@example.com'), parent=first)
    accepted(push(repo, f'{LEDGER}:{LEDGER}'))
    assert ref_values(origin)[LEDGER] == appended


@pytest.mark.parametrize(('name', 'why'), [
    (f'{LEDGER.replace("approvals", "Approvals")}/x', f'would keep {LEDGER} from being created'),
    ('refs/tags/REFS/heads/master', 'is a name git reads as REFS/heads/master where that ref is missing'),
])
def test_a_name_that_only_in_another_case_continues_the_ledger_or_reads_as_another_ref(
        setup: Setup, name: str, why: str) -> None:
    """Where the filesystem ignores case (core.ignoreCase), a ref inside
    ``refs/trailgate/Approvals/`` is stored inside the ledger's name, and
    ``refs/tags/REFS/heads/master`` in the file git reads for
    ``refs/tags/refs/heads/master``: each is refused. Where case counts,
    each is a ref of its own, and an unprotected one passes."""
    repo, origin = setup
    repo.commit_ok(message('Docs'), {OTHER: 'o\n'}, verify=False)
    origin.git('config', 'core.ignoreCase', 'true')
    refused(push(repo, f'HEAD:{name}'), why)
    assert name not in ref_values(origin)
    origin.git('config', 'core.ignoreCase', 'false')
    accepted(push(repo, f'HEAD:{name}'))
    assert ref_values(origin)[name] == repo.head()
