"""README's quickstart, followed word for word in a fresh repository."""
from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def _subsection(title: str) -> str:
    start = README.index(f'\n### {title}\n')
    end = README.index('\n## ', start)
    return README[start:end]


def test_plain_server_workflow(tmp_path: Path) -> None:
    """The plain git server's commands, pasted: the server in a bare repository
    here, the developer in a clone; only the push onto main is refused."""
    bin_dir = os.path.dirname(sys.executable)
    env = git_env(PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    seed = init_repo(tmp_path / 'seed')
    run = functools.partial(subprocess.run, env=env, capture_output=True, text=True)
    assert run(['trailgate', 'init'], cwd=seed).returncode == 0
    run(['git', 'add', '-A'], cwd=seed, check=True)
    run(['git', 'commit', '-q', '--no-verify', '-m', 'Adopt trailgate'], cwd=seed, check=True)
    server = tmp_path / 'srv' / 'shop.git'
    run(['git', 'clone', '-q', '--bare', str(seed), str(server)], check=True)
    on_server, in_a_clone = re.findall(r'```sh\n(.*?)```', _subsection('A plain git server'), re.DOTALL)
    script = 'set -e\n' + on_server.replace('/srv/git/shop.git', str(server))
    result = run(['bash', '-c', script], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (server / 'hooks' / 'pre-receive').exists()
    blocks = _commands(f'```sh\n{in_a_clone}```')
    clone = tmp_path / 'clone'
    run(['git', 'clone', '-q', str(server), str(clone)], check=True)
    results = [(c, run(['bash', '-c', c], cwd=clone)) for c in blocks]
    failed = [(c, r) for c, r in results if r.returncode]
    assert [c for c, _ in failed] == [blocks[-1]], [(c, r.stderr) for c, r in results]
    assert 'tier1-payments' in failed[0][1].stderr
    outputs = ''.join(r.stderr for _, r in results[:-1])
    assert 'needs review Retry refunds' in outputs
    assert 'reminder: 1 pushed commit will need review' in outputs

    # the workflow's step 3 (the review's trailers, for the last commit), pasted: then main takes it
    step = README[README.index('3. **Review.**'):README.index('4. **Land.**')]
    review = _commands(step)
    assert len(review) == 3 and 'git commit --amend' in review[1], review
    editors = {'GIT_EDITOR': 'true', 'GIT_SEQUENCE_EDITOR': 'true'}
    for command in review:
        result = run(['bash', '-c', command], cwd=clone, env={**env, **editors})
        assert result.returncode == 0, (command, result.stderr)
    landed = run(['bash', '-c', blocks[-1]], cwd=clone)
    assert landed.returncode == 0, landed.stderr


def _top_level_keys(text: str) -> list[str]:
    """Every key of the document's top mapping, repeats kept (a loader keeps only the last)."""
    node = yaml.compose(text)
    assert isinstance(node, yaml.MappingNode), text
    return [key.value for key, _ in node.value]


GITLAB_CI_BEFORE = {
    'absent': None,
    'without-include-or-final-newline': 'build:\n  script: [make]',
    'with-include': 'include:\n  - local: .gitlab/other.yml\nbuild:\n  script: [make]\n',
}


@pytest.mark.parametrize('before', GITLAB_CI_BEFORE.values(), ids=GITLAB_CI_BEFORE.keys())
def test_gitlab_recipe_never_writes_a_second_include_key(tmp_path: Path, before: str | None) -> None:
    """The GitLab block, pasted: .gitlab-ci.yml gets one include: naming the
    recipe and is committed; where it has an include: already, it is left as
    it was, and the block says what to add."""
    repo = init_repo(tmp_path / 'shop')
    ci = repo / '.gitlab-ci.yml'
    if before is not None:
        ci.write_text(before)
    block = re.findall(r'```sh\n(.*?)```', _subsection('GitLab'), re.DOTALL)[0]
    script = block.replace('<path to trailgate>', str(ROOT))
    result = subprocess.run(['bash', '-c', script], cwd=repo, env=git_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    committed = subprocess.run(['git', 'log', '--format=%s'], cwd=repo, env=git_env(),
                               capture_output=True, text=True).stdout
    if before is not None and 'include:' in before:
        assert ci.read_text() == before
        assert '"- local: .gitlab/trailgate.yml"' in result.stderr
        assert committed == ''
        return
    keys = _top_level_keys(ci.read_text())
    assert keys.count('include') == 1, ci.read_text()
    document = yaml.safe_load(ci.read_text())
    assert document['include'] == [{'local': '.gitlab/trailgate.yml'}]
    assert ('build' in document) == (before is not None)
    assert committed == 'CI: trailgate\n'


def test_the_demo_shows_what_readme_shows(tmp_path: Path) -> None:
    """scripts/demo.sh after its installation step, with this checkout's
    trailgate: the refusal README opens with is its output, byte for byte
    (the repository's path aside); then the same change is accepted."""
    script = (ROOT / 'scripts' / 'demo.sh').read_text(encoding='utf-8')
    installed = script.index('export PATH=')
    demo_part = script[:script.index('\n', installed) + 1]
    assert 'pip install' in demo_part  # what is skipped is the installation, nothing else
    body = 'set -euo pipefail\n' + script[len(demo_part):]
    bin_dir = os.path.dirname(sys.executable)
    env = git_env(PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}', TMPDIR=str(tmp_path))
    result = subprocess.run(['bash', '-c', body], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    refusal = re.sub(r'-F "[^"]*/shop/\.git/COMMIT_EDITMSG"', '-F "/path/to/repo/.git/COMMIT_EDITMSG"',
                     result.stderr.split('\n\ntrailgate commit-msg:')[0]) + '\n'
    shown = README[README.index('```\nrefused ') + 4:]
    assert refusal == shown[:shown.index('```\n')]
    assert 'Verdict: accepted' in result.stdout
    assert 'trailgate check: 1 commit checked, 0 refused' in result.stderr + result.stdout
