"""The GitHub Actions report: workflow commands, escaped, and the job summary."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports import PAYMENTS
from tests.reports import REFUSED_MESSAGE
from tests.reports import SHA_OVERRIDDEN
from tests.reports import SHA_REFUSED
from tests.reports import assessment
from tests.reports import head_shas
from tests.reports import human
from tests.reports import overridden
from tests.reports import passing
from tests.reports import refused
from tests.reports import repo_with_ai_commit
from tests.reports import report
from tests.reports import run_check
from trailgate.evaluate import Assessment
from trailgate.reports import render
from trailgate.reports.github_format import SUMMARY_ENV
from trailgate.reports.github_format import command
from trailgate.reports.github_format import escape_data
from trailgate.reports.github_format import escape_property


@pytest.fixture(autouse=True)
def _no_summary_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never append to a real job summary when the tests run inside Actions."""
    monkeypatch.delenv(SUMMARY_ENV, raising=False)


def _lines(*assessments: Assessment) -> list[str]:
    return render(report(*assessments), 'github').splitlines()


def test_escape_data() -> None:
    assert escape_data('100% done\r\nnext') == '100%25 done%0D%0Anext'
    assert escape_data('a: b, c') == 'a: b, c'


def test_escape_property() -> None:
    assert escape_property('a:b,c%d\ne') == 'a%3Ab%2Cc%25d%0Ae'


def test_command() -> None:
    assert command('notice', 'hi') == '::notice::hi'
    assert command('error', 'x\ny', title='t: 1', file='a,b') == '::error title=t%3A 1,file=a%2Cb::x%0Ay'


def test_an_error_per_refused_violation() -> None:
    lines = _lines(refused())
    errors = [line for line in lines if line.startswith('::error ')]
    assert len(errors) == 2
    first = errors[0]
    assert first.startswith(
        f'::error title=trailgate tier1-payments TG001,file={PAYMENTS}::{SHA_REFUSED[:10]} '
        'Speed up payments: needs 2 Reviewed-by trailers',
    )
    assert '%0ATo satisfy: Reviewed-by from any of: Alice Archer <alice@example.com>' in first
    assert '%0AFix: git commit --amend --trailer "Reviewed-by: Alice Archer' in first
    assert errors[1].startswith('::error title=trailgate tier1-payments TG003,')


def test_a_warning_per_overridden_violation_with_the_reason() -> None:
    lines = _lines(overridden())
    assert not any(line.startswith('::error') for line in lines)
    warnings = [line for line in lines if line.startswith('::warning ')]
    assert len(warnings) == 2
    assert warnings[0].startswith(
        '::warning title=trailgate tier1-payments TG001 overridden,'
        f'file={PAYMENTS}::{SHA_OVERRIDDEN[:10]} Hotfix payments: '
        'let through by break-glass (outage INC-1234)',
    )


def test_ignored_break_glass_is_a_warning() -> None:
    lines = _lines(assessment('Hotfix\n\nAssisted-by: Claude\nBreak-Glass: trust me\n'))
    (ignored,) = [line for line in lines if 'break-glass ignored' in line]
    assert ignored.startswith('::warning title=trailgate break-glass ignored::')
    assert 'not in group \'sre\'' in ignored


def test_notice_summary_line() -> None:
    lines = _lines(refused(), passing(), overridden(), human())
    assert lines[-1] == (
        '::notice title=trailgate check::4 commits checked, 1 refused, '
        '1 overridden by break-glass (policy: .trailgate/policy.yaml at 0123456789ab)'
    )


def test_passing_commits_print_only_the_notice() -> None:
    lines = _lines(passing(), human())
    assert len(lines) == 1
    assert lines[0].startswith('::notice ')


def test_message_escaping_of_subject_and_path() -> None:
    message = '100% faster\r payments \udcff\n\nAssisted-by: Claude\n'
    text = render(report(assessment(message, paths=('services/payments/a,b:c.py',))), 'github')
    text.encode('utf-8')
    first = text.splitlines()[0]
    assert 'file=services/payments/a%2Cb%3Ac.py::' in first
    # a carriage return in the subject is spelled out before the runner's own escaping
    assert f'::{SHA_REFUSED[:10]} 100%25 faster\\x0d payments \\xff: needs' in first
    assert len(text.splitlines()) == 3  # two errors and the notice, no stray line


def test_a_path_with_hidden_characters_is_never_an_annotation_file() -> None:
    # a property reaches the runner's log as it is, but for the runner's own
    # escaping: an ANSI escape or a bidi override there would drive the viewer
    for hostile in ('services/payments/a\x1b[8m.py', 'services/payments/\u202eyp.a', 'services/payments/a\x07.py'):
        first = render(report(assessment(REFUSED_MESSAGE, paths=(hostile, PAYMENTS))), 'github').splitlines()[0]
        assert f',file={PAYMENTS}::' in first, first
        alone = render(report(assessment(REFUSED_MESSAGE, paths=(hostile,))), 'github').splitlines()[0]
        assert alone.startswith('::error title=trailgate tier1-payments TG001::'), alone
        assert not any(not char.isprintable() for char in first + alone), (first, alone)


def test_job_summary_is_appended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / 'summary.md'
    summary.write_text('# Earlier step\n', encoding='utf-8')
    monkeypatch.setenv(SUMMARY_ENV, str(summary))
    render(report(), 'github')
    text = summary.read_text(encoding='utf-8')
    assert text.startswith('# Earlier step\n## trailgate check\n')
    assert '| Commit | Verdict | Rule | Requirement | Missing | Fix |' in text
    rows = [line for line in text.splitlines() if line.startswith(('| <code>', '|<code>'))]
    assert len(rows) == 4  # two refused violations, two overridden ones
    refused_row = rows[0]
    assert refused_row.startswith(f'| <code>{SHA_REFUSED[:10]}</code> Speed up payments | refused |')
    assert '| TG001 missing-review |' in refused_row
    assert '<code>git commit --amend --trailer "Reviewed-by: Alice Archer &lt;alice@' in refused_row
    assert '| overridden: outage INC-1234 |' in rows[2]
    assert 'git rebase -i &lt;sha&gt;~1' in text


def test_job_summary_escapes_markdown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / 'summary.md'
    monkeypatch.setenv(SUMMARY_ENV, str(summary))
    render(report(assessment('Pipe | and <b>tag</b> \udcff\n\nAssisted-by: Claude\n')), 'github')
    text = summary.read_text(encoding='utf-8')
    assert 'Pipe \\| and &lt;b&gt;tag&lt;/b&gt; \\\\xff' in text
    assert '<b>' not in text


def test_job_summary_shows_a_subject_s_markdown_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A subject is the committer's text: in the job summary, where GitHub
    renders Markdown, it never becomes a Markdown link, an image (fetched when the
    page is viewed), emphasis, code or math, whatever it holds."""
    summary = tmp_path / 'summary.md'
    monkeypatch.setenv(SUMMARY_ENV, str(summary))
    subject = ('[Approved by security](https://evil.example/a) ![](https://evil.example/p.png) '
               '**ok** _u_ ~~s~~ `c` $\\Huge x$ \\')
    render(report(assessment(f'{subject}\n\nAssisted-by: Claude\n')), 'github')
    text = summary.read_text(encoding='utf-8')
    assert ('\\[Approved by security\\](https://evil.example/a) !\\[\\](https://evil.example/p.png) '
            '\\*\\*ok\\*\\* \\_u\\_ \\~\\~s\\~\\~ \\`c\\` \\$\\\\Huge x\\$ \\\\ |') in text


def test_job_summary_when_nothing_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = tmp_path / 'summary.md'
    monkeypatch.setenv(SUMMARY_ENV, str(summary))
    render(report(passing(), human()), 'github')
    text = summary.read_text(encoding='utf-8')
    assert 'No commit is refused or overridden.' in text
    assert '| Commit |' not in text


def test_unwritable_job_summary_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SUMMARY_ENV, str(tmp_path))  # a directory: cannot be opened
    lines = render(report(refused()), 'github').splitlines()
    assert lines[-1].startswith('::warning title=trailgate job summary::could not write')


def test_no_summary_without_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    render(report(), 'github')
    assert list(tmp_path.iterdir()) == []


def test_end_to_end_check_writes_github(tmp_path: Path) -> None:
    repo = repo_with_ai_commit(tmp_path)
    ai_sha, _ = head_shas(repo)
    output = tmp_path / 'annotations.txt'
    summary = tmp_path / 'step-summary.md'
    result = run_check(repo, 'github', output, GITHUB_STEP_SUMMARY=str(summary))
    assert result.returncode == 1, result.stderr
    lines = output.read_text(encoding='utf-8').splitlines()
    errors = [line for line in lines if line.startswith('::error ')]
    assert len(errors) == 2
    assert errors[0].startswith(
        f'::error title=trailgate tier1-payments TG001,file={PAYMENTS}::{ai_sha[:10]} '
        'Speed up payments:',
    )
    assert lines[-1].startswith('::notice title=trailgate check::2 commits checked, 1 refused')
    table = summary.read_text(encoding='utf-8')
    assert f'<code>{ai_sha[:10]}</code> Speed up payments | refused |' in table


def test_hidden_characters_in_a_subject_are_spelled_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the runner's log honours ANSI escapes; a bidi override makes a subject read as another
    summary = tmp_path / 'summary.md'
    monkeypatch.setenv(SUMMARY_ENV, str(summary))
    text = render(report(assessment('Tidy \x1b[2J\u202echarge\n\nAssisted-by: Claude\n')), 'github')
    table = summary.read_text()
    for shown in (text, table):
        assert '\x1b' not in shown and '\u202e' not in shown
    assert 'Tidy \\x1b[2J\\u202echarge' in text
    assert 'Tidy \\\\x1b\\[2J\\\\u202echarge' in table  # Markdown's escapes, read as the line above
