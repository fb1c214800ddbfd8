"""README's quickstart, followed word for word in a fresh repository."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from testing.util import git_env
from testing.util import init_repo

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / 'README.md').read_text(encoding='utf-8')


def _section(title: str) -> str:
    start = README.index(f'\n## {title}\n')
    end = README.index('\n### ', start)
    return README[start:end]


def _commands(section: str) -> list[str]:
    """Shell commands of the ```sh blocks; a line ending in \\ or an open quote continues."""
    commands: list[str] = []
    for block in re.findall(r'```sh\n(.*?)```', section, re.DOTALL):
        pending = ''
        for line in block.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith('#')):
                continue
            pending += line + '\n'
            if pending.count('"') % 2 == 0 and not line.endswith('\\'):
                commands.append(pending)
                pending = ''
    return commands


def test_quickstart_refuses_then_accepts(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'shop')
    bin_dir = os.path.dirname(sys.executable)
    env = git_env(
        PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
        GIT_AUTHOR_NAME='Jamie Junior', GIT_AUTHOR_EMAIL='jamie@shop.example.com',
    )
    results = []
    for command in _commands(_section('Quickstart')):
        result = subprocess.run(
            ['bash', '-c', command], cwd=repo, env=env, capture_output=True, text=True,
        )
        results.append((command, result))

    failed = [(c, r) for c, r in results if r.returncode != 0]
    assert len(failed) == 1, [(c, r.returncode, r.stderr) for c, r in failed]
    refused_command, refused = failed[0]
    assert 'git commit -m "Retry refunds" -m "Assisted-by:' in refused_command
    assert refused.returncode == 1
    assert 'tier1-payments' in refused.stderr
    assert 'fix: git commit --trailer "Reviewed-by: ' in refused.stderr

    order = [command.split()[1] for command, _ in results if command.startswith('trailgate')]
    assert order[:3] == ['init', 'validate', 'install']
    explain = results[-1][1]
    assert results[-1][0].startswith('trailgate explain')
    assert 'Verdict: accepted' in explain.stdout
    log = subprocess.run(['git', 'log', '--format=%s'], cwd=repo, env=env,
                         capture_output=True, text=True).stdout.split('\n')
    assert log[:2] == ['Retry refunds', 'Adopt trailgate']
