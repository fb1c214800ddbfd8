"""``trailgate approve``: what it shows is the change it signs, read from one
git process for the range, and it signs every change with one ssh-keygen call."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from testing.approvals import LEDGER
from testing.approvals import SIGNERS_PATH
from testing.approvals import change_of
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import POLICY_PATH
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.sshkeys import Key
from testing.sshkeys import make_key

COUNTING_WRAPPER = """\
#!/bin/sh
echo "$0 $*" >> "{log}"
exec "{real}" "$@"
"""


@pytest.fixture(scope='module')
def alice_key(tmp_path_factory: pytest.TempPathFactory) -> Key:
    return make_key(tmp_path_factory.mktemp('keys'), 'alice')


def _repo(tmp_path: Path, key: Key) -> Repo:
    repo = new_repo(tmp_path / 'repo', signed_policy(1, 'alice@example.com'), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', key))})
    repo.git('config', 'user.email', 'alice@example.com')
    repo.git('config', 'user.signingKey', str(key.private))
    return repo


def _alice_approves_a_change(repo: Repo, alice_key: Key) -> tuple[str, Run]:
    """alice, with her key, runs ``approve --yes`` over an AI change to a
    critical path that someone else made; the range's base, and the run."""
    repo.git('config', 'user.email', 'alice@example.com')
    repo.git('config', 'user.signingKey', str(alice_key.private))
    base = repo.head()
    repo.commit_ok(message('Change', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False)
    return base, repo.trailgate('approve', '--yes', f'{base}..HEAD')


def _approved_stat(repo: Repo, *args: str) -> tuple[Run, list[str]]:
    """``approve --yes ARGS``, which must succeed, and the stat lines it showed."""
    result = repo.trailgate('approve', '--yes', *args)
    assert result.returncode == 0, result.output
    return result, [line.strip() for line in result.output.splitlines() if ' | ' in line]


def _counting(tmp_path: Path, *names: str) -> tuple[dict[str, str], Path]:
    """An environment whose PATH runs ``names`` through a wrapper that logs each call."""
    log = tmp_path / 'calls.log'
    directory = tmp_path / 'wrappers'
    directory.mkdir()
    for name in names:
        real = shutil.which(name)
        assert real, name
        wrapper = directory / name
        wrapper.write_text(COUNTING_WRAPPER.format(log=log, real=real))
        wrapper.chmod(0o755)
    return {'PATH': f'{directory}{os.pathsep}{os.environ["PATH"]}'}, log


def _calls(log: Path, name: str) -> list[str]:
    lines = log.read_text().splitlines() if log.exists() else []
    return [line for line in lines if os.path.basename(line.split(' ', 1)[0]) == name]


def test_two_changes_are_signed_with_one_ssh_keygen_call(tmp_path: Path, alice_key: Key) -> None:
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.commit_ok(message('First', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False)
    repo.commit_ok(message('Second', ASSISTED), {CRITICAL: 'a = 2\n'}, verify=False)
    env, log = _counting(tmp_path, 'ssh-keygen', 'git')
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD', env=env)
    assert result.returncode == 0, result.output
    assert 'recorded 2 approval(s)' in result.output
    signing = [line for line in _calls(log, 'ssh-keygen') if ' -Y sign ' in f' {line} ']
    assert len(signing) == 1, signing
    assert len(_calls(log, 'ssh-keygen')) == 1
    # the two records verify at every gate: the change is approved
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 0
    assert len(repo.git('ls-tree', '-r', '--name-only', LEDGER).split()) == 2


def test_the_git_processes_do_not_grow_with_the_range(tmp_path: Path, alice_key: Key) -> None:
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    env, log = _counting(tmp_path, 'git')
    counts = []
    for commits in (2, 8):
        for number in range(commits):
            repo.commit_ok(message(f'Change {commits}-{number}', ASSISTED), {CRITICAL: f'a = {commits}{number}\n'},
                           verify=False)
        repo.git('update-ref', '-d', LEDGER)
        log.unlink(missing_ok=True)
        result = repo.trailgate('approve', '--yes', f'{base}..HEAD', env=env)
        assert result.returncode == 0 and f'recorded {commits if commits == 2 else 10} approval' in result.output, \
            result.output
        counts.append(len(_calls(log, 'git')))
    assert counts[0] == counts[1], counts


def test_a_merge_shows_its_own_change_not_its_diff_against_the_first_parent(tmp_path: Path,
                                                                            alice_key: Key) -> None:
    repo = _repo(tmp_path, alice_key)
    lines = [f'line {n}\n' for n in range(30)]
    base = repo.commit_ok(message('Grow the file'), {CRITICAL: ''.join(lines)}, verify=False)
    repo.git('checkout', '-q', '-b', 'feature')
    repo.commit_ok(message('Feature edit', ASSISTED), {CRITICAL: ''.join([*lines[:25], 'feature\n', *lines[26:]])},
                   verify=False)
    repo.git('checkout', '-q', 'main')
    repo.commit_ok(message('Main edit', ASSISTED), {CRITICAL: ''.join(['main\n', *lines[1:]])}, verify=False)
    repo.git('merge', '-q', '--no-ff', '--no-commit', 'feature')
    (repo.path / CRITICAL).write_text((repo.path / CRITICAL).read_text() + 'evil = True\n')
    repo.git('commit', '-q', '-a', '--no-verify', '-m', f'Merge feature\n\n{ASSISTED}')
    merge = repo.head()[:10]
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    shown = result.output.split(f'{merge} Merge feature', 1)[1]
    assert "the merge's own change" in shown.split('\n', 2)[1], shown
    stat = [line.strip() for line in shown.splitlines()[4:6]]
    assert stat == [f'{CRITICAL} | +1 -0', '1 file changed, 1 insertion(+), 0 deletions(-)'], result.output
    # its diff against the first parent (the feature edit and the evil line) is not what is shown
    assert f'{CRITICAL} | +2 -1' not in shown


def test_a_change_id_that_is_not_the_shown_patch_s_is_never_signed(tmp_path: Path, alice_key: Key) -> None:
    """approve shows the patch it reads and signs the id the gate computed:
    when the two disagree (here: the id cache in the git directory says the
    protected change is another one), it signs nothing."""
    import json

    from trailgate.approvals.cache import CACHE_FILE

    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    other = '0' * 64
    repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False)
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 1  # fills the cache
    cache = repo.path / '.git' / CACHE_FILE
    data = json.loads(cache.read_text())
    assert data['changes'][repo.head()][0] not in (other, None)
    data['changes'][repo.head()][0] = other
    cache.write_text(json.dumps(data))
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 2, result.output
    assert 'read twice gave two different ids' in result.stderr, result.output
    assert repo.rev(LEDGER) is None


def test_a_signer_outside_the_group_is_told_the_approval_will_not_count(tmp_path: Path, alice_key: Key) -> None:
    bob_key = make_key(tmp_path / 'keys', 'bob')
    repo = new_repo(tmp_path / 'repo', signed_policy(1, 'bob@example.com'), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', alice_key), ('bob@example.com', bob_key))})
    base, result = _alice_approves_a_change(repo, alice_key)
    assert result.returncode == 0, result.output
    assert "will not count: it needs approvals from group 'senior'" in result.output, result.output
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 1


def test_a_key_listed_only_under_a_principal_that_is_no_email_signs_nothing(tmp_path: Path,
                                                                             alice_key: Key) -> None:
    """ssh-keygen takes any principal; an approval names an email: refused before signing, with the reason."""
    bob_key = make_key(tmp_path / 'keys', 'bob')
    repo = new_repo(tmp_path / 'repo', signed_policy(1, 'bob@example.com'), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice', alice_key), ('bob@example.com', bob_key))})
    _, result = _alice_approves_a_change(repo, alice_key)
    assert result.returncode == 2, result.output
    assert "your key cannot approve: 'alice' is not a plain email, so no approval can name it" in result.stderr, \
        result.output
    assert repo.rev(LEDGER) is None


def test_approve_under_a_policy_without_a_signers_file_says_so(tmp_path: Path, alice_key: Key) -> None:
    repo = new_repo(tmp_path / 'repo', signed_policy(1, 'alice@example.com').replace(f'signers: {SIGNERS_PATH}\n', '')
                    .replace(', signed: true', ''), hooks=False)
    _, result = _alice_approves_a_change(repo, alice_key)
    assert result.returncode == 2, result.output
    assert 'the policy names no signers file, so there is nothing to sign' in result.stderr, result.output
    assert repo.rev(LEDGER) is None


def test_a_signer_in_the_group_gets_no_such_note(tmp_path: Path, alice_key: Key) -> None:
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.commit_ok(message('Change', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False)
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0 and 'recorded 1 approval' in result.output, result.output
    assert 'will not count' not in result.output
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 0


def test_several_ranges_sign_what_check_of_the_same_ranges_asks_for(tmp_path: Path, alice_key: Key) -> None:
    """git reads ``A..B C..D`` as one set (``B D ^A ^C``); ``check`` judges
    each range's commits, so ``approve`` signs each range's changes too:
    no fewer (the first range's commit that ``C`` reaches), no more."""
    repo = _repo(tmp_path, alice_key)
    start = repo.head()
    repo.commit_ok(message('First', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False,
                   author='Pat Junior <pat@example.com>')
    first = repo.head()
    repo.commit_ok(message('Second', ASSISTED), {CRITICAL: 'a = 2\n'}, verify=False,
                   author='Pat Junior <pat@example.com>')
    ranges = (f'{start}..{first}', f'{first}..HEAD')
    assert repo.trailgate('check', *ranges).returncode == 1
    result = repo.trailgate('approve', '--yes', *ranges)
    assert result.returncode == 0, result.output
    assert 'recorded 2 approval(s)' in result.output, result.output
    assert repo.trailgate('check', *ranges).returncode == 0
    assert repo.trailgate('approve', '--yes', f'{first}..HEAD', f'{first}..HEAD').returncode == 0
    assert len(repo.git('ls-tree', '-r', '--name-only', LEDGER).split()) == 2


def test_the_command_a_refusal_names_approves_that_commit_alone(tmp_path: Path, alice_key: Key) -> None:
    """``trailgate approve X`` is all of X's history, as git reads X: the
    refusal of X must not lead its reviewer to sign the commits before it."""
    import re

    repo = _repo(tmp_path, alice_key)
    start = repo.head()
    for number in range(3):
        repo.commit_ok(message(f'Change {number}', ASSISTED), {CRITICAL: f'a = {number}\n'}, verify=False,
                       author='Pat Junior <pat@example.com>')
    refusal = repo.trailgate('check', 'HEAD~1..HEAD')
    assert refusal.returncode == 1, refusal.output
    commands = set(re.findall(r'`(trailgate approve [^`]*)`', refusal.stdout))
    assert len(commands) == 1, refusal.stdout
    command = commands.pop().replace('trailgate', f'{sys.executable} -m trailgate', 1) + ' --yes'
    ran = repo.run('sh', '-c', command)  # as a reviewer pastes it into a shell
    assert ran.returncode == 0, ran.output
    assert 'recorded 1 approval(s)' in ran.stdout, ran.stdout
    assert repo.trailgate('check', 'HEAD~1..HEAD').returncode == 0
    assert repo.trailgate('check', f'{start}..HEAD~1').returncode == 1


def test_approve_on_the_protected_branch_itself_asks_for_a_range(tmp_path: Path, alice_key: Key) -> None:
    """Without a remote-tracking branch, the branch itself adds nothing over
    itself: "nothing to approve" would be wrong, so the range is asked for."""
    repo = _repo(tmp_path, alice_key)
    repo.commit_ok(message('On main', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False,
                   author='Pat Junior <pat@example.com>')
    result = repo.trailgate('approve', '--yes')
    assert result.returncode == 2, result.output
    assert 'give the range to approve' in result.output


def test_approve_with_no_range_signs_what_check_of_the_target_asks_for(tmp_path: Path, alice_key: Key) -> None:
    """The protected branch guarded another path after the branch forked:
    ``check --base main`` judges by main's policy now, so approve must too,
    not by the policy at the fork point ("nothing to approve")."""
    repo = _repo(tmp_path, alice_key)
    repo.git('switch', '-q', '-c', 'feature')
    repo.commit_ok(message('Other', ASSISTED), {'services/other/x.py': 'a = 1\n'}, verify=False,
                   author='Pat Junior <pat@example.com>')
    repo.git('switch', '-q', 'main')
    policy = signed_policy(1, 'alice@example.com')
    wider = policy.replace('"services/payments/**"', '"services/payments/**", "services/other/**"')
    assert wider != policy
    repo.commit_ok(message('Guard other'), {POLICY_PATH: wider}, verify=False)
    repo.git('switch', '-q', 'feature')
    assert repo.trailgate('check', '--base', 'main', '--target', 'main').returncode == 1
    result = repo.trailgate('approve', '--yes')
    assert result.returncode == 0, result.output
    assert 'recorded 1 approval(s)' in result.output, result.output
    checked = repo.trailgate('check', '--base', 'main', '--target', 'main')
    assert checked.returncode == 0, checked.output


def test_a_tag_named_like_the_remote_tracking_target_is_not_the_default_range_s_base(
    tmp_path: Path, alice_key: Key,
) -> None:
    """Without ``refs/remotes/origin/main``, git reads the tag of that name in
    its place: a fetched tag at the branch's tip would make the default range
    empty ("nothing to approve") while check refuses."""
    repo = _repo(tmp_path, alice_key)
    repo.git('switch', '-q', '-c', 'feature')
    repo.commit_ok(message('Change', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False,
                   author='Pat Junior <pat@example.com>')
    repo.git('tag', 'refs/remotes/origin/main', 'HEAD')
    assert repo.trailgate('check', '--base', 'refs/heads/main', '--target', 'main').returncode == 1
    result = repo.trailgate('approve', '--yes')
    assert result.returncode == 0, result.output
    assert 'recorded 1 approval(s)' in result.output, result.output


def _two_email_repo(tmp_path: Path, key: Key, count: int, seniors: str) -> tuple[Repo, str]:
    """Alice's one key listed for two of her emails; an AI change to approve."""
    repo = new_repo(tmp_path / 'repo', signed_policy(count, seniors), hooks=False,
                    files={SIGNERS_PATH: f'alice@example.com,alice@corp.example {key.public_line}\n'})
    repo.git('config', 'user.signingKey', str(key.private))
    base = repo.head()
    repo.commit_ok(message('Change', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False)
    return repo, base


def _approve_as(repo: Repo, email: str, base: str) -> str:
    repo.git('config', 'user.email', email)
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    return result.output


def test_a_person_who_approved_under_another_email_is_told_so_and_nothing_is_signed(tmp_path: Path,
                                                                                      alice_key: Key) -> None:
    """The file makes both emails one person, whose approvals count once: a
    second record would count for nothing."""
    repo, base = _two_email_repo(tmp_path, alice_key, 2, 'alice@example.com, alice@corp.example')
    assert 'recorded 1 approval(s)' in _approve_as(repo, 'alice@example.com', base)
    first = repo.rev(LEDGER)
    output = _approve_as(repo, 'alice@corp.example', base)
    assert 'already approved by you' in output and 'nothing to approve' in output, output
    assert repo.rev(LEDGER) == first
    checked = repo.trailgate('check', f'{base}..HEAD')
    assert checked.returncode == 1 and 'has 1: alice@example.com' in checked.output, checked.output


def test_a_person_whose_approval_under_another_email_counts_for_no_group_may_sign_under_one_that_does(
        tmp_path: Path, alice_key: Key) -> None:
    repo, base = _two_email_repo(tmp_path, alice_key, 1, 'alice@corp.example')
    assert 'will not count' in _approve_as(repo, 'alice@example.com', base)
    output = _approve_as(repo, 'alice@corp.example', base)
    assert 'recorded 1 approval(s)' in output and 'will not count' not in output, output
    assert len(repo.git('ls-tree', '-r', '--name-only', LEDGER).split()) == 2
    checked = repo.trailgate('check', f'{base}..HEAD')
    assert checked.returncode == 0, checked.output


def test_the_stat_says_what_a_line_count_hides(tmp_path: Path, alice_key: Key) -> None:
    """A file made executable is ``+0 -0``, a file replaced by a symlink to a
    secret and a new submodule are an ordinary file's ``+1``: approve says
    what each is, where it points, and which files are new or deleted."""
    repo = _repo(tmp_path, alice_key)
    base = repo.commit_ok(message('Add files'), {'services/payments/run.sh': 'echo run\n',
                                                 'services/payments/conf.yaml': 'a: 1\n',
                                                 'services/payments/old.py': 'x = 1\n'}, verify=False)
    repo.git('update-index', '--chmod=+x', 'services/payments/run.sh')
    (repo.path / 'services/payments/conf.yaml').unlink()
    (repo.path / 'services/payments/conf.yaml').symlink_to('/etc/shadow')
    repo.git('add', 'services/payments/conf.yaml')
    repo.git('update-index', '--add', '--cacheinfo', f'160000,{base},services/payments/vendor')
    repo.git('rm', '-q', 'services/payments/old.py')
    repo.commit_ok(message('Tidy', ASSISTED), {'services/payments/a b.py': 'y = 2\n'}, verify=False,
                   author='Dev Eloper <dev@example.com>')
    result, shown = _approved_stat(repo, f'{base}..HEAD')
    assert shown == [
        'services/payments/a b.py | +1 -0, new file',
        'services/payments/conf.yaml | +0 -1, deleted file',
        'services/payments/conf.yaml | +1 -0, new symlink -> /etc/shadow',
        'services/payments/old.py | +0 -1, deleted file',
        'services/payments/run.sh | +0 -0, file -> executable file (100644 -> 100755)',
        f'services/payments/vendor | +1 -0, new submodule -> commit {base}',
    ], result.output
    assert 'say more than a line count' not in result.output  # a short listing is not said twice


def test_every_commit_an_approval_approves_is_shown(tmp_path: Path, alice_key: Key) -> None:
    """The change id hashes no line numbers: a line added to one function,
    reverted, then added with the same context to another has the id of the
    first. One approval approves both; approve names both."""
    block = 'def {}(user):\n    check(user)\n    log(user)\n    audit(user)\n    return pay(user)\n\n\n'
    original = block.format('refund') + block.format('charge')

    def as_admin(name: str) -> str:
        head = block.format(name).split('    return')[0]
        return original.replace(head, f'{head}    user = ADMIN\n')

    repo = _repo(tmp_path, alice_key)
    base = repo.commit_ok(message('Two functions'), {CRITICAL: original}, verify=False)
    author = 'Dev Eloper <dev@example.com>'
    hidden = repo.commit_ok(message('Charge as admin', ASSISTED), {CRITICAL: as_admin('charge')}, verify=False,
                            author=author)
    repo.commit_ok(message('Revert it', ASSISTED), {CRITICAL: original}, verify=False, author=author)
    shown = repo.commit_ok(message('Tidy logging', ASSISTED), {CRITICAL: as_admin('refund')}, verify=False,
                           author=author)
    assert change_of(repo, hidden) == change_of(repo, shown)
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0 and 'recorded 2 approval(s)' in result.output, result.output
    assert f'also approves {hidden[:10]} Charge as admin: the same change id' in result.output
    assert repo.trailgate('check', f'{base}..HEAD').returncode == 0


def test_names_that_are_not_utf8_are_shown_byte_for_byte(tmp_path: Path, alice_key: Key) -> None:
    """Two names that differ in a byte that is not UTF-8 are two names on
    the screen, not both ``conf\ufffd.py``."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    for byte in (b'\xfe', b'\xff'):
        with open(bytes(repo.path) + b'/services/payments/conf' + byte + b'.py', 'w') as file:
            file.write('x = 1\n')
    repo.git('add', 'services')
    repo.commit_ok(message('Two configs', ASSISTED), {}, verify=False, author='Dev Eloper <dev@example.com>')
    result, shown = _approved_stat(repo, f'{base}..HEAD')
    assert shown == ['services/payments/conf\\xfe.py | +1 -0, new file',
                     'services/payments/conf\\xff.py | +1 -0, new file'], result.output


@pytest.mark.parametrize('on_branch', [True, False], ids=['on-the-branch', 'on-main'])
def test_lines_that_gitattributes_hide_from_other_views_are_said_to_be(tmp_path: Path, alice_key: Key,
                                                                       on_branch: bool) -> None:
    """The author's ``.gitattributes`` cannot change the id or the stat, but
    they can hide a file's lines where the reviewer reads the change: a pull
    request page collapses a linguist-generated file, git diff prints
    "Binary files differ" for a -diff one, and a diff driver the reviewer
    configured shows its output instead. approve says so, whether the
    attributes are in the work tree or only in the commits approved."""
    repo = _repo(tmp_path, alice_key)
    repo.git('config', 'diff.pdf.textconv', 'pdftotext')
    base = repo.head()
    repo.git('checkout', '-q', '-b', 'feature')
    author = 'Dev Eloper <dev@example.com>'
    repo.commit_ok(message('Tidy attributes'), {'.gitattributes': (
        'services/payments/charge.py linguist-generated\nservices/payments/refund.py -diff\n'
        'services/payments/t*.py diff=pdf\nservices/payments/notes.txt diff=unknown\n')}, verify=False, author=author)
    repo.commit_ok(message('Charge twice', ASSISTED), {
        CRITICAL: 'def charge(): pay(); pay()\n', 'services/payments/refund.py': 'refund = None\n',
        'services/payments/tax.py': 'rate = 0\n', 'services/payments/notes.txt': 'n\n'}, verify=False, author=author)
    if not on_branch:
        repo.git('checkout', '-q', 'main')
    result, shown = _approved_stat(repo, f'{base}..feature')
    hidden = '; hidden elsewhere by .gitattributes '
    assert shown == [
        f'{CRITICAL} | +1 -1{hidden}linguist-generated (GitHub and GitLab collapse its diff)',
        'services/payments/notes.txt | +1 -0, new file',
        f'services/payments/refund.py | +1 -0, new file{hidden}-diff (git diff and git show print '
        '"Binary files differ")',
        f'services/payments/tax.py | +1 -0, new file{hidden}diff=pdf (git diff and git show print what your '
        'diff.pdf makes of it)',
    ], result.output


def test_a_diff_driver_is_said_to_hide_lines_only_when_it_makes_them_binary(tmp_path: Path, alice_key: Key) -> None:
    """``diff.NAME.binary true`` makes git show "Binary files differ"; ``false`` shows the lines as they are."""
    repo = _repo(tmp_path, alice_key)
    repo.git('config', 'diff.opaque.binary', 'true')
    repo.git('config', 'diff.plain.binary', 'false')
    base = repo.head()
    repo.commit_ok(message('Charge', ASSISTED), {
        '.gitattributes': 'services/payments/a.py diff=opaque\nservices/payments/b.py diff=plain\n',
        'services/payments/a.py': 'a = 1\n', 'services/payments/b.py': 'b = 1\n'}, verify=False)
    result, shown = _approved_stat(repo, f'{base}..HEAD')
    assert shown == [
        '.gitattributes | +2 -0, new file',
        'services/payments/a.py | +1 -0, new file; hidden elsewhere by .gitattributes diff=opaque (git diff and '
        'git show print what your diff.opaque makes of it)',
        'services/payments/b.py | +1 -0, new file',
    ], result.output


def test_characters_no_viewer_shows_as_they_are_are_named(tmp_path: Path, alice_key: Key) -> None:
    """Trojan Source (CVE-2021-42574): a bidi override makes a comment read
    as code and code as a comment in git show, an editor or a web page, and a
    zero-width space makes two names one. The approval binds the bytes:
    approve names those characters. A tab and a CRLF line's CR are not news."""
    repo = _repo(tmp_path, alice_key)
    base = repo.commit_ok(message('Windows file'), {'services/payments/win.py': 'a = 1\r\n'}, verify=False)
    trojan = 'def charge(user):\n    if user.role != "admin\u202e \u2066# admins only\u2069 \u2066":\n        return\n'
    repo.commit_ok(message('Check the role', ASSISTED), {
        CRITICAL: trojan, 'services/payments/names.py': 'is\u200badmin = True\n',
        'services/payments/win.py': 'a = 1\r\nb = 2\r\n', 'services/payments/tabs.py': '\tx = 1\n',
        'services/payments/term.py': 'x = 1\r# overwritten on a terminal\n',
    }, verify=False, author='Dev Eloper <dev@example.com>')
    result, shown = _approved_stat(repo, f'{base}..HEAD')
    unseen = '; its added lines hold characters that are not shown as what they are: '
    assert shown == [
        f'{CRITICAL} | +3 -1{unseen}\\u202e \\u2066 \\u2069',
        f'services/payments/names.py | +1 -0, new file{unseen}\\u200b',
        'services/payments/tabs.py | +1 -0, new file',
        f'services/payments/term.py | +1 -0, new file{unseen}\\x0d',
        'services/payments/win.py | +1 -0',
    ], result.output


def test_a_cut_list_of_protected_paths_says_how_many_there_are(tmp_path: Path, alice_key: Key) -> None:
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.commit_ok(message('Many', ASSISTED), {f'services/payments/f{n:02}.py': f'x = {n}\n' for n in range(25)},
                   verify=False, author='Dev Eloper <dev@example.com>')
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    assert 'services/payments/f09.py, ... (25 in all)\n' in result.output, result.output
    assert '25 files changed' in result.output


def test_approve_says_an_approval_is_of_the_whole_change(tmp_path: Path, alice_key: Key) -> None:
    """The change id covers every file of the commit: the README edited next
    to a protected file is approved too, and approve says so."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'a = 1\n', 'README.txt': 'free shipping\n'},
                   verify=False, author='Dev Eloper <dev@example.com>')
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    assert result.output.startswith('approving as alice@example.com (.trailgate/allowed_signers) each change whole, '
                                    'every file of its stat, protected or not:\n'), result.output
    assert f'protected paths: {CRITICAL}\n' in result.output and ' README.txt | +1 -1\n' in result.output


def test_an_ordinary_commit_is_shown_by_its_id_author_and_protected_paths_alone(tmp_path: Path,
                                                                                 alice_key: Key) -> None:
    """The head of a commit's block, line for line: no merge note on a commit that is no merge."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.commit_ok(message('Charge', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False,
                   author='Dev Eloper <dev@example.com>')
    change = change_of(repo)
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    block = result.output.split(f'{repo.head()[:10]} Charge\n', 1)[1].splitlines()
    assert block[:3] == [f'  change {change}', '  author Dev Eloper <dev@example.com>',
                         f'  protected paths: {CRITICAL}'], result.output


def test_a_submodule_bump_gitmodules_hide_from_git_show_is_said_to_be(tmp_path: Path, alice_key: Key) -> None:
    """``ignore = all`` in the author's ``.gitmodules`` makes git show, git
    diff and git log -p print a submodule bump as nothing at all: the commit
    looks empty where the reviewer reads it."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.git('update-index', '--add', '--cacheinfo', f'160000,{base},services/payments/vendor')
    repo.commit_ok(message('Vendor a library'), {'.gitmodules': (
        '[submodule "vendor"]\n\tpath = services/payments/vendor\n\turl = https://example.com/v.git\n'
        '\tignore = all\n')}, verify=False)
    repo.git('update-index', '--cacheinfo', f'160000,{repo.head()},services/payments/vendor')
    bump = repo.commit_ok(message('Bump the library', ASSISTED), {}, verify=False,
                          author='Dev Eloper <dev@example.com>')
    assert repo.git('show', '--format=', bump) == ''
    result, shown = _approved_stat(repo, f'{bump}^!')
    assert shown == [
        f'services/payments/vendor | +1 -1, submodule -> commit {repo.rev(f"{bump}^")}; hidden elsewhere by '
        '.gitmodules ignore = all (git diff, git show and git log -p leave its commit out)',
    ], result.output


@pytest.mark.parametrize('ignore', ['dirty', 'untracked', 'none'])
def test_a_submodule_bump_gitmodules_leave_in_git_show_is_not_said_to_be_hidden(tmp_path: Path, alice_key: Key,
                                                                                 ignore: str) -> None:
    """Only ``ignore = all`` hides a bump from git show; the other values concern the work tree."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.git('update-index', '--add', '--cacheinfo', f'160000,{base},services/payments/vendor')
    repo.commit_ok(message('Vendor a library'), {'.gitmodules': (
        '[submodule "vendor"]\n\tpath = services/payments/vendor\n\turl = https://example.com/v.git\n'
        f'\tignore = {ignore}\n')}, verify=False)
    repo.git('update-index', '--cacheinfo', f'160000,{repo.head()},services/payments/vendor')
    bump = repo.commit_ok(message('Bump the library', ASSISTED), {}, verify=False,
                          author='Dev Eloper <dev@example.com>')
    assert repo.git('show', '--format=', bump) != ''
    result, shown = _approved_stat(repo, f'{bump}^!')
    assert shown == [f'services/payments/vendor | +1 -1, submodule -> commit {repo.rev(f"{bump}^")}'], result.output


def test_mailmap_names_no_one_approve_judges_or_shows(tmp_path: Path, alice_key: Key) -> None:
    """The author's ``.mailmap`` can map anyone onto anyone (``git log``
    applies it by default): approve judges and shows the identity the commit
    holds. Dev's commit mapped onto Alice is Dev's, approved and shown as his;
    Alice's own commit mapped onto Dev is still hers, never approved."""
    repo = _repo(tmp_path, alice_key)
    repo.commit_ok(message('Map names'), {'.mailmap': (
        'Alice Archer <alice@example.com> <dev@example.com>\nDev Eloper <dev@example.com> <alice@example.com>\n')},
        verify=False)
    base = repo.head()
    repo.commit_ok(message('By dev', ASSISTED), {CRITICAL: 'a = 1\n'}, verify=False,
                   author='Dev Eloper <dev@example.com>')
    assert repo.git('log', '-1', '--format=%aE').strip() == 'alice@example.com'
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0 and 'author Dev Eloper <dev@example.com>' in result.output, result.output
    mine = repo.commit_ok(message('By alice', ASSISTED), {CRITICAL: 'a = 2\n'}, verify=False,
                          author='Alice Archer <alice@example.com>')
    result = repo.trailgate('approve', '--yes', f'{mine}^!')
    assert result.returncode == 1 and 'you (alice@example.com) are its author' in result.output, result.output


def test_lines_changed_in_whitespace_alone_are_counted(tmp_path: Path, alice_key: Key) -> None:
    """In Python an indent is code: a ``return`` dedented out of its ``if``
    is gone from ``git diff -w`` and from a pull request page that hides
    whitespace. approve counts such lines (a line ending too); a moved or
    edited line is not one."""
    repo = _repo(tmp_path, alice_key)
    base = repo.commit_ok(message('Guard'), {
        CRITICAL: 'def charge(user):\n    if not user.ok:\n        return\n    pay(user)\n',
        'services/payments/notes.txt': 'one\ntwo\n'}, verify=False)
    repo.commit_ok(message('Tidy', ASSISTED), {
        CRITICAL: 'def charge(user):\n    if not user.ok:\n        log(user)\n    return\n    pay(user)\n',
        'services/payments/notes.txt': 'one\r\nthree\n'}, verify=False, author='Dev Eloper <dev@example.com>')
    result, shown = _approved_stat(repo, f'{base}..HEAD')
    spacing = (' added line(s) differ from removed ones in whitespace alone (git diff -w and "hide whitespace" '
               'leave them out)')
    assert shown == [f'{CRITICAL} | +2 -1; 1{spacing}', f'services/payments/notes.txt | +2 -2; 1{spacing}'], \
        result.output


def test_a_long_listing_says_again_next_to_the_question_what_a_line_count_hides(tmp_path: Path,
                                                                              alice_key: Key) -> None:
    """A hundred files scroll the one symlink away from a terminal: what
    says more than a line count is said again after the listing."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    files = {f'services/payments/gen/f{n:03}.py': f'x = {n}\n' for n in range(100)}
    (repo.path / 'services/payments/gen').mkdir(parents=True)
    (repo.path / 'services/payments/gen/f050.py').symlink_to('/etc/shadow')
    repo.git('add', 'services/payments/gen/f050.py')
    del files['services/payments/gen/f050.py']
    repo.commit_ok(message('Generate', ASSISTED), files, verify=False, author='Dev Eloper <dev@example.com>')
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    tail = result.output.split('100 files changed', 1)[1].splitlines()
    assert tail[1:4] == [
        'of the 105 lines above, these say more than a line count:',
        f'  {repo.head()[:10]} services/payments/gen/f050.py | +1 -0, new symlink -> /etc/shadow',
        f'recorded 1 approval(s) in {LEDGER}',
    ], result.output


def test_a_long_listing_repeats_twenty_of_what_a_line_count_hides_and_counts_the_rest(tmp_path: Path,
                                                                                      alice_key: Key) -> None:
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    (repo.path / 'services/payments/gen').mkdir(parents=True)
    for n in range(40):
        (repo.path / f'services/payments/gen/l{n:02}.py').symlink_to(f'/etc/f{n:02}')
    repo.git('add', 'services/payments/gen')
    repo.commit_ok(message('Generate', ASSISTED), {}, verify=False, author='Dev Eloper <dev@example.com>')
    result = repo.trailgate('approve', '--yes', f'{base}..HEAD')
    assert result.returncode == 0, result.output
    tail = result.output.split('40 files changed', 1)[1].splitlines()
    assert tail[1] == 'of the 45 lines above, these say more than a line count:', result.output
    assert tail[2:22] == [f'  {repo.head()[:10]} services/payments/gen/l{n:02}.py | +1 -0, new symlink -> /etc/f{n:02}'
                          for n in range(20)], result.output
    assert tail[22:] == ['  ... and 20 more above', f'recorded 1 approval(s) in {LEDGER}'], result.output


def test_a_line_too_wide_to_read_on_one_screen_is_said_to_be(tmp_path: Path, alice_key: Key) -> None:
    """Code pushed right by a run of spaces is off the edge of a view that
    does not wrap: approve gives the longest added line's width past 200."""
    repo = _repo(tmp_path, alice_key)
    base = repo.head()
    repo.commit_ok(message('Charge', ASSISTED), {
        CRITICAL: f'def charge(): pay(){" " * 200}; refund_to("mallory")\n',
        'services/payments/ok.py': f'x = {"1" * 190}\n'}, verify=False, author='Dev Eloper <dev@example.com>')
    result, shown = _approved_stat(repo, f'{base}..HEAD')
    assert shown == [
        f'{CRITICAL} | +1 -1; its longest added line is 241 characters (a view that does not wrap shows its start)',
        'services/payments/ok.py | +1 -0, new file',
    ], result.output
