"""Every mark the reference records, in a real commit: ``explain`` names the
tool and where the mark is, ``check`` refuses the commit under an
``applies_to: ai-assisted`` rule and reports the same signal in JSON and text.
Section (d)'s look-alikes are not AI-assisted anywhere.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest

from testing.reference_marks import CATCH_ALL_POLICY
from testing.reference_marks import LOOK_ALIKES
from testing.reference_marks import MARKS
from testing.reference_marks import LookAlike
from testing.reference_marks import Mark
from testing.scenarios import identity
from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from testing.util import trailgate
from testing.util import write


class History(NamedTuple):
    path: Path
    shas: dict[str, str]  # case id -> commit
    report: dict[str, dict[str, Any]]  # sha -> check's JSON entry
    blocks: dict[str, str]  # short sha -> check's text block
    check_status: int


def _commit(repo: Path, index: int, message: str, author: str, committer: str | None) -> str:
    """A commit of ``message`` exactly as given (no clean-up), by these identities."""
    write(repo / 'src' / f'{index}.txt', f'{index}\n')
    git(repo, 'add', 'src')
    tree = git(repo, 'write-tree').strip()
    author_name, author_email = identity(author)
    committer_name, committer_email = identity(committer or author)
    env = git_env(GIT_AUTHOR_NAME=author_name, GIT_AUTHOR_EMAIL=author_email,
                  GIT_COMMITTER_NAME=committer_name, GIT_COMMITTER_EMAIL=committer_email)
    sha = git(repo, 'commit-tree', tree, '-p', 'HEAD', input=message, env=env).strip()
    git(repo, 'update-ref', 'refs/heads/main', sha)
    return sha


def _blocks(text: str) -> dict[str, str]:
    """check's text report, one block per refused commit, by short sha."""
    blocks: dict[str, str] = {}
    current = ''
    for line in text.splitlines():
        if line.startswith('refused '):
            current = line.split()[1]
            blocks[current] = ''
        elif current and line.startswith('  '):
            blocks[current] += line + '\n'
        else:
            current = ''
    return blocks


@pytest.fixture(scope='module')
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    repo = init_repo(tmp_path_factory.mktemp('marks') / 'repo')
    write(repo / '.trailgate' / 'policy.yaml', CATCH_ALL_POLICY)
    git(repo, 'add', '.trailgate')
    git(repo, 'commit', '-q', '-m', 'Add the policy')
    root = git(repo, 'rev-parse', 'HEAD').strip()
    cases: list[Mark | LookAlike] = [*MARKS, *LOOK_ALIKES]
    shas = {case.id: _commit(repo, index, case.message, case.author, case.committer)
            for index, case in enumerate(cases)}
    out = repo.parent / 'report.json'
    result = trailgate(repo, 'check', '--format', 'json', '--output', str(out), f'{root}..main')
    assert 'Traceback' not in result.stderr, result.stderr
    report = {entry['sha']: entry for entry in json.loads(out.read_text(encoding='utf-8'))['commits']}
    return History(repo, shas, report, _blocks(result.stdout), result.returncode)


def _explain(history: History, sha: str, code: int) -> str:
    result = trailgate(history.path, 'explain', sha)
    assert 'Traceback' not in result.stderr, result.stderr
    assert result.returncode == code, (result.stdout, result.stderr)
    return result.stdout


def _signal_lines(text: str) -> list[str]:
    return text[text.index('AI signals:'):text.index('\nRules:')].splitlines()


def test_check_refuses_the_marked_commits_and_only_them(history: History) -> None:
    assert history.check_status == 1
    refused = {case for case, sha in history.shas.items() if history.report[sha]['refused']}
    assert refused == {mark.id for mark in MARKS}


@pytest.mark.parametrize('mark', MARKS, ids=[mark.id for mark in MARKS])
def test_explain_names_the_tool_and_where_the_mark_is(history: History, mark: Mark) -> None:
    out = _explain(history, history.shas[mark.id], 1)
    assert any(line.startswith(f'  {mark.tool} [{mark.source}] in {mark.where}: ') for line in _signal_lines(out)), out
    assert 'Verdict: REFUSED' in out


@pytest.mark.parametrize('mark', MARKS, ids=[mark.id for mark in MARKS])
def test_check_reports_the_mark(history: History, mark: Mark) -> None:
    entry = history.report[history.shas[mark.id]]
    assert entry['ai_assisted'] and entry['refused']
    found = [(s['source'], s['tool'], s['where']) for s in entry['signals']]
    assert (mark.source, mark.tool, mark.where) in found
    block = history.blocks[history.shas[mark.id][:10]]
    if found.index((mark.source, mark.tool, mark.where)) < 3:  # the text names the first three
        assert f'{mark.tool} ({mark.where}: ' in block, block
    assert 'any-ai' in block


@pytest.mark.parametrize('look_alike', LOOK_ALIKES, ids=[case.id for case in LOOK_ALIKES])
def test_look_alikes_are_not_ai_assisted(history: History, look_alike: LookAlike) -> None:
    sha = history.shas[look_alike.id]
    assert history.report[sha]['signals'] == []
    assert not history.report[sha]['refused']
    assert 'AI signals: none (not AI-assisted)' in _explain(history, sha, 0)
