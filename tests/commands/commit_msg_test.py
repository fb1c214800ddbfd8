"""``trailgate commit-msg`` through the real ``git commit``, hook installed.

Every commit here is made by git itself with ``core.hooksPath`` pointing at
a script that runs ``python -m trailgate commit-msg``; the script records
the hook's own exit status, so a refusal (1) and an error (2) can be told
apart although ``git commit`` fails with 1 either way.
"""
from __future__ import annotations

import datetime
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from testing.scenarios import ALICE
from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import BOB
from testing.scenarios import CAROL
from testing.scenarios import CLAUDE
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import DOC_TICKET
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import editor
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import policy
from testing.util import git_env
from testing.util import init_repo
from testing.util import trailgate

HOOK = 'commit-msg'
CLAUDE_FOOTER = '\U0001f916 Generated with [Claude Code](https://claude.com/claude-code)'
# git does not tell commit-msg that it amends; trailgate looks at /proc (Linux)
needs_proc = pytest.mark.skipif(not os.path.exists('/proc/self/cmdline'),
                                reason='amend detection reads /proc')


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return new_repo(tmp_path / 'repo')


def accepted(result: Run, repo: Repo, before: str | None = None) -> None:
    assert result.returncode == 0, result.output
    assert result.hooks.get(HOOK) == 0, f'the hook did not run or failed: {result}'
    if before is not None:
        assert repo.head() != before
    assert 'Traceback' not in result.output


def refused(result: Run, repo: Repo, before: str | None, *needles: str) -> None:
    assert result.returncode != 0, f'git commit succeeded: {result}'
    assert result.hooks.get(HOOK) == 1, f'hook status is not 1 (refused): {result}'
    assert repo.rev('HEAD') == before, 'a refused commit was made'
    assert 'Traceback' not in result.output
    for needle in needles:
        assert needle in result.stderr, f'{needle!r} not in:\n{result.stderr}'


def errored(result: Run, *needles: str) -> None:
    assert result.returncode != 0, f'git commit succeeded: {result}'
    assert result.hooks.get(HOOK) == 2, f'hook status is not 2 (error): {result}'
    assert 'Traceback' not in result.output
    for needle in needles:
        assert needle in result.stderr, f'{needle!r} not in:\n{result.stderr}'


# -- the basic verdicts -------------------------------------------------------

AI_MARKS = {
    'co-authored-by': {'trailers': (CO_AUTHORED,)},
    'assisted-by': {'trailers': ('Assisted-by: X',)},
    'author-identity': {'trailers': (), 'author': CLAUDE},
    'author-option': {'trailers': (), 'args': ('--author', CLAUDE)},
}


@pytest.mark.parametrize('mark', AI_MARKS.values(), ids=AI_MARKS.keys())
def test_ai_change_to_critical_path_refused_then_accepted(repo: Repo, mark: dict) -> None:
    trailers = mark['trailers']
    options = {'author': mark.get('author'), 'args': mark.get('args', ())}
    before = repo.head()

    result = repo.commit(message('Charge in cents', *trailers), {CRITICAL: 'cents = 1\n'},
                         **options)
    refused(result, repo, before, RULE, 'missing-review', 'missing-documentation',
            'Reviewed-by', 'Change-Doc', CRITICAL)
    assert re.search(r'''--trailer ['"]Reviewed-by: [^'"]+['"]''', result.stderr), result.stderr
    assert 'AI-assisted' in result.stderr
    assert result.stderr.startswith('refused Charge in cents')

    result = repo.commit(message('Charge in cents', *trailers, *APPROVALS), **options)
    accepted(result, repo, before)
    assert repo.git('log', '-1', '--format=%(trailers:key=Reviewed-by,valueonly)').split('\n')[:2] \
        == [ALICE, BOB]


def test_suggested_fix_command_runs(repo: Repo) -> None:
    """The refusal's `git commit --trailer ...` is ready to run as printed."""
    result = repo.commit(message('Charge in cents', ASSISTED, DOC_TICKET), {CRITICAL: 'c = 1\n'})
    assert result.hooks[HOOK] == 1
    fix = next(line for line in result.stderr.splitlines() if line.strip().startswith('fix:'))
    command = shlex.split(fix.split('fix:', 1)[1].split('   (', 1)[0])
    assert command[:2] == ['git', 'commit']
    # the review trailers it names, given to git as printed
    reviews = [arg for arg in command[2:] if arg.startswith('Reviewed-by:')]
    assert len(reviews) == 2
    options = [part for review in reviews for part in ('--trailer', review)]
    before = repo.head()
    result = repo.commit(message('Charge in cents', ASSISTED, DOC_TICKET), args=options)
    accepted(result, repo, before)


def test_human_commit_to_critical_path_accepted(repo: Repo) -> None:
    before = repo.head()
    accepted(repo.commit(message('Charge in cents'), {CRITICAL: 'c = 1\n'}), repo, before)


def test_ai_commit_to_other_path_accepted(repo: Repo) -> None:
    before = repo.head()
    result = repo.commit(message('Faster search', CO_AUTHORED), {OTHER: 'fast = True\n'},
                         author=CLAUDE)
    accepted(result, repo, before)
    assert result.stderr == ''


def test_commit_from_a_subdirectory(repo: Repo) -> None:
    repo.stage({CRITICAL: 'c = 2\n'})
    before = repo.head()
    subdir = repo.path / 'services' / 'payments'
    result = repo.run('git', 'commit', '-q', '-F', '-', input=message('Charge', ASSISTED),
                      cwd=subdir)
    refused(result, repo, before, RULE)
    result = repo.run('git', 'commit', '-q', '-F', '-', cwd=subdir,
                      input=message('Charge', ASSISTED, *APPROVALS))
    accepted(result, repo, before)


@pytest.mark.parametrize('how', ['all', 'only'])
def test_commit_all_and_pathspec_use_the_index_git_commits(repo: Repo, how: str) -> None:
    """`git commit -a` and `git commit <path>` commit through a temporary index."""
    repo.write({CRITICAL: 'changed = 1\n'})  # not staged
    repo.stage({OTHER: 'staged = 1\n'})
    args = ['-a'] if how == 'all' else ['--', CRITICAL]
    before = repo.head()
    result = repo.commit(message('Tidy', ASSISTED), args=args)
    refused(result, repo, before, RULE, CRITICAL)
    accepted(repo.commit(message('Tidy', ASSISTED, *APPROVALS), args=args), repo, before)
    assert CRITICAL in repo.git('show', '--name-only', '--format=', 'HEAD')


# -- reviews -------------------------------------------------------------------

@pytest.mark.parametrize('author', [ALICE, 'Alice A. <ALICE@Example.COM>'])
def test_author_does_not_review_own_commit(repo: Repo, author: str) -> None:
    before = repo.head()
    result = repo.commit(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 3\n'},
                         author=author)
    refused(result, repo, before, RULE, 'missing-review')
    assert 'has 1' in result.stderr


def test_same_reviewer_twice_counts_once(repo: Repo) -> None:
    before = repo.head()
    trailers = (ASSISTED, REVIEW_ALICE, 'Reviewed-by: Alice <ALICE@example.com>',
                'Reviewed-by: alice@example.com', DOC_TICKET)
    result = repo.commit(message('Charge', *trailers), {CRITICAL: 'c = 4\n'})
    refused(result, repo, before, RULE, 'missing-review', 'has 1')
    assert 'missing-documentation' not in result.stderr


def test_review_lines_in_the_body_are_not_trailers(repo: Repo) -> None:
    before = repo.head()
    text = (
        'Charge\n\n'
        f'{REVIEW_ALICE}\n{REVIEW_BOB}\n\n'
        'This paragraph explains the change, so the lines above are body text.\n\n'
        f'{ASSISTED}\n{DOC_TICKET}\n'
    )
    result = repo.commit(text, {CRITICAL: 'c = 5\n'})
    refused(result, repo, before, RULE, 'missing-review')


def test_reviewer_outside_the_group_does_not_count(repo: Repo) -> None:
    before = repo.head()
    trailers = (ASSISTED, REVIEW_ALICE, f'Reviewed-by: {CAROL}', DOC_TICKET)
    result = repo.commit(message('Charge', *trailers), {CRITICAL: 'c = 6\n'})
    refused(result, repo, before, RULE, 'missing-review')


# -- documentation -----------------------------------------------------------

DOC_FILE = 'docs/changes/pay-123.md'


@pytest.mark.parametrize(('value', 'staged', 'ok'), [
    pytest.param(DOC_FILE, True, True, id='staged-file'),
    pytest.param('PAY-123', False, True, id='pattern'),
    pytest.param('pay-123', False, False, id='pattern-mismatch'),
    pytest.param('docs/changes/missing.md', True, False, id='missing-file'),
    pytest.param(f'../{DOC_FILE}', True, False, id='dotdot'),
    pytest.param('docs/changes/../changes/pay-123.md', True, False, id='dotdot-inside'),
    pytest.param('/' + DOC_FILE, True, False, id='absolute'),
    pytest.param('docs/other/pay-123.md', True, False, id='outside-doc-paths'),
    pytest.param(DOC_FILE, False, False, id='only-in-work-tree'),
])
def test_documentation_trailer(repo: Repo, value: str, staged: bool, ok: bool) -> None:
    files = {CRITICAL: 'c = 7\n'}
    doc = {DOC_FILE: '# PAY-123\n', 'docs/other/pay-123.md': '# other\n'}
    if staged:
        files.update(doc)
    else:
        repo.write(doc)
    before = repo.head()
    result = repo.commit(message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB,
                                 f'Change-Doc: {value}'), files)
    if ok:
        accepted(result, repo, before)
    else:
        refused(result, repo, before, RULE, 'missing-documentation')
        assert 'missing-review' not in result.stderr


def test_documentation_symlink_does_not_count(repo: Repo) -> None:
    repo.write({'notes.md': 'plan\n'})
    link = repo.path / 'docs' / 'changes' / 'link.md'
    link.parent.mkdir(parents=True)
    link.symlink_to('../../notes.md')
    repo.git('add', 'notes.md', 'docs/changes/link.md')
    before = repo.head()
    result = repo.commit(message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB,
                                 'Change-Doc: docs/changes/link.md'), {CRITICAL: 'c = 8\n'})
    refused(result, repo, before, RULE, 'missing-documentation')


def _git_commands(trace: Path) -> list[str]:
    return [line.split('built-in: git ', 1)[1].split()[0] for line in trace.read_text().splitlines()
            if 'built-in: git ' in line]


@pytest.mark.parametrize(('staged_doc', 'expected'), [
    # the staged diff gives the new document's mode: git is asked nothing more
    pytest.param(True, ['var', 'diff', 'rev-parse'], id='document-in-the-change'),
    pytest.param(False, ['var', 'diff', 'rev-parse', 'ls-files'], id='older-document'),
])
def test_git_processes_the_verdict_needs(repo: Repo, tmp_path: Path, staged_doc: bool,
                                         expected: list[str]) -> None:
    if not staged_doc:
        repo.commit_ok(message('Add the doc'), {DOC_FILE: '# PAY-123\n'}, verify=False)
    repo.stage({CRITICAL: 'c = 10\n', **({DOC_FILE: '# PAY-123\n'} if staged_doc else {})})
    msgfile = tmp_path / 'MSG'
    msgfile.write_text(message('Charge', ASSISTED, REVIEW_ALICE, REVIEW_BOB, f'Change-Doc: {DOC_FILE}'))
    trace = tmp_path / 'trace'
    result = repo.trailgate('commit-msg', str(msgfile), env={'GIT_TRACE': str(trace)})
    assert result.returncode == 0, result.output
    assert sorted(_git_commands(trace)) == sorted(expected)


# -- break-glass -------------------------------------------------------------

def test_break_glass_by_sre_accepted_and_reported_overridden(repo: Repo) -> None:
    before = repo.head()
    result = repo.commit(message('Hotfix', ASSISTED, 'Break-Glass: payments down, INC-7'),
                         {CRITICAL: 'c = 9\n'}, author=CAROL)
    accepted(result, repo, before)
    assert 'overridden' in result.stderr
    assert 'payments down, INC-7' in result.stderr
    assert RULE in result.stderr


def test_break_glass_by_someone_outside_the_group_refused(repo: Repo) -> None:
    before = repo.head()
    result = repo.commit(message('Hotfix', ASSISTED, 'Break-Glass: payments down'),
                         {CRITICAL: 'c = 10\n'})
    refused(result, repo, before, RULE, 'Break-Glass', 'sre')


@pytest.mark.parametrize('trailer', ['Break-Glass:', 'Break-Glass:   ', 'break-glass: \t'])
def test_break_glass_without_reason_refused(repo: Repo, trailer: str) -> None:
    before = repo.head()
    result = repo.commit(message('Hotfix', ASSISTED, trailer), {CRITICAL: 'c = 11\n'},
                         author=CAROL)
    refused(result, repo, before, RULE)
    assert 'reason' in result.stderr


# -- how git hands over the message --------------------------------------------

def test_verbose_editor_scissors_content_ignored(repo: Repo, tmp_path: Path) -> None:
    """`git commit -v`: the file holds comments, a scissors line and the diff."""
    diff_bait = f'{REVIEW_BOB}\n'  # the staged change itself holds a review-looking line
    repo.stage({CRITICAL: f'c = 12\n{diff_bait}'})
    before = repo.head()
    top = message('Charge', ASSISTED, REVIEW_ALICE, DOC_TICKET)
    env = editor(tmp_path / 'edit.py', top, bottom=f'\n{REVIEW_BOB}\n')
    result = repo.run('git', 'commit', '-q', '-v', env=env)
    refused(result, repo, before, RULE, 'missing-review', 'has 1')

    env = editor(tmp_path / 'edit.py', message('Charge', ASSISTED, *APPROVALS))
    result = repo.run('git', 'commit', '-q', '-v', env=env)
    accepted(result, repo, before)
    stored = repo.git('log', '-1', '--format=%B')
    assert '>8' not in stored and 'diff --git' not in stored


@pytest.mark.parametrize('setting', [('-c', 'commit.cleanup=scissors'), ()])
def test_scissors_clean_up_without_an_editor_keeps_what_follows_the_scissors_line(
        repo: Repo, setting: tuple[str, ...]) -> None:
    """git cuts at the scissors line only when an editor runs (or with -v): for -m,
    --cleanup=scissors is whitespace, and the lines below that line are stored, where
    check and the server read a marker in them."""
    repo.stage({CRITICAL: 'c = 40\n'})
    before = repo.head()
    command = ('git', *setting, 'commit', '-q', *(() if setting else ('--cleanup=scissors',)), '-m', 'Charge',
               '-m', '# ------------------------ >8 ------------------------', '-m', CLAUDE_FOOTER)
    refused(repo.run(*command), repo, before, RULE, 'missing-review')

    assert repo.run(*command, '--no-verify').returncode == 0
    assert 'claude-code-footer' in repo.trailgate('explain').stdout  # as check and the server read it


CLEANUP_BAIT = {
    'as written': message('Charge', ASSISTED, *APPROVALS),
    'a comment in the trailer block': f'Charge\n\n{ASSISTED}\n{REVIEW_ALICE}\n# note\n{REVIEW_BOB}\n{DOC_TICKET}\n',
    'a review only in a comment': f'Charge\n\n{ASSISTED}\n{REVIEW_ALICE}\n# {REVIEW_BOB}\n{DOC_TICKET}\n',
    'blank lines and trailing blanks':
        f'Charge  \n\n\n\n{ASSISTED}  \n{REVIEW_ALICE}\t\n{REVIEW_BOB}\n{DOC_TICKET}\n\n\n',
}


@pytest.mark.parametrize('mode', ['strip', 'whitespace', 'scissors', 'verbatim', 'default'])
def test_every_cleanup_mode_is_judged_as_the_stored_commit_is(repo: Repo, tmp_path: Path, mode: str) -> None:
    """With an editor, each --cleanup mode stores the message otherwise; commit-msg's
    verdict is the one check (explain) gives the commit git stored."""
    for number, (case, text) in enumerate(CLEANUP_BAIT.items()):
        repo.stage({CRITICAL: f'c = {mode}{number}\n'})
        before = repo.head()
        command = ('git', 'commit', '-q', f'--cleanup={mode}')
        env = editor(tmp_path / 'e.py', text)
        hook_accepts = repo.run(*command, env=env).returncode == 0
        if hook_accepts:
            repo.git('reset', '-q', '--soft', before)
        assert repo.run(*command, '--no-verify', env=env).returncode == 0, case
        stored_accepted = repo.trailgate('explain').returncode == 0
        assert hook_accepts == stored_accepted, (case, repo.git('log', '-1', '--format=%B'))
        if mode == 'verbatim':  # git's own comment lines are kept below the text too
            assert repo.git('log', '-1', '--format=%B').startswith(text.rstrip('\n')), case


def test_comment_char(repo: Repo, tmp_path: Path) -> None:
    repo.git('config', 'core.commentChar', ';')
    repo.stage({CRITICAL: 'c = 13\n'})
    before = repo.head()
    # git's template lines start with ';'; a ';' line in the trailer block is a comment
    top = f'Charge\n\n{ASSISTED}\n{REVIEW_ALICE}\n; {REVIEW_BOB}\n{DOC_TICKET}\n'
    result = repo.run('git', 'commit', '-q', '-v', env=editor(tmp_path / 'e.py', top))
    refused(result, repo, before, RULE, 'missing-review', 'has 1')

    top = message('Charge', ASSISTED, *APPROVALS)
    result = repo.run('git', 'commit', '-q', '-v', env=editor(tmp_path / 'e.py', top))
    accepted(result, repo, before)


@needs_proc
def test_amend_that_drops_the_reviews_refused(repo: Repo) -> None:
    reviewed = repo.commit_ok(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 14\n'})
    # nothing staged: the amended commit still changes the critical file
    result = repo.commit(message('Charge', ASSISTED), args=['--amend'])
    refused(result, repo, reviewed, RULE, 'missing-review')
    accepted(repo.commit(message('Charge, reworded', ASSISTED, *APPROVALS), args=['--amend']),
             repo, reviewed)


@needs_proc
def test_abbreviated_amend_option_still_detected(repo: Repo) -> None:
    reviewed = repo.commit_ok(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 15\n'})
    result = repo.commit(message('Charge', ASSISTED), args=['--amen'])
    refused(result, repo, reviewed, RULE, 'missing-review')


@needs_proc
def test_amend_by_git_as_the_first_process_of_a_container_refused(repo: Repo) -> None:
    """`docker run --entrypoint git ... commit --amend`: git is pid 1 of its pid
    namespace, and its amend is still an amend."""
    unshare = ('unshare', '-r', '--pid', '--fork', '--mount-proc')
    if shutil.which('unshare') is None or subprocess.run((*unshare, 'true'), capture_output=True).returncode:
        pytest.skip('no unprivileged pid namespace here')
    reviewed = repo.commit_ok(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 17\n'})
    result = repo.run(*unshare, 'git', 'commit', '-q', '-F', '-', '--amend', input=message('Charge', ASSISTED))
    refused(result, repo, reviewed, RULE, 'missing-review')


@needs_proc
def test_amend_through_an_alias_refused(repo: Repo) -> None:
    reviewed = repo.commit_ok(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 16\n'})
    repo.git('config', 'alias.fixup-msg', 'commit --amend')
    result = repo.run('git', 'fixup-msg', '-q', '-F', '-', input=message('Charge', ASSISTED))
    refused(result, repo, reviewed, RULE, 'missing-review')


@needs_proc
def test_amend_after_a_global_option_with_a_separate_value_refused(repo: Repo) -> None:
    """`git --config-env NAME=VAR commit --amend`: the value is no subcommand."""
    reviewed = repo.commit_ok(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 17\n'})
    result = repo.run('git', '--config-env', 'trailgate.probe=HOME', 'commit', '-q', '-F', '-', '--amend',
                      input=message('Charge', ASSISTED))
    refused(result, repo, reviewed, RULE, 'missing-review')


@needs_proc
def test_rebase_reword_that_drops_the_reviews_refused(repo: Repo, tmp_path: Path) -> None:
    """`rebase -i` reword runs `git commit --amend` with commit-msg."""
    repo.commit_ok(message('Charge', ASSISTED, *APPROVALS), {CRITICAL: 'c = 17\n'})
    repo.commit_ok(message('Search'), {OTHER: 'o\n'})
    before = repo.head()
    env = editor(tmp_path / 'reword.py', message('Charge', ASSISTED), replace=True)
    env['GIT_SEQUENCE_EDITOR'] = "sed -i -e '1s/^pick/reword/'"
    result = repo.run_git('rebase', '-i', 'HEAD~2', env=env)
    assert result.returncode != 0, result
    assert result.hooks.get(HOOK) == 1, result
    assert RULE in result.stderr
    repo.git('rebase', '--abort')
    assert repo.head() == before


@needs_proc
def test_amend_of_the_root_commit(tmp_path: Path) -> None:
    repo = Repo(init_repo(tmp_path / 'repo'))
    repo.install_hooks()
    repo.write({POLICY_PATH: POLICY})
    root = repo.commit_ok(message('Start', REVIEW_ALICE, REVIEW_BOB), {CRITICAL: 'c = 1\n'})
    result = repo.commit(message('Start', ASSISTED, REVIEW_ALICE), args=['--amend'])
    refused(result, repo, root, RULE, CRITICAL)


# -- merges ------------------------------------------------------------------

def _branches(repo: Repo, side_files: dict[str, str], main_files: dict[str, str],
              side_message: str) -> None:
    repo.git('switch', '-q', '-c', 'side')
    repo.commit_ok(side_message, side_files)
    repo.git('switch', '-q', 'main')
    repo.commit_ok(message('Main work'), main_files)


def test_merge_whose_combined_diff_touches_no_critical_file_accepted(repo: Repo) -> None:
    _branches(repo, {CRITICAL: 'reviewed = 1\n', 'side.txt': 'side\n'}, {OTHER: 'main\n'},
              message('Reviewed change', ASSISTED, *APPROVALS))
    before = repo.head()
    result = repo.run_git('merge', '-q', '--no-ff', 'side', '-m', 'Merge side', '-m', ASSISTED)
    accepted(result, repo, before)
    assert len(repo.git('log', '-1', '--format=%P').split()) == 2


def test_merge_conflict_resolution_changing_critical_file_refused(repo: Repo) -> None:
    _branches(repo, {CRITICAL: 'side = 1\n'}, {CRITICAL: 'main = 1\n'},
              message('Reviewed change', ASSISTED, *APPROVALS))
    before = repo.head()
    conflict = repo.run_git('merge', '-q', 'side')
    assert conflict.returncode == 1 and 'CONFLICT' in conflict.output
    repo.stage({CRITICAL: 'side = 1\nmain = 1\n'})  # a resolution unlike either parent
    result = repo.commit(message('Merge side', ASSISTED))
    refused(result, repo, before, RULE, CRITICAL)
    result = repo.commit(message('Merge side', ASSISTED, *APPROVALS))
    accepted(result, repo, before)
    assert len(repo.git('log', '-1', '--format=%P').split()) == 2


def test_merge_taking_one_side_of_a_conflict_accepted(repo: Repo) -> None:
    _branches(repo, {CRITICAL: 'side = 1\n'}, {CRITICAL: 'main = 1\n'},
              message('Reviewed change', ASSISTED, *APPROVALS))
    before = repo.head()
    assert repo.run_git('merge', '-q', 'side').returncode == 1
    repo.git('checkout', '--theirs', '--', CRITICAL)
    repo.git('add', CRITICAL)
    accepted(repo.commit(message('Merge side', ASSISTED)), repo, before)


@pytest.mark.skipif(not os.path.exists('/proc/self/cmdline'), reason='amend detection reads /proc')
def test_amending_a_merge_judges_its_combined_diff(repo: Repo) -> None:
    """`git commit --amend` of a merge makes a merge of the same parents: its
    paths are those of its combined diff, as for the merge it replaces. The
    diff against its first parent alone brought in every path of the merged
    branch: a reworded merge of a reviewed change was refused."""
    _branches(repo, {CRITICAL: 'reviewed = 1\n'}, {OTHER: 'main\n'},
              message('Reviewed change', ASSISTED, *APPROVALS))
    repo.git('merge', '-q', '--no-ff', '--no-edit', 'side')
    merge = repo.head()

    result = repo.commit(message("Merge branch 'side'", ASSISTED), args=['--amend'])

    accepted(result, repo, merge)
    assert repo.git('log', '-1', '--format=%P').split() == repo.git('log', '-1', '--format=%P', merge).split()
    assert repo.trailgate('check', f'{merge}^..HEAD').returncode == 0


def test_amending_a_merge_still_judges_a_resolution_of_its_own(repo: Repo) -> None:
    _branches(repo, {CRITICAL: 'side = 1\n'}, {CRITICAL: 'main = 1\n'},
              message('Reviewed change', ASSISTED, *APPROVALS))
    assert repo.run_git('merge', '-q', 'side').returncode == 1
    repo.stage({CRITICAL: 'side = 1\nmain = 1\n'})
    merge = repo.commit_ok(message('Merge side', ASSISTED, *APPROVALS))

    result = repo.commit(message('Merge side', ASSISTED), args=['--amend'])

    refused(result, repo, merge, RULE, CRITICAL)


# -- errors ------------------------------------------------------------------

def test_missing_policy(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', policy_text=None)
    result = repo.commit(message('Charge', ASSISTED), {CRITICAL: 'c = 17\n'})
    errored(result, 'trailgate init')
    direct = repo.trailgate(HOOK, '.git/COMMIT_EDITMSG')
    assert direct.returncode == 2
    assert 'trailgate init' in direct.stderr


def test_missing_policy_named_from_the_subdirectory_the_commit_is_made_in(tmp_path: Path) -> None:
    """git runs the hook at the top level; the path it prints is for the
    user, who stands where GIT_PREFIX says."""
    repo = new_repo(tmp_path / 'repo', policy_text=None)
    repo.stage({CRITICAL: 'c = 17\n'})
    result = repo.run('git', 'commit', '-q', '-F', '-', input=message('Charge', ASSISTED),
                      cwd=repo.path / 'services' / 'payments')
    errored(result, 'no policy: ../../.trailgate/policy.yaml does not exist')


def test_invalid_policy(repo: Repo) -> None:
    repo.write({POLICY_PATH: policy('applies_too: all')})
    result = repo.commit(message('Charge', ASSISTED), {CRITICAL: 'c = 18\n'})
    errored(result)
    assert re.search(r'^\S*\.trailgate/policy\.yaml:9:5: .*applies_too', result.stderr, re.M), \
        result.stderr


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / 'msg').write_text(message('Charge', ASSISTED))
    result = trailgate(tmp_path, HOOK, 'msg', env=git_env(GIT_CEILING_DIRECTORIES=str(tmp_path)))
    assert result.returncode == 2, result
    assert 'not a git repository' in result.stderr
    assert 'Traceback' not in result.stderr + result.stdout


@pytest.mark.parametrize('name', ['missing', 'directory'])
def test_unreadable_message_file(repo: Repo, name: str) -> None:
    (repo.path / 'directory').mkdir()
    repo.stage({CRITICAL: 'c = 19\n'})
    result = repo.trailgate(HOOK, name)
    assert result.returncode == 2, result
    assert name in result.stderr
    assert 'Traceback' not in result.output


def test_binary_message_file(repo: Repo) -> None:
    repo.stage({CRITICAL: 'c = 20\n'})
    path = repo.path / '.git' / 'BINARY_MSG'
    path.write_bytes(b'Charge \x01\xfe\xff\n\n\x7fgarbage\xc3\x28\x1b[31m\n\nAssisted-by: Claude\n')
    result = repo.trailgate(HOOK, str(path))
    assert result.returncode == 1, result
    assert RULE in result.stderr
    assert 'Traceback' not in result.output
    path.write_bytes(bytes(range(1, 256)) * 4)
    result = repo.trailgate(HOOK, str(path))
    assert result.returncode == 0, result
    assert 'Traceback' not in result.output


def test_message_with_nul_byte(repo: Repo) -> None:
    """git stops reading a message at NUL (and refuses to store it): no crash."""
    before = repo.head()
    result = repo.commit(b'Charge \x00\xff\n\nAssisted-by: Claude\n', {CRITICAL: 'c = 20\n'})
    assert result.returncode != 0
    assert repo.head() == before
    assert result.hooks.get(HOOK) in (0, 1)
    assert 'Traceback' not in result.output


def test_non_utf8_message(repo: Repo) -> None:
    """A Latin-1 message, as git accepts with a warning."""
    before = repo.head()
    text = 'Caf\xe9 charge\n\nAssisted-by: Cl\xe9ment\n'.encode('latin-1')
    result = repo.commit(text, {CRITICAL: 'c = 21\n'})
    refused(result, repo, before, RULE)
    assert 'Caf' in result.stderr
    text = ('Caf\xe9 charge\n\nAssisted-by: Cl\xe9ment\n' + '\n'.join(APPROVALS)).encode('latin-1')
    accepted(repo.commit(text), repo, before)


# -- paths ---------------------------------------------------------------------

ODD_NAMES = {
    'space': 'services/payments/with space.py',
    'newline': 'services/payments/new\nline.py',
    'non-ascii': 'services/payments/caf\xe9 \u00fcber.py',
    'non-utf8': os.fsdecode(b'services/payments/\xff\xfe.py'),
    'tab-quote': 'services/payments/"quoted"\t.py',
}


@pytest.mark.parametrize('name', ODD_NAMES.values(), ids=ODD_NAMES.keys())
def test_staged_file_names(repo: Repo, name: str) -> None:
    before = repo.head()
    result = repo.commit(message('Odd file', ASSISTED), {name: 'odd = 1\n'})
    refused(result, repo, before, RULE)
    repo.git('reset', '-q')
    outside = name.replace('services/payments/', 'services/search/')
    accepted(repo.commit(message('Odd file elsewhere', ASSISTED), {outside: 'odd\n'}),
             repo, before)
    before = repo.head()
    accepted(repo.commit(message('Odd file', ASSISTED, *APPROVALS), {name: 'odd = 1\n'}),
             repo, before)


def test_deleting_a_critical_file_counts(repo: Repo) -> None:
    before = repo.head()
    result = repo.commit(message('Remove charge', ASSISTED), remove=[CRITICAL])
    refused(result, repo, before, RULE, CRITICAL)


def test_unborn_branch(tmp_path: Path) -> None:
    repo = Repo(init_repo(tmp_path / 'repo'))
    repo.install_hooks()
    files = {POLICY_PATH: POLICY, CRITICAL: 'c = 1\n'}
    result = repo.commit(message('Start', ASSISTED), files)
    refused(result, repo, None, RULE, 'policy-owners', CRITICAL)
    accepted(repo.commit(message('Start', ASSISTED, *APPROVALS)), repo)


def test_linked_worktree(repo: Repo, tmp_path: Path) -> None:
    repo.git('worktree', 'add', '-q', '-b', 'feature', str(tmp_path / 'wt'))
    tree = Repo(tmp_path / 'wt')
    before = tree.head()
    result = tree.commit(message('Charge', ASSISTED), {CRITICAL: 'c = 22\n'})
    refused(result, tree, before, RULE)
    accepted(tree.commit(message('Charge', ASSISTED, *APPROVALS)), tree, before)
    assert repo.head() == before  # main did not move


def test_linked_worktree_merge(repo: Repo, tmp_path: Path) -> None:
    """MERGE_HEAD of a linked worktree lives in its own git dir."""
    repo.git('switch', '-q', '-c', 'side')
    repo.commit_ok(message('Reviewed', ASSISTED, *APPROVALS), {CRITICAL: 'side = 1\n'})
    repo.git('switch', '-q', 'main')
    repo.git('worktree', 'add', '-q', '-b', 'feature', str(tmp_path / 'wt'))
    tree = Repo(tmp_path / 'wt')
    tree.commit_ok(message('Other work'), {OTHER: 'x\n'})
    before = tree.head()
    result = tree.run_git('merge', '-q', '--no-ff', 'side', '-m', 'Merge side', '-m', ASSISTED)
    accepted(result, tree, before)


# -- rule options --------------------------------------------------------------

def _window(start: datetime.date, until: datetime.date) -> str:
    return policy(f'active: {{from: {start}, until: {until}}}')


@pytest.mark.parametrize(('committed', 'verdict'), [
    ('2020-01-01T12:00:00+00:00', 'refused'),  # backdated into the past: the window is open today
    ('2099-01-01T12:00:00+00:00', 'refused'),  # dated into the future
    (None, 'refused'),
])
def test_active_window_is_judged_on_the_day_of_the_commit_not_its_date(
    tmp_path: Path, committed: str | None, verdict: str,
) -> None:
    today = datetime.datetime.now(datetime.timezone.utc).date()
    repo = new_repo(tmp_path / 'repo', _window(today - datetime.timedelta(days=1),
                                               today + datetime.timedelta(days=90)))
    before = repo.head()
    env = {'GIT_COMMITTER_DATE': committed, 'GIT_AUTHOR_DATE': committed} if committed else {}
    result = repo.commit(message('Charge', ASSISTED), {CRITICAL: 'c = 1\n'}, env=env)
    refused(result, repo, before, RULE)


def test_a_closed_window_stays_closed_for_a_commit_dated_inside_it(tmp_path: Path) -> None:
    today = datetime.datetime.now(datetime.timezone.utc).date()
    repo = new_repo(tmp_path / 'repo', _window(today - datetime.timedelta(days=90),
                                               today - datetime.timedelta(days=2)))
    before = repo.head()
    inside = (today - datetime.timedelta(days=30)).isoformat() + 'T12:00:00+00:00'
    result = repo.commit(message('Charge', ASSISTED), {CRITICAL: 'c = 1\n'},
                         env={'GIT_COMMITTER_DATE': inside, 'GIT_AUTHOR_DATE': inside})
    accepted(result, repo, before)


@pytest.mark.parametrize(('author', 'ok'), [
    (ALICE, True),
    ('Bob <BOB@EXAMPLE.COM>', True),
    (CAROL, False),
    (CLAUDE, False),
])
def test_exempt_authors(tmp_path: Path, author: str, ok: bool) -> None:
    repo = new_repo(tmp_path / 'repo', policy('exempt_authors: [senior]'))
    before = repo.head()
    result = repo.commit(message('Charge', CO_AUTHORED), {CRITICAL: 'c = 1\n'}, author=author)
    if ok:
        accepted(result, repo, before)
    else:
        refused(result, repo, before, RULE)


def test_applies_to_all(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', policy('applies_to: all'))
    before = repo.head()
    result = repo.commit(message('Human change'), {CRITICAL: 'c = 1\n'})
    refused(result, repo, before, RULE, 'missing-review')
    assert 'AI-assisted' not in result.stderr
    accepted(repo.commit(message('Human change', *APPROVALS)), repo, before)
    before = repo.head()
    accepted(repo.commit(message('Human change'), {OTHER: 'o = 1\n'}), repo, before)


def test_policy_owners(repo: Repo) -> None:
    before = repo.head()
    weaker = POLICY.replace('count: 2', 'count: 1')
    result = repo.commit(message('Relax payments'), {POLICY_PATH: weaker})
    refused(result, repo, before, 'policy-owners', POLICY_PATH)
    result = repo.commit(message('Relax payments', REVIEW_ALICE), author=ALICE)
    refused(result, repo, before, 'policy-owners')
    accepted(repo.commit(message('Relax payments', REVIEW_BOB), author=ALICE), repo, before)
