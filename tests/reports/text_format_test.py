"""The text report: one block per refused or overridden commit, the fix first."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.reports import PAYMENTS
from tests.reports import POLICY_YAML
from tests.reports import SHA_HUMAN
from tests.reports import SHA_OVERRIDDEN
from tests.reports import SHA_PASSING
from tests.reports import SHA_REFUSED
from tests.reports import assessment
from tests.reports import head_shas
from tests.reports import make_commit
from tests.reports import overridden
from tests.reports import passing
from tests.reports import policy
from tests.reports import refused
from tests.reports import repo_with_ai_commit
from tests.reports import report
from tests.reports import run_check
from trailgate.evaluate import assess
from trailgate.reports import render
from trailgate.reports.text_format import fix_command
from trailgate.reports.text_format import fix_trailers
from trailgate.reports.text_format import shell_quote

FIX = (
    'git commit --amend --trailer "Reviewed-by: Alice Archer <alice@example.com>" '
    '--trailer "Reviewed-by: bob@example.com" --trailer "Rollback-Plan: <rollback plan>" --no-edit'
)


def test_refused_block_names_commit_fix_and_each_requirement() -> None:
    lines = render(report(refused()), 'text').splitlines()
    assert lines[0] == f'refused {SHA_REFUSED[:10]} Speed up payments'
    assert lines[1] == f'  fix: {FIX}'
    assert f'git rebase -i {SHA_REFUSED[:10]}~1' in lines[2]
    assert lines[3] == '  AI-assisted: Claude (Assisted-by trailer: Assisted-by: Claude)'
    assert lines[4].startswith(
        "  x tier1-payments: missing-review (TG001): needs 2 Reviewed-by trailers",
    )
    assert 'to satisfy: Reviewed-by from any of: Alice Archer <alice@example.com>' in lines[4]
    assert lines[4].endswith(f'[paths: {PAYMENTS}]')
    assert lines[5].startswith('  x tier1-payments: missing-trailer (TG003)')


def test_a_refusal_over_many_paths_names_five_and_says_there_are_more() -> None:
    paths = tuple(f'services/payments/{n}.py' for n in range(7))
    lines = render(report(assessment('Speed up payments\n\nAssisted-by: Claude\n', paths=paths)), 'text').splitlines()
    requirements = [line for line in lines if line.startswith('  x ')]
    assert len(requirements) == 2
    for line in requirements:
        assert line.endswith(f'[paths: {", ".join(sorted(paths)[:5])}, ...]'), line


def test_a_committed_change_that_needs_signed_approvals_names_the_reviewers_command() -> None:
    """The commit exists: a reviewer approves it by its name; typing review
    trailers is no fix, and there is nothing to make first."""
    signed = POLICY_YAML.replace('version: 1\n', 'version: 1\nsigners: .trailgate/allowed_signers\n').replace(
        'count: 2}', 'count: 2, signed: true}')
    change = 'c' * 64
    commit = make_commit('Speed up payments\n\nAssisted-by: Claude\n')._replace(change_id=change)
    judged = assess(policy(signed), commit)
    lines = render(report(judged), 'text').splitlines()
    assert lines[0] == f'refused {SHA_REFUSED[:10]} Speed up payments'
    assert lines[1] == (f'  needs signed approval of change {change}: a reviewer looks at it and runs '
                        f"`trailgate approve '{SHA_REFUSED[:12]}^!'` (typed review trailers do not count)")
    assert 'only a commit can be approved' not in '\n'.join(lines)
    # the fix adds only the trailer a person types
    assert lines[2] == '  fix: git commit --amend --trailer "Rollback-Plan: <rollback plan>" --no-edit'


def test_overridden_block_names_the_reason() -> None:
    text = render(report(overridden()), 'text')
    assert f'overridden {SHA_OVERRIDDEN[:10]} Hotfix payments' in text
    assert '  break-glass reason: outage INC-1234' in text
    assert '  - tier1-payments: missing-review (TG001)' in text
    assert 'fix:' not in text


def test_passing_commits_only_when_verbose() -> None:
    quiet = render(report(passing(), assessment('Hand-written\n', sha=SHA_HUMAN)), 'text')
    assert quiet.splitlines() == [
        'trailgate check: 2 commits checked, 0 refused, 0 overridden by break-glass '
        '(policy: .trailgate/policy.yaml at 0123456789ab)',
    ]
    verbose = render(report(passing()), 'text', verbose=True)
    assert f'ok {SHA_PASSING[:10]} Tidy payments (AI-assisted, no requirement missing)' in verbose


def test_summary_line_counts() -> None:
    text = render(report(), 'text')
    assert text.endswith(
        'trailgate check: 4 commits checked, 1 refused, 1 overridden by break-glass '
        '(policy: .trailgate/policy.yaml at 0123456789ab)\n',
    )


def test_color_only_when_asked() -> None:
    assert '\033[' not in render(report(refused()), 'text')
    colored = render(report(refused()), 'text', color=True)
    assert '\033[31m' in colored and '\033[0m' in colored


def test_commit_msg_gate_uses_the_subject_and_a_plain_commit() -> None:
    text = render(report(assessment('Speed up\n\nAssisted-by: Claude\n', sha=None),
                         gate='commit-msg'), 'text')
    assert text.startswith('refused Speed up\n')
    assert '  fix: git commit --trailer ' in text
    assert 'rebase' not in text


def test_fix_helpers() -> None:
    verdict = refused()
    assert fix_trailers(verdict) == [
        'Reviewed-by: Alice Archer <alice@example.com>', 'Reviewed-by: bob@example.com',
        'Rollback-Plan: <rollback plan>',
    ]
    assert fix_command(verdict, 'check') == FIX


def test_unicode_and_surrogates_render() -> None:
    text = render(report(assessment('Zahlung für 🚀 \udcff\n\nAssisted-by: Claude\n')), 'text')
    # a byte that was not UTF-8 is spelled out for people, never written raw
    assert f'refused {SHA_REFUSED[:10]} Zahlung für 🚀 \\xff' in text
    assert '\udcff' not in text


def test_end_to_end_check_writes_text(tmp_path: Path) -> None:
    repo = repo_with_ai_commit(tmp_path)
    ai_sha, human_sha = head_shas(repo)
    output = tmp_path / 'report.txt'
    result = run_check(repo, 'text', output)
    assert result.returncode == 1, result.stderr
    text = output.read_text(encoding='utf-8')
    assert text.startswith(f'refused {ai_sha[:10]} Speed up payments\n  fix: {FIX}\n')
    assert human_sha[:10] not in text
    assert '2 commits checked, 1 refused, 0 overridden' in text


@pytest.mark.parametrize('text', [
    'Reviewed-by: Alice Archer <alice@example.com>',
    'Reviewed-by: Bang!Bang <bang@example.com>',
    "Reviewed-by: O'Neil !x <o@example.com>",
    'Change-Doc: $HOME `id` "quoted" \\ back',
    '/tmp/repo!x/.git/COMMIT_EDITMSG',
])
def test_a_quoted_value_reads_back_as_itself_in_an_interactive_bash(tmp_path: Path, text: str) -> None:
    """The fix is pasted into an interactive shell, where bash expands ``!``
    from its history inside double quotes."""
    shell = subprocess.run(
        ['bash', '--norc', '--noprofile', '-i'], input=f'printf "%s\\n" {shell_quote(text)}\n',
        capture_output=True, text=True, env={'HOME': str(tmp_path), 'PATH': '/usr/bin:/bin'}, timeout=30,
    )
    assert shell.stdout == f'{text}\n', shell.stderr
