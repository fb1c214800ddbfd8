"""Generate docs/requirements.md from the requirement kinds' docstrings.

Run ``python -m testing.docs`` after changing a docstring; a test fails
while the file and the docstrings disagree.
"""
from __future__ import annotations

import inspect
from pathlib import Path

from trailgate.requirements import KINDS

DOC = Path(__file__).resolve().parent.parent / 'docs' / 'requirements.md'


def requirements_markdown() -> str:
    parts = [
        '# Requirement catalogue\n\n'
        'Each requirement a rule can make has a stable code and name; both appear in\n'
        'every refusal and report (SARIF rule ids are the codes). Generated from the\n'
        'docstrings in `trailgate/requirements.py` by `python -m testing.docs`.\n',
    ]
    for kind in KINDS:
        body = inspect.cleandoc(kind.doc).replace('## ', '#### ')
        parts.append(f'\n## {kind.code} `{kind.name}`\n\n{kind.summary.capitalize()}.\n\n{body}\n')
    return ''.join(parts)


if __name__ == '__main__':
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(requirements_markdown(), encoding='utf-8')
    print(f'wrote {DOC}')
