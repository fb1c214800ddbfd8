from __future__ import annotations

import inspect
import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from testing.approvals import SIGNERS_PATH
from testing.approvals import signers_file
from testing.docs import DOC
from testing.docs import requirements_markdown
from testing.scenarios import ASSISTED
from testing.scenarios import CRITICAL
from testing.scenarios import POLICY_PATH
from testing.scenarios import Repo
from testing.scenarios import bare_remote
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.scenarios import publish
from testing.sshkeys import Key
from testing.sshkeys import make_key
from trailgate.requirements import KINDS
from trailgate.requirements import Kind


def test_codes_and_names_are_stable_and_unique() -> None:
    assert [(k.code, k.name) for k in KINDS] == [
        ('TG001', 'missing-review'),
        ('TG002', 'missing-documentation'),
        ('TG003', 'missing-trailer'),
        ('TG004', 'policy-owner-review'),
        ('TG005', 'missing-signed-approval'),
        ('TG006', 'policy-owner-approval'),
    ]


def test_every_kind_documents_the_ruff_outline() -> None:
    for kind in KINDS:
        headings = re.findall(r'^\s*## (.+)$', kind.doc, re.MULTILINE)
        assert headings == ['What it does', 'Why is this bad?', 'Example', 'How to fix'], kind


def test_docs_requirements_md_is_generated_from_the_docstrings() -> None:
    assert DOC.read_text(encoding='utf-8') == requirements_markdown(), (
        'docs/requirements.md is stale: run `python -m testing.docs`'
    )


_HEAD = 'version: 1\ngroups:\n  senior: ["Alice <alice@example.com>", "Bob Builder <bob@example.com>"]\n'
_RULE = 'rules:\n  - id: tier1-payments\n    paths: ["services/payments/**"]\n'
# the commit each Example describes as refused: its trailers, and whether it edits the policy
_REFUSED = {
    'TG001': ((ASSISTED, 'Reviewed-by: Alice <alice@example.com>'), False),
    'TG002': ((ASSISTED, 'Change-Doc: ../notes.md'), False),
    'TG003': ((ASSISTED, 'Rollback-Plan:'), False),
    'TG004': ((), True),
    'TG005': ((ASSISTED, 'Reviewed-by: Alice <alice@example.com>', 'Reviewed-by: Bob Builder <bob@example.com>'),
              False),
    'TG006': (('Reviewed-by: Alice <alice@example.com>',), True),
}


def _section(kind: Kind, title: str) -> str:
    return re.split(r'^## ', inspect.cleandoc(kind.doc), flags=re.MULTILINE)[
        ['', 'What it does', 'Why is this bad?', 'Example', 'How to fix'].index(title)]


def _example_policy(kind: Kind) -> str:
    block = re.search(r'```yaml\n(.*?)```', _section(kind, 'Example'), re.DOTALL)
    assert block, kind
    yaml = block.group(1)
    if yaml.startswith('require:'):
        return _HEAD + _RULE + textwrap.indent(yaml, '    ')
    return _HEAD + yaml + ('' if 'rules:' in yaml else 'rules: []\n')


def _fixes(kind: Kind) -> list[str]:
    """The commands of How to fix, as a reader copies them (one per alternative)."""
    commands = re.findall(r'``((?:git|trailgate) [^`]+)``', _section(kind, 'How to fix'))
    assert commands, kind
    return commands


@pytest.fixture(scope='module')
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    directory = tmp_path_factory.mktemp('keys')
    return {name: make_key(directory, name) for name in ('alice', 'bob', 'carol')}


def _refused_repo(path: Path, kind: Kind, keys: dict[str, Key]) -> Repo:
    policy_text = _example_policy(kind)
    signers = signers_file(('alice@example.com', keys['alice']), ('bob@example.com', keys['bob']))
    files = {SIGNERS_PATH: signers} if 'signers:' in policy_text else {}
    repo = new_repo(path, policy_text, hooks=False, files=files)
    publish(repo, bare_remote(path.parent / f'{path.name}.git', pre_receive=False))
    trailers, edits_policy = _REFUSED[kind.code]
    change = {CRITICAL: 'retries = 3\n'}
    if edits_policy:
        change = ({SIGNERS_PATH: signers + signers_file(('carol@example.com', keys['carol']))} if files
                  else {POLICY_PATH: policy_text + '# edited\n'})
    repo.commit_ok(message('Change', *trailers), change, verify=False)
    return repo


@pytest.mark.parametrize('kind', KINDS, ids=[k.code for k in KINDS])
def test_each_example_is_refused_and_its_fix_run_as_written_passes(tmp_path: Path, kind: Kind,
                                                                   keys: dict[str, Key]) -> None:
    """The Example's policy and commit are refused with the kind's code; each How to
    fix, pasted (``<name>`` and ``<range>`` filled in, the document written, run
    by each reviewer it takes), lets the commit through; a fix that opens an
    editor fails."""
    for number, command in enumerate(_fixes(kind)):
        repo = _refused_repo(tmp_path / f'repo{number}', kind, keys)
        refused = repo.trailgate('check', 'origin/main..HEAD')
        assert refused.returncode == 1, refused.output
        assert f'{kind.name} ({kind.code})' in refused.stdout + refused.stderr
        command = command.replace('<name>', 'retry').replace('<range>', 'origin/main..HEAD')
        repo.write({'docs/changes/retry.md': 'Retry refunds: why, and how to roll it back.\n'})
        reviewers = ('alice', 'bob') if command.startswith('trailgate') else ('alice',)
        for reviewer in reviewers:
            repo.git('config', 'user.signingKey', str(keys[reviewer].private))
            env = {'GIT_EDITOR': 'false', 'PATH': f'{Path(sys.executable).parent}{os.pathsep}{os.environ["PATH"]}'}
            if command.startswith('trailgate'):
                command += '' if '--yes' in command else ' --yes'
            ran = repo.run('bash', '-c', command, env=env)
            assert ran.returncode == 0, (command, ran.output)
        passed = repo.trailgate('check', 'origin/main..HEAD')
        assert passed.returncode == 0, (command, passed.output)
