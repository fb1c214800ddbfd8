from __future__ import annotations

import pytest

from trailgate import main as main_module
from trailgate import reports


def test_cli_formats_are_the_report_formats() -> None:
    assert main_module.FORMATS == reports.FORMATS


@pytest.mark.parametrize(('argv', 'code'), [
    (['--help'], 0),
    (['--version'], 0),
    (['check', '--help'], 0),
    (['no-such-command'], 2),
    (['check', '--format', 'yaml', 'HEAD~1..HEAD'], 2),
    (['commit-msg'], 2),
])
def test_usage_exit_codes(argv: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_module.main(argv) == code
    assert 'Traceback' not in capsys.readouterr().err


def test_prepare_commit_msg_never_blocks_even_on_bad_usage() -> None:
    assert main_module.main(['prepare-commit-msg', '/nonexistent/dir/MSG']) == 0
