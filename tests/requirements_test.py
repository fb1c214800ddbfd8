from __future__ import annotations

import re

from testing.docs import DOC
from testing.docs import requirements_markdown
from trailgate.requirements import KINDS


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
