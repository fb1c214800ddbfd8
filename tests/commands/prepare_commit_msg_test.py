"""``trailgate prepare-commit-msg``: hints in the editor, never in the commit.

The hooks run under the real ``git commit``; the editor is a small script that
copies the buffer git hands it to a capture file (what the user would see),
then puts a message above it (what the user would type).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.util import init_repo
from testing.util import write

HOOK = 'prepare-commit-msg'
HINT = 'trailgate:'
SCISSORS = '------------------------ >8 ------------------------'
EDITOR = """\
#!/bin/sh
cp "$1" "$CAPTURE"
if [ -n "$EDITOR_REPLACE" ]; then printf '%s\\n' "$EDITOR_TOP" > "$1"; exit 0; fi
{ printf '%s\\n' "$EDITOR_TOP"; cat "$1"; } > "$1.edited" && mv "$1.edited" "$1"
"""
needs_proc = pytest.mark.skipif(not os.path.exists('/proc/self/cmdline'),
                                reason='the git command line is read from /proc')


class Setup(NamedTuple):
    repo: Repo
    capture: Path
    editor: Path

    def env(self, top: str = 'Charge', replace: bool = False) -> dict[str, str]:
        return {'GIT_EDITOR': str(self.editor), 'CAPTURE': str(self.capture), 'EDITOR_TOP': top,
                'EDITOR_REPLACE': '1' if replace else ''}

    def commit(self, *args: str, top: str = 'Charge', replace: bool = False) -> Run:
        """``git commit ARGS`` with the capturing editor (which puts ``top`` above the
        buffer, or replaces it); the commit must succeed.
        """
        self.capture.unlink(missing_ok=True)
        result = self.repo.run_git('commit', '-q', *args, env=self.env(top, replace))
        assert result.returncode == 0, result
        assert result.hooks.get(HOOK) == 0, result
        assert 'Traceback' not in result.output
        return result

    @property
    def buffer(self) -> str:
        """What the editor was shown."""
        return self.capture.read_text()

    def stored(self, rev: str = 'HEAD') -> str:
        """The stored message (``%B`` plus the newline git log ends an entry with)."""
        return self.repo.git('log', '-1', '--format=%B', rev).removesuffix('\n')


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.install_hooks(hooks=(HOOK, 'commit-msg'))
    editor = write(tmp_path / 'editor.sh', EDITOR)
    editor.chmod(0o755)
    return Setup(repo, tmp_path / 'buffer.txt', editor)


def hint_lines(text: str, comment: str = '#') -> list[str]:
    """The hint block: from its first line to the next blank or non-comment line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f'{comment} {HINT}'))
    block = []
    for line in lines[start:]:
        if not line.startswith(comment):
            break
        block.append(line)
    return block


def assert_hints(buffer: str, comment: str = '#') -> list[str]:
    assert f'{comment} {HINT} rule {RULE}' in buffer, buffer
    block = hint_lines(buffer, comment)
    text = '\n'.join(block)
    for needle in (RULE, CRITICAL, 'Reviewed-by', 'Change-Doc', 'senior',
                   'alice@example.com', 'Bob Builder <bob@example.com>'):
        assert needle in text, f'{needle!r} not in the hints:\n{text}'
    return block


def assert_clean(stored: str) -> None:
    assert HINT not in stored, stored
    assert not any(line.startswith('#') for line in stored.splitlines()), stored


# -- hints through the real git commit ----------------------------------------

def test_hints_in_the_editor_never_in_the_commit(setup: Setup) -> None:
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    typed = message('Charge twice', ASSISTED, *APPROVALS)
    result = setup.commit(top=typed)
    assert result.hooks.get('commit-msg') == 0
    block = assert_hints(setup.buffer)
    assert any('AI-assisted' in line for line in block), block  # the template does not say so yet
    assert setup.stored() == typed
    assert_clean(setup.stored())


def test_hints_for_a_message_that_discloses_ai_but_lacks_trailers(setup: Setup) -> None:
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    typed = message('Charge twice', ASSISTED, *APPROVALS)
    setup.commit('-e', '-m', 'Charge twice', '-m', ASSISTED, top=typed, replace=True)
    block = assert_hints(setup.buffer)
    assert 'needs these trailers' in '\n'.join(block)
    assert setup.buffer.startswith(f'Charge twice\n\n{ASSISTED}\n')
    assert setup.stored() == typed


def test_no_hints_when_the_message_already_has_the_trailers(setup: Setup) -> None:
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit('-e', '-m', 'Charge twice', '-m', '\n'.join((ASSISTED, *APPROVALS)), top='')
    assert HINT not in setup.buffer


def test_hints_stay_above_the_scissors_of_commit_verbose(setup: Setup) -> None:
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit('-v')
    buffer = setup.buffer
    assert_hints(buffer)
    assert SCISSORS in buffer
    assert buffer.index(HINT) < buffer.index(SCISSORS)
    assert 'diff --git' in buffer[buffer.index(SCISSORS):]
    assert setup.stored() == 'Charge\n'


def test_no_hints_when_nothing_protected_is_staged(setup: Setup) -> None:
    setup.repo.stage({OTHER: 'index = 1\n'})
    setup.commit()
    assert 'Please enter the commit message' in setup.buffer  # the editor did run
    assert HINT not in setup.buffer
    assert setup.stored() == 'Charge\n'


def test_no_hints_with_commit_m(setup: Setup) -> None:
    """git runs no editor (it sets GIT_EDITOR=:) and keeps comment lines of -m."""
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit('-m', 'Charge twice')
    assert not setup.capture.exists(), 'the editor ran'
    assert setup.stored() == 'Charge twice\n'


def test_no_hints_for_a_merge(setup: Setup) -> None:
    repo = setup.repo
    repo.git('checkout', '-q', '-b', 'feature')
    repo.commit_ok(message('Charge on the feature'), {CRITICAL: 'feature = 1\n'}, verify=False)
    repo.git('checkout', '-q', 'main')
    repo.commit_ok(message('Charge on main'), {CRITICAL: 'main = 1\n'}, verify=False)
    conflict = repo.run_git('merge', 'feature')
    assert conflict.returncode != 0, conflict
    repo.stage({CRITICAL: 'merged = 1\n'})  # the merge result touches the protected path
    setup.commit(top='')
    assert 'Merge branch' in setup.buffer
    assert HINT not in setup.buffer
    assert repo.git('rev-list', '--parents', '-1', 'HEAD').count(' ') == 2
    assert_clean(setup.stored())


def test_a_custom_comment_char(setup: Setup) -> None:
    setup.repo.git('config', 'core.commentChar', ';')
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit()
    assert_hints(setup.buffer, ';')
    assert '# trailgate' not in setup.buffer
    assert setup.stored() == 'Charge\n'


def test_no_hints_under_a_comment_string(setup: Setup) -> None:
    """git 2.45+ reads core.commentString (any length) in place of
    core.commentChar, older git ignores it: which one strips the hints is
    not known here, and a hint git does not strip is stored in the commit."""
    setup.repo.git('config', 'core.commentString', ';')
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit()
    assert HINT not in setup.buffer
    assert HINT not in setup.stored()


@needs_proc
@pytest.mark.parametrize('mode', ['verbatim', 'whitespace'])
@pytest.mark.parametrize('spelling', ['--cleanup={}', '--cleanup {}', '--clean={}'])
def test_cleanup_option_that_keeps_comments_gets_no_hints(setup: Setup, mode: str, spelling: str) -> None:
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit(*spelling.format(mode).split())
    assert HINT not in setup.stored()


@pytest.mark.parametrize('mode', ['verbatim', 'whitespace'])
def test_cleanup_config_that_keeps_comments_gets_no_hints(setup: Setup, mode: str) -> None:
    setup.repo.git('config', 'commit.cleanup', mode)
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit()
    assert HINT not in setup.buffer
    assert HINT not in setup.stored()


@pytest.mark.parametrize('verbose', [(), ('-v',)])
@pytest.mark.parametrize('comment', ['#', ';'])
def test_scissors_cleanup_keeps_comments_so_hints_go_below_the_scissors_line(
        setup: Setup, comment: str, verbose: tuple[str, ...]) -> None:
    """commit.cleanup=scissors keeps comment lines above the scissors line: a
    hint there was stored, and with core.commentChar=; it buried the message's
    Assisted-by trailer, so check no longer saw an AI-assisted change."""
    repo = setup.repo
    repo.git('config', 'commit.cleanup', 'scissors')
    repo.git('config', 'core.commentChar', comment)
    repo.stage({CRITICAL: 'twice = 1\n'})
    typed = message('Charge twice', ASSISTED)
    setup.commit('--no-verify', *verbose, top=typed)
    buffer = setup.buffer
    assert_hints(buffer, comment)
    assert buffer.index(f'{comment} {SCISSORS}') < buffer.index(HINT)
    if verbose:
        assert buffer.index(HINT) < buffer.index('diff --git')
    assert setup.stored() == typed
    assert repo.trailgate('check', 'HEAD^..HEAD').returncode == 1


def test_scissors_cleanup_without_git_s_status_lines_gets_no_hints(setup: Setup) -> None:
    """With commit.status=false git writes no scissors line: a hint would be kept."""
    setup.repo.git('config', 'commit.cleanup', 'scissors')
    setup.repo.git('config', 'commit.status', 'false')
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit()
    assert HINT not in setup.stored()


def test_comment_char_auto(setup: Setup) -> None:
    setup.repo.git('config', 'core.commentChar', 'auto')
    setup.repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit('-e', '-m', '#12 charge twice', top='')
    assert HINT not in setup.stored()


@pytest.mark.parametrize(('template', 'comment'), [('', '#'), ('Charge\n\n#12 was the cause\n', ';')])
@pytest.mark.parametrize('verbose', [(), ('-v',)])
def test_comment_char_auto_hints_with_the_character_git_chose(
        setup: Setup, tmp_path: Path, template: str, comment: str, verbose: tuple[str, ...]) -> None:
    """Under core.commentChar=auto git comments its own lines with the character
    it chose for the message: the hints use it too, and git strips them."""
    repo = setup.repo
    repo.git('config', 'core.commentChar', 'auto')
    if template:
        repo.git('config', 'commit.template', str(write(tmp_path / 'template.txt', template)))
    repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit(*verbose, top='Charge twice')
    assert_hints(setup.buffer, comment)
    assert HINT not in setup.stored()
    assert 'Charge twice' in setup.stored()


def test_comment_char_auto_without_git_s_status_lines_gets_no_hints(setup: Setup, tmp_path: Path) -> None:
    """commit.status=false: git writes no comment line, so which character it
    chose is not seen, and a hint written with another would be stored."""
    repo = setup.repo
    repo.git('config', 'core.commentChar', 'auto')
    repo.git('config', 'commit.status', 'false')
    repo.git('config', 'commit.template', str(write(tmp_path / 'template.txt', 'Charge\n\n#12 the cause\n')))
    repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit(top='Charge twice')
    assert HINT not in setup.buffer
    assert HINT not in setup.stored()


# -- the command itself ------------------------------------------------------------

def prepare(repo: Repo, msgfile: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    merged = {'GIT_EDITOR': 'vi', **(env or {})}  # an editor will run
    result = repo.trailgate(HOOK, str(msgfile), *args, env=merged)
    assert result.returncode == 0, result
    assert 'Traceback' not in result.output
    return result


@pytest.fixture
def staged(tmp_path: Path) -> tuple[Repo, Path]:
    repo = new_repo(tmp_path / 'repo', hooks=False)
    repo.stage({CRITICAL: 'twice = 1\n'})
    return repo, write(tmp_path / 'COMMIT_EDITMSG', '\n# Please enter the commit message.\n')


def test_a_staged_policy_change_gets_the_hints_of_the_rules_it_touches(staged: tuple[Repo, Path]) -> None:
    """A change to the policy file needs the policy owners' signed approvals,
    which no trailer gives: the hints name the rules a message can satisfy."""
    repo, msgfile = staged
    repo.stage({POLICY_PATH: POLICY + '# reworded\n'})
    prepare(repo, msgfile)
    assert f'# {HINT} rule {RULE}' in msgfile.read_text()


def test_idempotent(staged: tuple[Repo, Path]) -> None:
    repo, msgfile = staged
    prepare(repo, msgfile)
    once = msgfile.read_text()
    assert once.count(f'# {HINT} rule {RULE}') == 1, once
    prepare(repo, msgfile)
    assert msgfile.read_text() == once


def test_message_with_the_trailers_is_untouched(staged: tuple[Repo, Path]) -> None:
    repo, msgfile = staged
    text = message('Charge twice', ASSISTED, *APPROVALS)
    msgfile.write_text(text)
    prepare(repo, msgfile)
    assert msgfile.read_text() == text


@pytest.mark.parametrize(('source', 'hinted'), [('', True), ('message', True), ('template', True),
                                                ('merge', False), ('squash', False)])
def test_pre_commit_source_variable(staged: tuple[Repo, Path], source: str, hinted: bool) -> None:
    """pre-commit passes only the file; the source comes in PRE_COMMIT_COMMIT_MSG_SOURCE."""
    repo, msgfile = staged
    before = msgfile.read_text()
    prepare(repo, msgfile, env={'PRE_COMMIT_COMMIT_MSG_SOURCE': source})
    assert (HINT in msgfile.read_text()) is hinted
    if not hinted:
        assert msgfile.read_text() == before


def test_source_argument(staged: tuple[Repo, Path]) -> None:
    repo, msgfile = staged
    before = msgfile.read_text()
    prepare(repo, msgfile, 'merge')
    assert msgfile.read_text() == before
    prepare(repo, msgfile, 'message')
    assert HINT in msgfile.read_text()


def test_no_editor_no_hints(staged: tuple[Repo, Path]) -> None:
    repo, msgfile = staged
    before = msgfile.read_text()
    prepare(repo, msgfile, 'message', env={'GIT_EDITOR': ':'})
    assert msgfile.read_text() == before


# -- never blocks --------------------------------------------------------------------

def never_blocks(repo: Repo, msgfile: Path) -> Run:
    before = msgfile.read_text() if msgfile.exists() else None
    result = prepare(repo, msgfile)
    if before is not None:
        assert msgfile.read_text() == before
    return result


def test_never_blocks_without_a_policy(tmp_path: Path) -> None:
    repo = Repo(init_repo(tmp_path / 'repo'))
    repo.stage({CRITICAL: 'twice = 1\n'})
    never_blocks(repo, write(tmp_path / 'msg', '\n# comment\n'))


def test_never_blocks_with_an_invalid_policy(staged: tuple[Repo, Path]) -> None:
    repo, msgfile = staged
    write(repo.path / POLICY_PATH, 'version: 2\nrules: {\n')
    never_blocks(repo, msgfile)


def test_never_blocks_outside_a_repository(tmp_path: Path) -> None:
    outside = Repo(tmp_path, env={'GIT_CEILING_DIRECTORIES': str(tmp_path.parent)})
    never_blocks(outside, write(tmp_path / 'msg', '\n# comment\n'))


def test_never_blocks_without_a_message_file(staged: tuple[Repo, Path], tmp_path: Path) -> None:
    repo, _ = staged
    never_blocks(repo, tmp_path / 'missing')


def test_never_blocks_a_real_commit_with_an_invalid_policy(setup: Setup) -> None:
    repo = setup.repo
    # prepare-commit-msg only: commit-msg would refuse (exit 2)
    repo.install_hooks(repo.path.parent / 'prepare-only', hooks=(HOOK,))
    write(repo.path / POLICY_PATH, 'version: 2\n')
    repo.stage({CRITICAL: 'twice = 1\n'})
    setup.commit()
    assert setup.stored() == 'Charge\n'


def test_the_console_script_exits_0(staged: tuple[Repo, Path]) -> None:
    """The installed ``trailgate`` entry point, not only ``python -m``."""
    repo, _ = staged
    script = Path(sys.executable).parent / 'trailgate'
    if not script.exists():
        pytest.skip('no trailgate console script next to this interpreter')
    result = repo.run(str(script), HOOK, str(repo.path / 'no-such-file'))
    assert result.returncode == 0, result


def test_trailers_present_before_any_ai_mark_leave_the_message_untouched(
        staged: tuple[Repo, Path]) -> None:
    """The hints say "if AI-assisted, it needs ..."; a message that has it all needs no hint."""
    repo, msgfile = staged
    text = message('Charge twice', *APPROVALS)
    msgfile.write_text(text)
    prepare(repo, msgfile)
    assert msgfile.read_text() == text


@pytest.fixture
def protected_setup(tmp_path: Path) -> Setup:
    repo = new_repo(tmp_path / 'repo', PROTECTED_POLICY, hooks=False)
    repo.install_hooks(hooks=(HOOK, 'commit-msg'))
    editor = write(tmp_path / 'editor.sh', EDITOR)
    editor.chmod(0o755)
    return Setup(repo, tmp_path / 'buffer.txt', editor)


def test_on_a_feature_branch_hints_name_no_reviewer(protected_setup: Setup) -> None:
    """Off a protected branch nobody has reviewed yet: the hint says what the change
    will need, never names to type."""
    protected_setup.repo.git('switch', '-q', '-c', 'feature')
    protected_setup.repo.stage({CRITICAL: 'twice = 1\n'})
    protected_setup.commit('-e', '-m', 'Charge twice', '-m', ASSISTED,
                           top=message('Charge twice', ASSISTED), replace=True)
    text = '\n'.join(hint_lines(protected_setup.buffer))
    assert 'Before it lands on a protected branch, it will need these trailers' in text, text
    assert 'Reviewed-by: <added after the review: 2 distinct of group senior>' in text
    assert 'alice@example.com' not in text and 'Bob Builder' not in text


def test_on_a_protected_branch_hints_as_before(protected_setup: Setup) -> None:
    protected_setup.repo.stage({CRITICAL: 'twice = 1\n'})
    protected_setup.commit('-e', '-m', 'Charge twice', '-m', ASSISTED,
                           top=message('Charge twice', ASSISTED, *APPROVALS), replace=True)
    assert 'needs these trailers' in '\n'.join(assert_hints(protected_setup.buffer))


def test_signed_reviews_are_hinted_as_approvals_never_as_a_trailer() -> None:
    from testing.approvals import signed_policy
    from trailgate.commands.prepare_commit_msg import _hint_lines
    from trailgate.evaluate import RuleResult
    from trailgate.policy import load_policy

    policy = load_policy(signed_policy().encode(), 'policy.yaml')
    result = RuleResult('tier1-payments', ('services/payments/a.py',), True, '', ())
    for remind in (False, True):
        text = '\n'.join(_hint_lines(policy, result, True, remind))
        assert 'trailgate approve' in text, text
        assert 'Reviewed-by' not in text and 'alice@example.com' not in text, text


def test_a_staged_path_never_writes_a_line_of_its_own(tmp_path: Path) -> None:
    # a path is bytes someone else may have chosen (a cherry-pick, an edited
    # revert): a newline in it must not end the comment and leave the rest,
    # a trailer here, as a line of the message; nor an escape reach the editor
    repo = new_repo(tmp_path / 'repo', hooks=False)
    hostile = CRITICAL.rsplit('/', 1)[0] + '/x\nReviewed-by: Alice Archer <alice@example.com>\x1b[8m.py'
    repo.stage({hostile: 'twice = 1\n'})
    msgfile = write(tmp_path / 'COMMIT_EDITMSG', 'Charge twice\n')
    prepare(repo, msgfile)
    text = msgfile.read_text()
    assert [line for line in text.splitlines() if not line.startswith('#')] == ['Charge twice'], text
    assert '\x1b' not in text
    assert '/x\\x0aReviewed-by: Alice Archer <alice@example.com>\\x1b[8m.py' in text, text
