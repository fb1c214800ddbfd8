"""Detection quality on real histories: trailgate's marks against a ground truth.

Not a test and not part of the product. For each repository given, this
runs ``trailgate audit --csv`` (with an empty policy: only detection
matters) and, independently of trailgate, reads every commit with
``git log`` and applies the marks each tool writes, as found in the tools'
own source across their released versions (cited below). Per tool it
prints true positives, false positives, false negatives, precision and
recall. A mark is looked for anywhere in the message (not only in git's
final trailer block), so the ground truth is deliberately broader than
trailgate's rule.

    .venv/bin/python benchmarks/detection_quality.py REPO [REPO ...]
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable

from benchlib import TRAILGATE
from benchlib import isolated_env

# tool -> a test on (author "Name <email>", committer, message); each mark cites its source
Truth = Callable[[str, str, str], bool]


def _line(pattern: str, flags: int = re.IGNORECASE) -> Callable[[str], bool]:
    compiled = re.compile(pattern, flags | re.MULTILINE)
    return lambda message: compiled.search(message) is not None


_AIDER_CO = _line(r'^Co-authored-by: aider \(.*\) <(?:aider|noreply)@aider\.(?:chat|dev)>\s*$')
_CLAUDE_CO = _line(r'^Co-authored-by: [^<\n]*<noreply@anthropic\.com>\s*$')
_CLAUDE_FOOTER = _line(r'^🤖 Generated with (?:\[Claude Code\]|Claude Code)', 0)
_CRUSH = _line(
    r'^(?:(?:💘|💖|🤖) Generated with Crush|Co-Authored-By: [^<\n]*<(?:noreply@crush\.)?crush@charm\.land>'
    r'|Co-Authored-By: [^<\n]*<noreply@crush\.charm\.land>|Assisted-by: Crush(?::\S.*)?$)')
_OPENHANDS = _line(r'^Co-authored-by: [^<\n]*<(?:openhands@all-hands\.dev|opendevin@[a-z.-]+)>\s*$')
_OPENCODE = _line(r'^(?:🤖 Generated with (?:\[opencode\]|opencode$)|Co-Authored-By: [^<\n]*<noreply@opencode\.ai>)')
_COPILOT_IDS = ('198982749+copilot@', '175728472+copilot@', '223556219+copilot@', 'copilot@github.com')
_CURSOR = _line(r'^(?:Made-with: Cursor[ \t]*$|Co-authored-by: [^<\n]*<cursoragent@cursor\.com>)')
_CODEX = _line(r'^Co-authored-by: [^<\n]*<(?:noreply|codex)@openai\.com>')

TRUTH: dict[str, Truth] = {
    # aider-AI/aider aider/repo.py: author/committer " (aider)" suffix (every version),
    # "aider: " message prefix (base_coder.py, every version; opt-in from 0.57),
    # Co-authored-by <noreply@aider.chat> in v0.83-v0.84, <aider@aider.chat> from v0.85
    'aider': lambda a, c, m: a.split(' <')[0].endswith(' (aider)') or m.startswith('aider: ') or _AIDER_CO(m),
    # anthropics/claude-code CHANGELOG (co-author email; footer; model name in the co-author)
    'Claude Code': lambda a, c, m: _CLAUDE_CO(m) or _CLAUDE_FOOTER(m) or a.endswith('<noreply@anthropic.com>')
    or '+claude[bot]@users.noreply.github.com' in a.lower(),
    # charmbracelet/crush internal/agent templates and config (released from v0.1.0 on; the
    # earlier 💖/🤖 footers and noreply@crush.charm.land as seen in its history)
    'Crush': lambda a, c, m: _CRUSH(m) or a.lower().endswith('<crush@charm.land>'),
    # All-Hands-AI/OpenHands openhands/ prompts and git config; opendevin/ before the rename
    'OpenHands': lambda a, c, m: _OPENHANDS(m) or a.lower().endswith(
        ('<openhands@all-hands.dev>', '<opendevin@all-hands.dev>', '<opendevin@opendevin.ai>')),
    # sst/opencode and opencode-ai/opencode commit templates
    'opencode': lambda a, c, m: _OPENCODE(m),
    # GitHub's App ids for Copilot products; microsoft/vscode git.addAICoAuthor
    'GitHub Copilot': lambda a, c, m: any(i in (a + c + m).lower() for i in _COPILOT_IDS),
    'Cursor': lambda a, c, m: _CURSOR(m) or a.lower().endswith('<cursoragent@cursor.com>'),
    'OpenAI Codex': lambda a, c, m: _CODEX(m) or a.lower().endswith(('<codex@openai.com>', '<noreply@openai.com>')),
}


def family(mark: str) -> str | None:
    """trailgate's ``id=tool`` -> the tool family of TRUTH."""
    source, _, tool = mark.partition('=')
    if source == 'ai.disclosure_trailers':  # audit names a disclosure by its agent: Crush:model -> Crush
        return 'Crush' if tool == 'Crush' or tool.startswith('Crush:') else None
    for name in TRUTH:
        if tool.startswith(name):
            return name
    return None


def _commits(repo: str, env: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    out = subprocess.run(
        ('git', 'log', '-z', '--format=%H%x00%an <%ae>%x00%cn <%ce>%x00%B', 'HEAD'),
        cwd=repo, env=env, capture_output=True, check=True,
    ).stdout.decode('utf-8', 'replace').split('\0')
    commits = {}
    for index in range(0, len(out) - 3, 4):
        sha = out[index].strip()
        commits[sha] = (out[index + 1], out[index + 2], out[index + 3])
    return commits


def _detected(repo: str, env: dict[str, str], scratch: str) -> dict[str, set[str]]:
    """audit's marks per commit, run in a shared clone: the copy given is never written to."""
    clone = os.path.join(scratch, 'clone.git')
    subprocess.run(('rm', '-rf', clone), check=True)
    subprocess.run(('git', 'clone', '-q', '--bare', '--shared', os.path.abspath(repo), clone), env=env, check=True)
    repo = clone
    policy = os.path.join(scratch, 'policy.yaml')
    with open(policy, 'w') as f:
        f.write('version: 1\nrules: []\n')
    out = os.path.join(scratch, 'audit.csv')
    subprocess.run((TRAILGATE, 'audit', '-q', '--policy', policy, '--csv', out), cwd=repo, env=env, check=True)
    found: dict[str, set[str]] = {}
    with open(out, newline='', encoding='utf-8') as f:
        for row in csv.DictReader(f):
            marks = [mark for mark in row['tools'].lstrip("'").split('; ') if mark]
            found[row['sha']] = {name for name in map(family, marks) if name}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('repos', nargs='+')
    parser.add_argument('--examples', type=int, default=3, help='misses and false alarms shown per tool')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = isolated_env(scratch)
        for repo in args.repos:
            commits = _commits(repo, env)
            detected = _detected(repo, env, scratch)
            if set(detected) != set(commits):
                print(f'{repo}: audit listed {len(detected)} commits, git log {len(commits)}', file=sys.stderr)
                return 1
            print(f'\n{repo}: {len(commits)} commits')
            header = ('tool', 'truth', 'found', 'TP', 'FP', 'FN', 'precision', 'recall')
            print('  {:<16} {:>6} {:>6} {:>6} {:>5} {:>5} {:>9} {:>7}'.format(*header))
            examples: Counter[str] = Counter()
            for tool, truth in TRUTH.items():
                expected = {sha for sha, (a, c, m) in commits.items() if truth(a, c, m)}
                found = {sha for sha, tools in detected.items() if tool in tools}
                if not expected and not found:
                    continue
                tp, fp, fn = len(expected & found), len(found - expected), len(expected - found)
                precision = f'{tp / (tp + fp):.3f}' if tp + fp else '-'
                recall = f'{tp / (tp + fn):.3f}' if tp + fn else '-'
                row = (tool, len(expected), len(found), tp, fp, fn, precision, recall)
                print('  {:<16} {:>6} {:>6} {:>6} {:>5} {:>5} {:>9} {:>7}'.format(*row))
                for kind, shas in (('missed', expected - found), ('false alarm', found - expected)):
                    for sha in sorted(shas)[:args.examples]:
                        examples[kind] += 1
                        subject = commits[sha][2].split('\n', 1)[0][:70]
                        print(f'      {kind}: {sha[:12]} {commits[sha][0][:40]} | {subject}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
