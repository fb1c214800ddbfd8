"""What a person reads about a hostile commit or push shows its hidden
characters as escapes: no terminal control, no bidi override, no zero-width
character reaches the screen from a subject, a path, a trailer value or a
ref name, in any gate's text output."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import signed_policy
from testing.approvals import signers_file
from testing.scenarios import ASSISTED
from testing.scenarios import POLICY
from testing.scenarios import Repo
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.sshkeys import make_key
from trailgate.display import visible

# an ANSI "clear screen", a right-to-left override, a zero-width space, a pop
SUBJECT = 'Tidy \x1b[2Jthe \u202echarge\u200b\u202c'
# "evil" written backwards behind an override reads like a harmless name
SPOOFED = 'services/payments/\u202elive\u2066.py'
HIDDEN = ('\x1b', '\u202e', '\u200b', '\u202c', '\u2066')


@pytest.mark.parametrize(('text', 'shown'), [
    ('plain text, é and 漢字', 'plain text, é and 漢字'),
    ('a\x1b[31mred', 'a\\x1b[31mred'),
    ('tab\there', 'tab\\x09here'),
    ('\u202eabc\u2069', '\\u202eabc\\u2069'),
    ('zero\u200bwidth\ufeff', 'zero\\u200bwidth\\ufeff'),
    ('line\u2028sep', 'line\\u2028sep'),
    ('bad byte \udcff', 'bad byte \\xff'),
    ('lone surrogate \ud800', 'lone surrogate \\ud800'),
    ('tag \U000e0041', 'tag \\U000e0041'),
    ('Fix ##[error]approved', 'Fix #\\x23[error]approved'),
    ('###[stop-commands]x ##[add-mask]y', '##\\x23[stop-commands]x #\\x23[add-mask]y'),
    ('##vso[task.complete result=Succeeded;]', '#\\x23vso[task.complete result=Succeeded;]'),
    ('##VSO[task.setvariable variable=x]1', '#\\x23VSO[task.setvariable variable=x]1'),
    ('# heading, #[x] and ## [y] stay', '# heading, #[x] and ## [y] stay'),
    ('##\u202e[error]x', '##\\u202e[error]x'),
])
def test_visible_spells_out_what_cannot_be_seen(text: str, shown: str) -> None:
    assert visible(text) == shown


def _assert_nothing_hidden(output: str) -> None:
    for char in HIDDEN:
        assert char not in output, (char, output)


def _hostile_commit(repo: Repo) -> str:
    return repo.commit_ok(message(SUBJECT, ASSISTED, 'Assisted-by: \u202eedualC'),
                          {SPOOFED: 'x = 1\n'}, verify=False)


def test_check_shows_a_hostile_subject_and_path_as_escapes(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo')
    base = repo.head()
    _hostile_commit(repo)

    checked = repo.trailgate('check', f'{base}..HEAD')

    assert checked.returncode == 1, checked.output
    _assert_nothing_hidden(checked.output)
    assert 'Tidy \\x1b[2Jthe \\u202echarge\\u200b\\u202c' in checked.stdout
    assert 'services/payments/\\u202elive\\u2066.py' in checked.stdout
    assert '\\u202eedualC' in checked.stdout


@pytest.mark.parametrize('fmt', ['sarif', 'junit', 'json', 'github'])
def test_a_subject_never_commands_the_ci_runner_that_logs_it(tmp_path: Path, fmt: str) -> None:
    """A runner reads a command wherever ``##[`` stands in a line (GitHub
    Actions' legacy form; ``##vso[`` on Azure Pipelines), and the recipes'
    second run (a report into --output) prints the refusals as text on
    stdout: a subject there paused the step's commands, masked the log or
    annotated the diff as it liked. Its second ``#`` is spelt out."""
    repo = new_repo(tmp_path / 'repo')
    base = repo.head()
    repo.commit_ok(message('Tidy ##[stop-commands]pause ##vso[task.complete result=Succeeded;]', ASSISTED),
                   {'services/payments/charge.py': 'x = 1\n'}, verify=False)

    checked = repo.trailgate('check', f'{base}..HEAD', '--format', fmt, '--output', str(tmp_path / 'out'), '--quiet')

    assert checked.returncode == 1, checked.output
    assert 'Tidy #\\x23[stop-commands]pause #\\x23vso[task.complete' in checked.stdout
    assert '##[' not in checked.output and '##vso[' not in checked.output


def test_pre_receive_shows_a_hostile_subject_and_path_as_escapes(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    remote = bare_remote(tmp_path / 'remote.git')
    publish(repo, remote)
    _hostile_commit(repo)

    pushed = repo.run_git('push', 'origin', 'main')

    assert pushed.returncode != 0
    assert 'refused' in pushed.stderr
    _assert_nothing_hidden(pushed.output)
    assert 'services/payments/\\u202elive\\u2066.py' in pushed.stderr


def test_commit_msg_shows_a_hostile_subject_as_escapes(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo')

    refused = repo.commit(message(SUBJECT, ASSISTED), {SPOOFED: 'x = 1\n'})

    assert refused.returncode == 1, refused.output
    _assert_nothing_hidden(refused.output)
    assert 'services/payments/\\u202elive\\u2066.py' in refused.stderr


def test_explain_shows_a_hostile_commit_as_escapes(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo')
    _hostile_commit(repo)

    explained = repo.trailgate('explain')

    assert explained.returncode == 1, explained.output
    _assert_nothing_hidden(explained.output)
    assert 'subject Tidy \\x1b[2Jthe' in explained.stdout


def test_audit_summary_shows_a_hostile_subject_as_escapes(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo')
    _hostile_commit(repo)

    audited = repo.trailgate('audit')

    assert audited.returncode == 0, audited.output
    _assert_nothing_hidden(audited.output)
    assert '\\u202echarge' in audited.stdout


def test_pre_receive_shows_a_hostile_ref_name_as_escapes(tmp_path: Path) -> None:
    # the default branch is not protected: a new ref cannot be judged, and the refusal names it
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: ["release/*"]\n', hooks=False)
    remote = bare_remote(tmp_path / 'remote.git')
    publish(repo, remote)

    pushed = repo.run_git('push', 'origin', 'main:refs/heads/\u202elive\u200b')

    assert pushed.returncode != 0
    ours = [line for line in pushed.stderr.splitlines() if line.startswith('remote:')]  # git's own lines show it raw
    _assert_nothing_hidden('\n'.join(ours))
    assert any('refs/heads/\\u202elive\\u200b' in line for line in ours), pushed.stderr


def test_approve_shows_a_hostile_commit_as_escapes(tmp_path: Path) -> None:
    key = make_key(tmp_path / 'keys', 'alice')
    repo = new_repo(tmp_path / 'repo', signed_policy(1, 'alice@example.com'), hooks=False,
                    files={SIGNERS_PATH: signers_file(('alice@example.com', key))})
    repo.git('config', 'user.signingKey', str(key.private))
    base = repo.head()
    _hostile_commit(repo)

    approved = repo.trailgate('approve', '--yes', f'{base}..HEAD')

    assert approved.returncode == 0, approved.output
    _assert_nothing_hidden(approved.output)
    assert 'Tidy \\x1b[2Jthe' in approved.output
    assert 'services/payments/\\u202elive\\u2066.py' in approved.output
