"""A mark that is in a commit is found however git stores it, and a crafted
look-alike names no tool.

Each commit is written as a raw object (``git hash-object -t commit``), so
its headers and message bytes are exactly the ones git would store or a
hostile client could push: key case and spacing git accepts, folded lines,
CRLF, a latin-1 message under an ``encoding`` header, the mark in the
committer only or in a merge, identities with odd spacing or no name.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest

from testing.reference_marks import CATCH_ALL_POLICY
from testing.reference_marks import CO
from testing.util import git
from testing.util import init_repo
from testing.util import trailgate
from testing.util import write

HUMAN = b'Dev Eloper <dev@example.com>'


class Form(NamedTuple):
    id: str
    message: bytes
    expected: tuple[str, str] | None  # (source, where); None: no signal at all
    author: bytes = HUMAN
    committer: bytes = HUMAN
    headers: bytes = b''  # extra commit headers, e.g. an encoding
    merge: bool = False  # a second parent, and a change of its own


def trailer(*lines: str, newline: str = '\n') -> bytes:
    text = 'Fix the parser\n\nHandle empty input.\n\n' + '\n'.join(lines) + '\n'
    return text.replace('\n', newline).encode()


CLAUDE = 'Claude <noreply@anthropic.com>'
CRLF = '\r\n'

FORMS: tuple[Form, ...] = (
    # trailer keys and separators git accepts
    Form('key-title-case', trailer(f'Co-Authored-By: {CLAUDE}'), ('claude-code-co-author', CO)),
    Form('key-upper-no-space', trailer(f'CO-AUTHORED-BY:{CLAUDE}'), ('claude-code-co-author', CO)),
    Form('key-space-before-colon', trailer(f'co-authored-by : {CLAUDE}'), ('claude-code-co-author', CO)),
    Form('key-tab-after-colon', trailer(f'Co-authored-by:\t{CLAUDE}'), ('claude-code-co-author', CO)),
    Form('folded-value', trailer('Co-authored-by: Claude Opus 4.6', ' (1M context) <noreply@anthropic.com>'),
         ('claude-code-co-author', CO)),
    Form('folded-email', trailer('Co-authored-by: Cursor', '\t<cursoragent@cursor.com>'), ('cursor-agent', CO)),
    Form('after-a-sign-off', trailer(f'Co-authored-by: {CLAUDE}', 'Signed-off-by: Dev Eloper <dev@example.com>'),
         ('claude-code-co-author', CO)),
    # identities written the ways a person types them
    Form('bare-email', trailer('Co-authored-by: noreply@anthropic.com'), ('claude-code-co-author', CO)),
    Form('brackets-only', trailer('Co-authored-by: <cursoragent@cursor.com>'), ('cursor-agent', CO)),
    Form('blanks-in-brackets', trailer('Co-authored-by: Claude < noreply@anthropic.com >'),
         ('claude-code-co-author', CO)),
    Form('email-case', trailer('Co-authored-by: Codex <NoReply@OpenAI.com>'), ('codex-co-author', CO)),
    Form('trailing-blanks', trailer(f'Co-authored-by: {CLAUDE}  '), ('claude-code-co-author', CO)),
    # CRLF messages
    Form('crlf-co-author', trailer(f'Co-authored-by: {CLAUDE}', newline=CRLF), ('claude-code-co-author', CO)),
    Form('crlf-footer', 'Fix\r\n\r\n🤖 Generated with [Claude Code](https://claude.ai/code)\r\n'.encode(),
         ('claude-code-footer', 'message line 3')),
    Form('crlf-session-url', trailer('https://claude.ai/code/session_01AbCdEf', newline=CRLF),
         ('claude-session', 'message line 5')),
    Form('crlf-session-trailer', trailer('Claude-Session: https://claude.ai/code/session_01AbCdEf', newline=CRLF),
         ('claude-session', 'message line 5')),
    Form('crlf-opencode-footer', 'Fix\r\n\r\n🤖 Generated with opencode\r\n'.encode(),
         ('opencode-footer', 'message line 3')),
    Form('crlf-made-with', trailer('Made-with: Cursor', newline=CRLF), ('cursor-made-with', 'Made-with trailer')),
    Form('crlf-aider-prefix', b'aider: fix the parser\r\n', ('aider-subject-prefix', 'message line 1')),
    Form('crlf-aider-transcript', b'Fix\r\n\r\n# Aider chat conversation:\r\n\r\nUSER: fix\r\n',
         ('aider-chat-transcript', 'message line 3')),
    # a latin-1 message, as i18n.commitEncoding stores it
    Form('latin-1-trailer', 'Caf\xe9 fix\n\nCo-authored-by: Cl\xe0ude <noreply@anthropic.com>\n'.encode('latin-1'),
         ('claude-code-co-author', CO), headers=b'encoding ISO-8859-1\n'),
    Form('latin-1-aider-author', 'Caf\xe9 fix\n'.encode('latin-1'), ('aider-author-name', 'author'),
         author='J\xfcrgen (aider) <j@example.com>'.encode('latin-1'), headers=b'encoding ISO-8859-1\n'),
    # where the mark is
    Form('committer-only', b'Fix the parser\n', ('claude-web-identity', 'committer'), committer=CLAUDE.encode()),
    Form('devin-committer-only', b'Fix the parser\n', ('devin', 'committer'),
         committer=b'devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>'),
    Form('merge-co-author', trailer(f'Co-authored-by: {CLAUDE}'), ('claude-code-co-author', CO), merge=True),
    Form('leading-blank-lines', b'\n\naider: fix the parser\n', ('aider-subject-prefix', 'message line 1')),
    # identities in the headers with odd spacing, or no name
    Form('author-blanks-in-brackets', b'Fix\n', ('claude-web-identity', 'author'),
         author=b'Claude < noreply@anthropic.com >'),
    Form('author-without-name', b'Fix\n', ('cursor-agent', 'author'), author=b'<cursoragent@cursor.com>'),
    Form('author-aider-double-blank', b'Fix\n', ('aider-author-name', 'author'),
         author=b'Dev (aider)  <dev@example.com>'),
    # crafted look-alikes: no tool is named
    Form('a-merge-of-an-ai-branch', b"Merge branch 'claude/fix-parser'\n", None, merge=True),
    Form('longer-domain', trailer('Co-authored-by: Claude <noreply@anthropic.com.evil.example>'), None),
    Form('two-addresses', trailer('Co-authored-by: Claude <noreply@anthropic.com> <dev@example.com>'), None),
    Form('open-bracket', trailer('Co-authored-by: Claude <noreply@anthropic.com'), None),
    Form('email-in-the-name', trailer('Co-authored-by: noreply@anthropic.com <dev@example.com>'), None),
    Form('app-login-look-alike', trailer(
        'Co-authored-by: x <1+sweep-ai[bot]x@users.noreply.github.com>',
        'Co-authored-by: y <1+sweep-ai[bot]@users.noreply.github.com.evil.example>',
        'Co-authored-by: z <41898282+github-actions[bot]@users.noreply.github.com>',
        'Co-authored-by: w <1+Copilot@users.noreply.github.com>'), None),
    Form('ai-assisted-false', trailer('Ai-assisted: false', 'AI-Assisted: no'), None),
    Form('footer-mid-line', b'Fix\n\nSee "\xf0\x9f\xa4\x96 Generated with Claude Code" in the docs.\n', None),
    Form('no-email-author', b'Fix\n', None, author=b'Cursor Agent <>'),
)


class Judged(NamedTuple):
    path: Path
    shas: dict[str, str]
    report: dict[str, dict[str, Any]]


def _raw_commit(repo: Path, index: int, form: Form) -> str:
    write(repo / 'src' / f'{index}.txt', f'{index}\n')
    git(repo, 'add', 'src')
    tree = git(repo, 'write-tree').strip()
    parents = [git(repo, 'rev-parse', 'HEAD').strip()]
    if form.merge:
        parents.append(git(repo, 'rev-parse', 'side').strip())
    header = f'tree {tree}\n'.encode() + b''.join(f'parent {p}\n'.encode() for p in parents)
    header += b'author ' + form.author + b' 1790000000 +0000\n'
    header += b'committer ' + form.committer + b' 1790000000 +0000\n' + form.headers
    sha = git(repo, 'hash-object', '-t', 'commit', '-w', '--stdin', '--literally',
              input=header + b'\n' + form.message).strip()
    git(repo, 'update-ref', 'refs/heads/main', sha)
    return sha


@pytest.fixture(scope='module')
def judged(tmp_path_factory: pytest.TempPathFactory) -> Judged:
    repo = init_repo(tmp_path_factory.mktemp('hostile-marks') / 'repo')
    write(repo / '.trailgate' / 'policy.yaml', CATCH_ALL_POLICY)
    git(repo, 'add', '.trailgate')
    git(repo, 'commit', '-q', '-m', 'Add the policy')
    root = git(repo, 'rev-parse', 'HEAD').strip()
    git(repo, 'checkout', '-q', '-b', 'side')
    write(repo / 'side.txt')
    git(repo, 'add', 'side.txt')
    git(repo, 'commit', '-q', '-m', 'A side change')
    git(repo, 'checkout', '-q', 'main')
    shas = {form.id: _raw_commit(repo, index, form) for index, form in enumerate(FORMS)}
    out = repo.parent / 'report.json'
    result = trailgate(repo, 'check', '--format', 'json', '--output', str(out), f'{root}..main')
    assert 'Traceback' not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    report = {entry['sha']: entry for entry in json.loads(out.read_text(encoding='utf-8'))['commits']}
    return Judged(repo, shas, report)


def test_check_judges_every_form(judged: Judged) -> None:
    # some are objects git's fsck would reject (no name before the email): a push
    # to a server without receive.fsckObjects still brings them
    assert set(judged.shas.values()) <= set(judged.report)


@pytest.mark.parametrize('form', [f for f in FORMS if f.expected], ids=[f.id for f in FORMS if f.expected])
def test_the_mark_is_found(judged: Judged, form: Form) -> None:
    entry = judged.report[judged.shas[form.id]]
    assert form.expected in [(s['source'], s['where']) for s in entry['signals']], entry['signals']
    assert entry['refused']


@pytest.mark.parametrize('form', [f for f in FORMS if not f.expected], ids=[f.id for f in FORMS if not f.expected])
def test_the_look_alike_names_no_tool(judged: Judged, form: Form) -> None:
    entry = judged.report[judged.shas[form.id]]
    assert entry['signals'] == []
    assert not entry['refused']


def test_explain_reads_the_latin_1_commit_as_git_decodes_it(judged: Judged) -> None:
    result = trailgate(judged.path, 'explain', judged.shas['latin-1-trailer'])
    assert result.returncode == 1, result.stderr
    assert 'Claude Code [claude-code-co-author] in Co-authored-by trailer: Cl\xe0ude <noreply@anthropic.com>' \
        in result.stdout
