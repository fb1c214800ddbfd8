"""The CI recipes and the pre-commit manifest name commands that exist."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from testing.scenarios import PROTECTED_POLICY
from testing.scenarios import bare_remote
from testing.scenarios import clone
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.scenarios import unreviewed
from trailgate.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ('action.yml', 'ci/github-workflow.yml', 'ci/gitlab-ci.yml')
# shell words the recipes use, replaced by plausible values before parsing
SUBSTITUTIONS = {
    '"${args[@]}"': '--base "refs/remotes/origin/$BASE" --target "$BASE"',
    '"$sarif"': 'trailgate.sarif',
}


def _scripts(node: object) -> list[str]:
    """Every shell script in a workflow/CI document (run: and script: values)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'run' and isinstance(value, str):
                found.append(value)
            elif key == 'script' and isinstance(value, list):
                found.extend(str(line) for line in value)
            else:
                found.extend(_scripts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_scripts(item))
    return found


def _trailgate_lines(recipe: str) -> list[str]:
    """Each trailgate command line of a recipe, as the shell would run it."""
    document = yaml.safe_load((ROOT / recipe).read_text())
    lines = []
    for script in _scripts(document):
        for line in script.splitlines():
            line = line.strip()
            if not line.startswith('trailgate '):
                continue
            line = line.split(' || ', 1)[0]
            for word, value in SUBSTITUTIONS.items():
                line = line.replace(word, value)
            lines.append(re.sub(r'\$\{\{[^}]*\}\}', '"$BASE"', line))
    return lines


@pytest.mark.parametrize('recipe', RECIPES)
@pytest.mark.parametrize(('target', 'status'), [('main', 1), ('staging', 0)])
def test_recipe_refuses_into_a_protected_branch_and_reports_into_another(
    tmp_path: Path, recipe: str, target: str, status: int,
) -> None:
    """The recipe's own command lines, run by the shell in a CI clone of a pull request."""
    origin = bare_remote(tmp_path / 'origin.git', pre_receive=False)
    seed = new_repo(tmp_path / 'seed', PROTECTED_POLICY, hooks=False)
    seed.git('branch', 'staging')
    publish(seed, origin)
    seed.git('push', '-q', 'origin', 'staging')
    ci = clone(origin, tmp_path / 'ci', hooks=False)
    ci.git('switch', '-q', '-c', 'pull-request')
    wrong = unreviewed(ci)
    variables = {'GITHUB_BASE_REF': target, 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME': target, 'BASE': target,
                 'PATH': os.pathsep.join((str(Path(sys.executable).parent), os.environ.get('PATH', '')))}
    lines = [line for line in _trailgate_lines(recipe) if line.startswith('trailgate check')]
    assert lines
    for line in lines:
        result = ci.run('bash', '-c', line, env=variables)
        assert result.returncode == status, (line, result)
        assert wrong[:10] in result.output or '--output' in line, (line, result.output)


def _trailgate_commands(recipe: str) -> list[list[str]]:
    document = yaml.safe_load((ROOT / recipe).read_text())
    commands = []
    for script in _scripts(document):
        for line in script.splitlines():
            line = line.strip()
            if not line.startswith('trailgate '):
                continue
            line = line.split(' || ', 1)[0]
            for word, value in SUBSTITUTIONS.items():
                line = line.replace(word, value)
            line = re.sub(r'\$\{\{[^}]*\}\}', 'main', line)
            commands.append(shlex.split(line)[1:])
    return commands


@pytest.mark.parametrize('recipe', RECIPES)
def test_recipe_runs_trailgate_check_with_existing_options(recipe: str) -> None:
    commands = _trailgate_commands(recipe)
    assert commands, f'{recipe} runs no trailgate command'
    for argv in commands:
        command = cli.commands[argv[0]]
        with command.make_context(argv[0], argv[1:]) as context:
            assert context.params is not None
    assert any(argv[0] == 'check' and '--base' in argv and '--target' in argv for argv in commands)


def test_recipes_fetch_full_history() -> None:
    assert 'fetch-depth: 0' in (ROOT / 'ci/github-workflow.yml').read_text()
    assert 'GIT_DEPTH: "0"' in (ROOT / 'ci/gitlab-ci.yml').read_text()


def test_the_workflow_runs_again_when_a_pull_request_changes_its_base() -> None:
    """The target comes from the pull request: moved from an unprotected base
    onto main (an 'edited' event), it must be judged again."""
    document = yaml.safe_load((ROOT / 'ci/github-workflow.yml').read_text())
    triggers = document[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {'pull_request'}
    assert {'opened', 'synchronize', 'reopened', 'edited'} <= set(triggers['pull_request']['types'])


def test_github_recipes_upload_sarif_and_gitlab_publishes_junit() -> None:
    for recipe in ('action.yml', 'ci/github-workflow.yml'):
        text = (ROOT / recipe).read_text()
        assert 'upload-sarif' in text and '--format sarif' in text
    gitlab = yaml.safe_load((ROOT / 'ci/gitlab-ci.yml').read_text())
    assert gitlab['trailgate']['artifacts']['reports']['junit'] == 'trailgate-junit.xml'


def test_every_pre_commit_hook_has_a_command_stage_and_readme_entry() -> None:
    hooks = yaml.safe_load((ROOT / '.pre-commit-hooks.yaml').read_text())
    readme = (ROOT / 'README.md').read_text()
    assert {hook['id'] for hook in hooks} == {
        'trailgate-commit-msg', 'trailgate-prepare-commit-msg', 'trailgate-pre-push',
    }
    for hook in hooks:
        program, subcommand = hook['entry'].split()
        assert program == 'trailgate'
        assert subcommand in cli.commands
        assert hook['stages'] == [subcommand]
        assert hook['id'] in readme
        assert hook['language'] == 'python'


def test_plain_hook_scripts_exist_for_every_git_hook() -> None:
    for hook in ('commit-msg', 'prepare-commit-msg', 'pre-push', 'pre-receive'):
        script = ROOT / 'hooks' / hook
        text = script.read_text()
        assert text.startswith('#!/bin/sh\n')
        assert f'hook={hook}\n' in text
        assert script.stat().st_mode & 0o111
        assert hook in cli.commands


@pytest.mark.parametrize('recipe', ('ci/github-workflow.yml', 'ci/gitlab-ci.yml'))
def test_recipes_install_only_from_where_the_owner_says(tmp_path: Path, recipe: str) -> None:
    """No default package name: `pip install trailgate` would install and run, as the
    gate, whatever a package index serves under that name. Unset, the job fails and
    says which variable to set; set, pip gets exactly that."""
    document = yaml.safe_load((ROOT / recipe).read_text())
    install = '\n'.join(script for script in _scripts(document) if 'TRAILGATE_PIP_SPEC' in script)
    assert 'pip install "$TRAILGATE_PIP_SPEC"' in install
    fake_bin = tmp_path / 'bin'
    fake_bin.mkdir()
    calls = tmp_path / 'calls'
    python = fake_bin / 'python'
    python.write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    python.chmod(0o755)
    path = os.pathsep.join((str(fake_bin), os.environ.get('PATH', '')))
    for spec, status in (('', 2), ('git+https://git.example.com/tools/trailgate@v0.1.0', 0)):
        env = {**os.environ, 'PATH': path, 'TRAILGATE_PIP_SPEC': spec}
        result = subprocess.run(['bash', '-c', install], env=env, capture_output=True, text=True)
        assert result.returncode == status, result
        if not spec:
            assert 'TRAILGATE_PIP_SPEC' in result.stdout + result.stderr
            assert not calls.exists()
    assert calls.read_text() == '-m pip install git+https://git.example.com/tools/trailgate@v0.1.0\n'
    assert "|| 'trailgate'" not in (ROOT / recipe).read_text()
