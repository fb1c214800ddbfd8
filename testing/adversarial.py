"""Adversarial attempts to get an AI-assisted change to a critical path past
every gate, and the small hardened harness the hostile-input tests share.

Each ``Case`` is one attempt, made with real git in a pytest tmp directory
(``git_env()``: no user or system configuration, fixed identity, ``-b
main``). ``Arena.play`` makes its commits with the ``commit-msg`` hook
installed through ``core.hooksPath`` (``git commit``; a refused commit is
then made anyway with ``--no-verify``, as an attacker would), then runs the
other gates on the result:

- ``check``: ``trailgate check main..<branch> --format json``;
- ``pre-push``: a real ``git push`` to a local bare remote, hook installed;
- ``pre-receive``: a real ``git push --no-verify`` to a bare remote whose
  ``hooks/pre-receive`` runs trailgate (installed after the remote received
  the base commit and its policy).

The expected verdicts live in the cases themselves, and
``docs/adversarial.md`` is generated from them (``python -m
testing.adversarial > docs/adversarial.md``): a test fails when the two
drift apart, and another fails when a gate's real verdict differs from the
table. Every subprocess here has a timeout, so a hang fails a test instead
of stalling the suite.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

from testing.scenarios import POLICY
from testing.util import git_env
from trailgate.trailers import parse_trailers
from trailgate.trailers import skip_blank_lines

# seconds, for every subprocess: a hang guard, far above any run on a loaded
# 2-core machine, so that a hang fails the test and slowness never does
TIMEOUT = 120
GATES = ('commit-msg', 'check', 'pre-push', 'pre-receive')
VERDICTS = {0: 'accepted', 1: 'refused', 2: 'error'}

# -- processes --------------------------------------------------------------


class Proc(NamedTuple):
    """A finished process; deliberately without its duration (no test
    verdict may depend on the machine's speed; benchmarks/ measure)."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def decode(data: bytes) -> str:
    return data.decode('utf-8', 'surrogateescape')


def run(args: Sequence[str | os.PathLike[str]], cwd: Path | str, env: Mapping[str, str] | None = None,
        input: bytes | str | None = None, timeout: float = TIMEOUT) -> Proc:
    """Run ``args``; on timeout kill its whole process group and fail."""
    if isinstance(input, str):
        input = input.encode('utf-8', 'surrogateescape')
    process = subprocess.Popen(
        [os.fspath(arg) for arg in args], cwd=cwd, env=dict(env) if env is not None else git_env(),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f'hung: {" ".join(map(str, args))} did not finish in {timeout} s') from None
    return Proc(process.returncode, decode(stdout), decode(stderr))


def git(cwd: Path | str, *args: str, env: Mapping[str, str] | None = None,
        input: bytes | str | None = None, timeout: float = TIMEOUT) -> str:
    """Run git; its stdout, or AssertionError with its stderr."""
    result = run(('git', *args), cwd, env, input, timeout)
    if result.returncode:
        raise AssertionError(f'git {" ".join(args)} failed ({result.returncode}) in {cwd}:\n{result.stderr}')
    return result.stdout


def trailgate(cwd: Path | str, *args: str, env: Mapping[str, str] | None = None,
              input: bytes | str | None = None, timeout: float = TIMEOUT) -> Proc:
    """The real entry point, ``python -m trailgate``, in a subprocess."""
    return run((sys.executable, '-m', 'trailgate', *args), cwd, env, input, timeout)


def init(path: Path, bare: bool = False, env: Mapping[str, str] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, 'init', '-q', '-b', 'main', *(['--bare'] if bare else []), '.', env=env)
    if not bare:
        git(path, 'config', 'user.name', 'Dev Eloper', env=env)
        git(path, 'config', 'user.email', 'dev@example.com', env=env)
        git(path, 'config', 'commit.gpgsign', 'false', env=env)
    return path


def put(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def no_traceback(proc: Proc) -> None:
    assert 'Traceback' not in proc.output, proc.output


# -- hooks ------------------------------------------------------------------

STATUS = 'ADV_STATUS'  # file the hook scripts append "<hook> <status>" to
REPORTS = 'ADV_REPORTS'  # directory for the JSON reports of pre-push / pre-receive


def hook_script(hook: str) -> str:
    """A hook that execs ``<this python> -m trailgate <hook>``; under the
    test variables it records its status (git reports any hook failure as
    its own exit 1) and writes a JSON report."""
    command = ' '.join(shlex.quote(part) for part in (sys.executable, '-m', 'trailgate', hook))
    report = f' --format json --output "${REPORTS}/{hook}.json"' if hook in ('pre-push', 'pre-receive') else ''
    return (
        '#!/bin/sh\n'
        f'if [ -z "${STATUS}" ]; then\n'
        f'    exec {command} "$@"\n'
        'fi\n'
        f'{command}{report} "$@"\n'
        'status=$?\n'
        f'echo "{hook} $status" >> "${STATUS}"\n'
        'exit $status\n'
    )


def write_hooks(directory: Path, hooks: Sequence[str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for hook in hooks:
        path = directory / hook
        path.write_text(hook_script(hook))
        path.chmod(0o755)
    return directory


# -- the attempts -----------------------------------------------------------

ALICE = 'Alice Archer <alice@example.com>'
BOB = 'Bob Builder <bob@example.com>'
CAROL = 'Carol Chen <carol@example.com>'
DEV = 'Dev Eloper <dev@example.com>'
REVIEW_ALICE = f'Reviewed-by: {ALICE}'
REVIEW_BOB = f'Reviewed-by: {BOB}'
DOC = 'Change-Doc: PAY-123'
AI = 'Assisted-by: Claude Code'
# an AI mark in the body, for messages whose last paragraph is not a trailer block
MARK = '\U0001F916 Generated with [Claude Code](https://claude.com/claude-code)'
CHARGE = 'services/payments/charge.py'
POLICY_PATH = '.trailgate/policy.yaml'
BASE_FILES = {
    POLICY_PATH: POLICY,
    'README.txt': 'shop\n',
    CHARGE: 'def charge():\n    return 1\n',
    'services/payments/a.py': 'A = 1\n',
    'docs/changes/README.md': 'Change documents.\n',
}
SENIOR_ONLY = """\
version: 1
groups:
  senior: [alice@example.com, "Bob Builder <bob@example.com>"]
  sre: [carol@example.com]
policy_owners: senior
rules: []
"""
EMPTY_POLICY = 'version: 1\nrules: []\n'
GITMODULES = '[submodule "vendor"]\n\tpath = services/payments/vendor\n\turl = ./vendor.git\n\tignore = all\n'
NOTHING = ()  # no unmet requirement: the commit is accepted
REVIEWS = ('TG001',)
DOCS = ('TG002',)
BOTH = ('TG001', 'TG002')


def msg(*paragraphs: str) -> str:
    return '\n\n'.join(p.rstrip('\n') for p in paragraphs) + '\n'


def block(*lines: str) -> str:
    return '\n'.join(lines)


class Commit(NamedTuple):
    """One commit of an attempt (``git commit -F -``)."""

    message: str
    files: Mapping[str, str] = {CHARGE: 'def charge():\n    return 2\n'}
    remove: tuple[str, ...] = ()
    moves: tuple[tuple[str, str], ...] = ()
    symlinks: Mapping[str, str] = {}
    untracked: Mapping[str, str] = {}  # written to the work tree, not staged
    chmod: tuple[str, ...] = ()  # made executable in the index
    gitlinks: Mapping[str, str] = {}  # path -> revision: a submodule commit in the index
    args: tuple[str, ...] = ()  # more `git commit` arguments (after -F -)
    author: str = DEV
    committer: str | None = None
    amend: bool = False
    gated: bool = True  # made with the commit-msg hook (else: setup, --no-verify)
    hook: str = 'refused'  # commit-msg's verdict (work-tree policy)
    hook_codes: tuple[str, ...] | None = None  # its unmet requirements (default: codes)
    codes: tuple[str, ...] = BOTH  # unmet requirements under the base policy
    override_problem: bool = False  # a break-glass trailer that was ignored
    overridden: bool = False  # let through by a valid break-glass (and reported)

    @property
    def subject(self) -> str:
        return self.message.split('\n', 1)[0]

    @property
    def expected_hook_codes(self) -> tuple[str, ...]:
        return self.codes if self.hook_codes is None else self.hook_codes


class Merge(NamedTuple):
    """A merge of a side branch, its result in ``path`` written by hand.

    With ``ours``, the side branch and the case branch both change ``path``:
    the merge conflicts and ``resolution`` resolves it. Without, the side
    branch changes README.txt only, the merge is clean, and ``resolution``
    is an edit slipped into the merge commit (an "evil merge").
    """

    message: str
    path: str = CHARGE
    ours: str | None = 'def charge():\n    return 3\n'
    theirs: str = 'def charge():\n    return 4\n'
    resolution: str = 'def charge():\n    return 3 + 4\n'
    hook: str = 'refused'
    hook_codes: tuple[str, ...] | None = None
    codes: tuple[str, ...] = BOTH
    author: str = DEV
    gated: bool = True
    override_problem: bool = False
    overridden: bool = False

    @property
    def subject(self) -> str:
        return self.message.split('\n', 1)[0]

    @property
    def expected_hook_codes(self) -> tuple[str, ...]:
        return self.codes if self.hook_codes is None else self.hook_codes


Step = Commit | Merge
OURS_SUBJECT = 'Retry the charge on timeout'
THEIRS_SUBJECT = 'Charge in cents'


class Case(NamedTuple):
    id: str
    attempt: str  # Markdown
    steps: tuple[Step, ...]
    note: str = ''  # Markdown: a documented limit, or why a gate answers as it does

    def gated(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.gated)

    def history(self) -> tuple[Step, ...]:
        """The steps whose commits end up in the branch (an amend replaces the one before)."""
        kept: list[Step] = []
        for step in self.steps:
            if isinstance(step, Commit) and step.amend:
                kept.pop()
            kept.append(step)
        return tuple(kept)

    def expected(self, gate: str) -> str:
        if gate == 'commit-msg':
            verdicts = [step.hook for step in self.gated()]
            if len(set(verdicts)) <= 1:
                return verdicts[0] if verdicts else 'n/a'
            return ', '.join(f'{v} (commit {i})' for i, v in enumerate(verdicts, 1))
        return 'refused' if any(step.codes for step in self.history()) else 'accepted'

    def expected_codes(self) -> dict[str, tuple[str, ...]]:
        """subject -> unmet requirements at check / pre-push / pre-receive."""
        codes = {step.subject: step.codes for step in self.history()}
        for step in self.history():
            if isinstance(step, Merge):
                codes.update({THEIRS_SUBJECT: NOTHING, **({OURS_SUBJECT: NOTHING} if step.ours else {})})
        return codes


def ai_change(subject: str, *trailers: str, **kwargs: object) -> Commit:
    """An AI-assisted change to charge.py with ``trailers`` (plus Assisted-by)."""
    return Commit(msg(subject, 'Cache the card token between retries.', block(AI, *trailers)),
                  **kwargs)  # type: ignore[arg-type]


def lookalike(case_id: str, value: str, what: str) -> Case:
    return Case(
        f'lookalike-{case_id}', f'{what}: `Reviewed-by: {value}` with Bob\'s real review',
        (ai_change('Speed up charge', REVIEW_BOB, f'Reviewed-by: {value}', DOC, codes=REVIEWS),),
    )


def documentation(case_id: str, value: str, what: str, **kwargs: object) -> Case:
    return Case(
        f'doc-{case_id}', what,
        (ai_change('Speed up charge', REVIEW_ALICE, REVIEW_BOB, f'Change-Doc: {value}',
                   codes=DOCS, **kwargs),),
    )


WEAKER = 'A policy commit that drops the tier1 rule (keeps `policy_owners`)'
CASES: tuple[Case, ...] = (
    Case('control-valid', 'Control: two senior reviews and a ticket in the trailer block',
         (ai_change('Speed up charge', REVIEW_ALICE, REVIEW_BOB, DOC, hook='accepted', codes=NOTHING),),
         'proves each gate can say yes'),
    Case('control-divider', 'Control: a `---` line and text, then the full trailer block (dependabot style)',
         (Commit(msg('Bump the payments SDK', 'Bumps sdk from 1.0 to 2.0.',
                     '---\nupdated-dependencies:\n- dependency-name: sdk\n  dependency-type: direct:production\n...',
                     block(AI, REVIEW_ALICE, REVIEW_BOB, DOC)), hook='accepted', codes=NOTHING),),
         'git `--no-divider`: trailers after `---` count'),
    Case('control-trailer-option', 'Control: the reviews and ticket given with `git commit --trailer`, '
         'as the refusal suggests', (
             ai_change('Speed up charge', args=('--trailer', REVIEW_ALICE, '--trailer', REVIEW_BOB,
                                                '--trailer', DOC), hook='accepted', codes=NOTHING),),
         'git adds the trailers before commit-msg runs'),
    Case('divider-hides-block', 'Reviews and ticket above a `---` line, only `Assisted-by` after it',
         (Commit(msg('Speed up charge', MARK, block(REVIEW_ALICE, REVIEW_BOB, DOC),
                     '---\nnotes below the divider', AI)),),
         'an email-style parser would stop at `---` and count the reviews'),
    Case('reviews-below-scissors', 'Reviews below a scissors line (`# --- >8 ---`) in a message made with `-F`',
         (Commit(msg('Speed up charge', 'Cache the card token between retries.', block(AI, DOC),
                     '# ------------------------ >8 ------------------------', block(REVIEW_ALICE, REVIEW_BOB)),
                 codes=REVIEWS),),
         'git keeps the cut and what follows in the stored message, and its trailer parser stops there'),
    Case('reviews-in-body', 'Review lines in a body paragraph, not in the trailer block',
         (Commit(msg('Speed up charge', block(REVIEW_ALICE, REVIEW_BOB),
                     'Cache the card token between retries.', block(AI, DOC)), codes=REVIEWS),)),
    Case('review-in-subject', 'A review as the subject line', (
        Commit(msg(REVIEW_ALICE, block(AI, REVIEW_BOB, DOC)), codes=REVIEWS),)),
    Case('review-block-not-last', 'The whole trailer block in a non-last paragraph, prose after it',
         (Commit(msg('Speed up charge', MARK, block(REVIEW_ALICE, REVIEW_BOB, DOC, AI),
                     'Thanks to the payments team for the quick look.')),)),
    Case('prose-in-trailer-block', 'A prose line inside the trailer block (no git-generated line)',
         (Commit(msg('Speed up charge', MARK, block(REVIEW_ALICE, REVIEW_BOB, DOC, 'Thanks for the look!'))),),
         'git: a block with a non-trailer line and no `Signed-off-by` is not a trailer block'),
    Case('review-in-continuation', 'A review folded into another trailer\'s continuation line',
         (ai_change('Speed up charge', DOC, REVIEW_BOB, 'Notes: see the thread', f' {REVIEW_ALICE}',
                    codes=REVIEWS),)),
    Case('review-commented-out', '`# Reviewed-by: ...` in the trailer block', (
        ai_change('Speed up charge', REVIEW_BOB, DOC, f'# {REVIEW_ALICE}', codes=REVIEWS),),
        'commit-msg drops comment lines; git ignores them in stored messages'),
    Case('self-review-other-name', 'The author reviews under another name', (
        ai_change('Speed up charge', 'Reviewed-by: A. Archer (laptop) <alice@example.com>', REVIEW_BOB, DOC,
                  author=ALICE, codes=REVIEWS),)),
    Case('self-review-author-flag', 'The author, set with `git commit --author`, reviews the change', (
        ai_change('Speed up charge', 'Reviewed-by: alice@example.com', REVIEW_BOB, DOC,
                  args=('--author', ALICE), codes=REVIEWS),),
        'git exports the `--author` identity to the hook'),
    Case('self-review-author-case', 'Author `Alice@Example.COM` reviews as `alice@example.com`', (
        ai_change('Speed up charge', 'Reviewed-by: alice@example.com', REVIEW_BOB, DOC,
                  author='Alice Archer <Alice@Example.COM>', codes=REVIEWS),)),
    Case('self-review-review-case', 'Author `alice@example.com` reviews as `ALICE@EXAMPLE.COM`', (
        ai_change('Speed up charge', 'Reviewed-by: Alice <ALICE@EXAMPLE.COM>', REVIEW_BOB, DOC,
                  author=ALICE, codes=REVIEWS),)),
    Case('same-reviewer-twice', 'One reviewer three times, in three spellings', (
        ai_change('Speed up charge', REVIEW_ALICE, 'Reviewed-by: alice@example.com',
                  'Reviewed-by: A. Archer <ALICE@example.com>', DOC, codes=REVIEWS),)),
    lookalike('cyrillic', '\u0430lice@example.com', 'Cyrillic `\u0430` (U+0430)'),
    lookalike('trailing-dot', 'alice@example.com.', 'Trailing dot'),
    lookalike('plus-tag', 'alice+x@example.com', 'Plus tag'),
    lookalike('quoted-name', '"Alice <alice@example.com>" <evil@x.com>', 'Member quoted as the name'),
    lookalike('second-address', 'alice@example.com <evil@x.com>', 'Member as the name'),
    lookalike('extra-bracket', '<alice@example.com>>', 'Stray bracket'),
    lookalike('unclosed-bracket', 'Alice <alice@example.com', 'Unclosed bracket'),
    lookalike('fullwidth-at', 'alice\uff20example.com', 'Fullwidth `\uff20` (U+FF20)'),
    documentation('parent-dir', '../docs/changes/x.md', '`Change-Doc: ../docs/changes/x.md` (the file exists)',
                  files={CHARGE: 'def charge():\n    return 2\n', 'docs/changes/x.md': 'plan\n'}),
    documentation('absolute', '/etc/passwd', '`Change-Doc: /etc/passwd`'),
    documentation('dotdot-inside', 'docs/changes/../../x', '`Change-Doc: docs/changes/../../x` (`x` exists)',
                  files={CHARGE: 'def charge():\n    return 2\n', 'x': 'plan\n'}),
    documentation('symlink', 'docs/changes/link.md', 'Committed symlink `docs/changes/link.md -> /etc/passwd`',
                  symlinks={'docs/changes/link.md': '/etc/passwd'}),
    documentation('directory', 'docs/changes/plan', '`Change-Doc: docs/changes/plan`, a directory',
                  files={CHARGE: 'def charge():\n    return 2\n', 'docs/changes/plan/index.md': 'plan\n'}),
    documentation('untracked', 'docs/changes/draft.md', 'The doc file is in the work tree, never staged',
                  untracked={'docs/changes/draft.md': 'plan\n'}),
    documentation('pattern-suffix', 'PAY-123 (see wiki)', 'A ticket id with text after it'),
    documentation('deleted-in-commit', 'docs/changes/README.md', 'The named doc file is deleted by the commit',
                  remove=('docs/changes/README.md',)),
    Case('doc-in-later-commit', 'The named doc file is only added by a later commit', (
        ai_change('Speed up charge', REVIEW_ALICE, REVIEW_BOB, 'Change-Doc: docs/changes/later.md', codes=DOCS),
        Commit(msg('Write the change document'), files={'docs/changes/later.md': 'plan\n'},
               hook='accepted', codes=NOTHING))),
    Case('weaken-policy-same-commit', f'{WEAKER}, in the AI change itself', (
        ai_change('Speed up charge', files={CHARGE: 'def charge():\n    return 2\n', POLICY_PATH: SENIOR_ONLY},
                  hook_codes=('TG004',), codes=('TG001', 'TG002', 'TG004')),),
        'commit-msg reads the work-tree policy (contract); `policy_owners` refuses the policy change'),
    Case('weaken-policy-earlier-commit', f'{WEAKER}, then the AI change', (
        Commit(msg('Relax the payments policy'), files={POLICY_PATH: SENIOR_ONLY}, codes=('TG004',)),
        ai_change('Speed up charge', hook='accepted', hook_codes=NOTHING)),
        'commit-msg: the policy commit is refused; the AI change after it is judged by the weakened '
        'work-tree policy (contract). The base policy judges both everywhere else'),
    Case('weaken-policy-drop-owners', 'A policy commit that empties the policy, `policy_owners` too, '
         'then the AI change', (
             Commit(msg('Simplify the policy'), files={POLICY_PATH: EMPTY_POLICY}, hook='accepted',
                    hook_codes=NOTHING, codes=('TG004',)),
             ai_change('Speed up charge', hook='accepted', hook_codes=NOTHING)),
         '**limit**: commit-msg judges by the work-tree policy (contract), which no longer has owners; '
         'CI and the server judge by the base policy'),
    Case('delete-policy', '`git rm .trailgate/policy.yaml`, then the AI change', (
        Commit(msg('Remove the policy'), files={}, remove=(POLICY_PATH,), hook='error', hook_codes=NOTHING,
               codes=('TG004',)),
        ai_change('Speed up charge', hook='error', hook_codes=NOTHING)),
        'commit-msg has no policy left: exit 2 (blocked)'),
    Case('rename-out', '`git mv services/payments/a.py elsewhere/a.py`', (
        Commit(msg('Move a helper', block(AI)), files={}, moves=(('services/payments/a.py', 'elsewhere/a.py'),)),),
        'a rename counts as its old and its new path'),
    Case('merge-conflict-resolution', 'A merge whose conflict resolution in charge.py is AI-assisted', (
        Merge(msg("Merge branch 'side'", 'Conflict in charge.py resolved with Claude Code.', block(AI))),),
        'both parents are human commits and pass; the merge is judged on its combined diff'),
    Case('evil-merge', 'A clean merge (side branch: README only) with an AI edit to charge.py slipped in', (
        Merge(msg("Merge branch 'side'", block(AI)), ours=None, theirs='shop, now with docs\n'),),
        'the edit is in neither parent, so the combined diff shows it'),
    Case('submodule-ignore-all', 'A `.gitmodules` with `ignore = all` for a submodule in the critical path '
         '(human commit), then an AI bump of the submodule', (
             Commit(msg('Vendor the card gateway'), files={'.gitmodules': GITMODULES},
                    gitlinks={'services/payments/vendor': 'main'}, hook='accepted', codes=NOTHING),
             Commit(msg('Bump the card gateway', block(AI)), files={},
                    gitlinks={'services/payments/vendor': 'HEAD'})),
         'git honours `submodule.<name>.ignore` from the committed `.gitmodules`; trailgate passes '
         '`--ignore-submodules=none`, so the bump is seen everywhere'),
    Case('mode-change-only', '`chmod +x services/payments/charge.py`, content unchanged', (
        Commit(msg('Make charge executable', block(AI)), files={}, chmod=(CHARGE,)),)),
    Case('delete-critical', '`git rm services/payments/a.py`', (
        Commit(msg('Drop a helper', block(AI)), files={}, remove=('services/payments/a.py',)),)),
    Case('commit-all-flag', 'The change is not staged; `git commit -a` stages it', (
        ai_change('Speed up charge', files={}, untracked={CHARGE: 'def charge():\n    return 2\n'},
                  args=('-a',)),),
        'commit-msg sees the index git is about to commit'),
    Case('commit-only-pathspec', '`git commit -- services/payments/charge.py` (only that path, unstaged), '
         'a harmless file staged', (
             ai_change('Speed up charge', files={'README.txt': 'shop\n\nstaged\n'},
                       untracked={CHARGE: 'def charge():\n    return 2\n'}, args=('--', CHARGE)),),
         "git's temporary index (GIT_INDEX_FILE) holds what is committed"),
    Case('amend-adds-nothing', 'A refused change made with `--no-verify`, then `git commit --amend` of the '
         'message only', (
             ai_change('Speed up charge', gated=False),
             ai_change('Speed up charge', REVIEW_BOB, files={}, amend=True)),
         "commit-msg judges the amended commit against HEAD's parent"),
    Case('break-glass-outsider', '`Break-Glass:` from an author outside `sre`', (
        ai_change('Hotfix charge', 'Break-Glass: payments are down', override_problem=True),)),
    Case('break-glass-sre-committer', '`Break-Glass:` with an `sre` committer but a non-`sre` author', (
        ai_change('Hotfix charge', 'Break-Glass: payments are down', committer=CAROL, override_problem=True),)),
    Case('break-glass-empty-reason', '`Break-Glass:` with an empty reason, `sre` author', (
        ai_change('Hotfix charge', 'Break-Glass:', author=CAROL, override_problem=True),)),
    Case('break-glass-in-body', '`Break-Glass: ...` in the body, not the trailer block, `sre` author', (
        Commit(msg('Hotfix charge', 'Break-Glass: payments are down', block(AI)), author=CAROL),)),
    Case('break-glass-forged-author', '`git commit --author "Carol Chen <carol@example.com>"` by a non-`sre` '
         'developer, with `Break-Glass: ...`', (
             ai_change('Hotfix charge', 'Break-Glass: payments are down', author=CAROL, hook='accepted',
                       codes=NOTHING, overridden=True),),
         '**limit** by design: the author is what the commit claims (README, Trust model: break-glass is '
         'audited, not prevented; every report lists the commit as overridden)'),
    Case('ai-mark-removed-by-reword', 'The `Assisted-by` trailer is removed with `git commit --amend`', (
        ai_change('Speed up charge', gated=False),
        Commit(msg('Speed up charge', 'Cache the card token between retries.'), files={}, amend=True,
               hook='accepted', codes=NOTHING)),
        '**limit** by design: detection is evidence, not proof (README, Trust model); '
        'use `applies_to: all` where that matters'),
)


# -- playing a case ----------------------------------------------------------


class StepResult(NamedTuple):
    subject: str
    verdict: str | None  # commit-msg's, None when not gated
    codes: tuple[str, ...]
    output: str


class GateResult(NamedTuple):
    verdict: str
    codes: dict[str, tuple[str, ...]]  # subject -> unmet, not overridden requirements
    override_problems: frozenset[str]  # subjects with an ignored break-glass
    overridden: frozenset[str]  # subjects let through by a valid break-glass
    output: str


class Outcome(NamedTuple):
    steps: tuple[StepResult, ...]
    gates: dict[str, GateResult]
    trailer_disagreements: tuple[str, ...]

    def verdict(self, gate: str) -> str:
        if gate != 'commit-msg':
            return self.gates[gate].verdict
        verdicts = [step.verdict for step in self.steps if step.verdict is not None]
        if len(set(verdicts)) <= 1:
            return verdicts[0] if verdicts else 'n/a'
        return ', '.join(f'{v} (commit {i})' for i, v in enumerate(verdicts, 1))


_CODE = re.compile(r'^  x \S+: \S+ \((TG\d{3})\): ', re.MULTILINE)  # unmet, not overridden


def identity_env(role: str, value: str) -> dict[str, str]:
    name, _, email = value.partition(' <')
    return {f'GIT_{role}_NAME': name, f'GIT_{role}_EMAIL': email[:-1]}


def _from_report(report: dict[str, Any], verdict: str, output: str) -> GateResult:
    codes: dict[str, tuple[str, ...]] = {}
    problems = set()
    overridden = set()
    for commit in report['commits']:
        codes[commit['subject']] = tuple(sorted(
            v['code'] for v in commit['violations'] if not v['overridden']))
        if commit['override_problem']:
            problems.add(commit['subject'])
        if commit['override']:
            overridden.add(commit['subject'])
    return GateResult(verdict, codes, frozenset(problems), frozenset(overridden), output)


class Arena:
    """One work repository and two bare remotes, shared by every case."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / 'work'
        self.status = root / 'hook-status'
        self.reports = root / 'reports'
        self.reports.mkdir(parents=True)
        self.env = git_env(**{STATUS: str(self.status), REPORTS: str(self.reports)})
        self.cases = 0
        init(self.work, env=self.env)
        for name, content in BASE_FILES.items():
            put(self.work / name, content)
        self.git('add', '-A')
        self.git('commit', '-q', '--no-verify', '-m', 'Add the trailgate policy')
        for remote in ('plain', 'guarded'):
            init(root / f'{remote}.git', bare=True, env=self.env)
            self.git('remote', 'add', remote, str(root / f'{remote}.git'))
            self.git('push', '-q', '--no-verify', remote, 'main')
            self.git('remote', 'set-head', remote, 'main')
        # the server's hook comes after the base commit that holds its policy
        write_hooks(root / 'guarded.git' / 'hooks', ('pre-receive',))
        write_hooks(root / 'hooks', ('commit-msg', 'pre-push'))
        self.git('config', 'core.hooksPath', str(root / 'hooks'))

    def run(self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Proc:
        self.status.unlink(missing_ok=True)
        return run(args, self.work, {**self.env, **(env or {})}, input)

    def git(self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> str:
        result = self.run('git', *args, env=env, input=input)
        if result.returncode:
            raise AssertionError(f'git {" ".join(args)} failed ({result.returncode}):\n{result.output}')
        return result.stdout

    def hook_statuses(self) -> dict[str, int]:
        statuses = {}
        if self.status.exists():
            for line in self.status.read_text().splitlines():
                hook, _, status = line.rpartition(' ')
                statuses[hook] = int(status)
        return statuses

    # -- making the commits

    def _stage(self, step: Commit) -> None:
        for name, content in {**step.files, **step.untracked}.items():
            put(self.work / name, content)
        for name, target in step.symlinks.items():
            (self.work / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, self.work / name)
        added = [*step.files, *step.symlinks]
        if added:
            self.git('add', '--', *added)
        if step.remove:
            self.git('rm', '-q', '--', *step.remove)
        for path, rev in step.gitlinks.items():
            sha = self.git('rev-parse', rev).strip()
            self.git('update-index', '--add', '--cacheinfo', f'160000,{sha},{path}')
        for path in step.chmod:
            self.git('update-index', '--chmod=+x', '--', path)
        for old, new in step.moves:
            (self.work / new).parent.mkdir(parents=True, exist_ok=True)
            self.git('mv', old, new)

    def _commit(self, message: str, author: str, committer: str | None, gated: bool,
                extra: Sequence[str] = ()) -> StepResult:
        """The commit, with the commit-msg hook when ``gated``; a refused
        commit is made anyway with --no-verify (the hook is advisory)."""
        env = identity_env('AUTHOR', author)
        if committer:
            env.update(identity_env('COMMITTER', committer))
        verdict = None
        codes: tuple[str, ...] = ()
        output = ''
        head = self.git('rev-parse', 'HEAD').strip()
        if gated:
            result = self.run('git', 'commit', '-q', '-F', '-', *extra, env=env, input=message)
            status = self.hook_statuses().get('commit-msg')
            assert status is not None, f'the commit-msg hook did not run: {result.output}'
            assert (result.returncode == 0) == (status == 0), result.output
            verdict = VERDICTS.get(status, f'exit {status}')
            codes = tuple(sorted(set(_CODE.findall(result.stderr))))
            output = result.output
            if status == 0:
                return StepResult(message.split('\n', 1)[0], verdict, codes, output)
            assert self.git('rev-parse', 'HEAD').strip() == head, 'a refused commit was made'
        self.git('commit', '-q', '--no-verify', '-F', '-', *extra, env=env, input=message)
        return StepResult(message.split('\n', 1)[0], verdict, codes, output)

    def _merge(self, step: Merge, branch: str) -> StepResult:
        side = branch.replace('case/', 'side/')
        self.git('checkout', '-q', '-b', side, 'main')
        put(self.work / (step.path if step.ours else 'README.txt'), step.theirs)
        self.git('commit', '-q', '--no-verify', '-am', THEIRS_SUBJECT)
        self.git('checkout', '-q', branch)
        if step.ours:
            put(self.work / step.path, step.ours)
            self.git('commit', '-q', '--no-verify', '-am', OURS_SUBJECT)
        merged = self.run('git', 'merge', '-q', '--no-ff', '--no-commit', side)
        if step.ours:
            assert merged.returncode == 1 and 'CONFLICT' in merged.output, merged.output
        else:
            assert merged.returncode == 0, merged.output
        put(self.work / step.path, step.resolution)
        self.git('add', step.path)
        return self._commit(step.message, step.author, None, step.gated)

    def _step(self, step: Step, branch: str) -> StepResult:
        if isinstance(step, Merge):
            return self._merge(step, branch)
        self._stage(step)
        extra = [*(['--amend'] if step.amend else []), *step.args]
        return self._commit(step.message, step.author, step.committer, step.gated, extra)

    # -- the gates

    def _check(self, branch: str) -> GateResult:
        result = self.run(sys.executable, '-m', 'trailgate', 'check', f'main..{branch}', '--format', 'json')
        assert result.returncode in (0, 1), result.output
        return _from_report(json.loads(result.stdout), VERDICTS[result.returncode], result.output)

    def _push(self, hook: str, remote: str, branch: str, *options: str) -> GateResult:
        report = self.reports / f'{hook}.json'
        report.unlink(missing_ok=True)
        result = self.run('git', 'push', '-q', *options, remote, f'{branch}:refs/heads/{branch}')
        status = self.hook_statuses().get(hook)
        assert status is not None, f'the {hook} hook did not run: {result.output}'
        assert (result.returncode == 0) == (status == 0), result.output
        pushed = self.run('git', '--git-dir', str(self.root / f'{remote}.git'), 'rev-parse', '--verify',
                          '--quiet', f'refs/heads/{branch}')
        assert (pushed.returncode == 0) == (status == 0), f'{remote} has {branch}: {pushed.stdout}'
        assert report.exists(), f'{hook} wrote no report: {result.output}'
        return _from_report(json.loads(report.read_text()), VERDICTS.get(status, f'exit {status}'), result.output)

    def trailer_disagreements(self, branch: str) -> tuple[str, ...]:
        """Commits whose trailers (as trailgate parses them) differ from
        ``git log --format=%(trailers:unfold,only)``."""
        found = []
        for sha in self.git('rev-list', f'main..{branch}').split():
            body = self.git('show', '-s', '--format=%B', sha)[:-1]  # git adds a newline
            ours = ''.join(f'{t.key}: {t.value}\n' for t in parse_trailers(skip_blank_lines(body)))
            theirs = self.git('show', '-s', '--format=%(trailers:unfold,only)', sha)[:-1]
            if ours != theirs:
                found.append(f'{sha[:10]}: trailgate {ours!r} != git {theirs!r}')
        return tuple(found)

    def play(self, case: Case) -> Outcome:
        branch = f'case/{case.id}'
        # a date of its own for each case: two cases never make the same commit
        self.cases += 1
        date = f'{1767225600 + 60 * self.cases} +0000'
        self.env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        self.git('reset', '-q', '--hard')
        self.git('checkout', '-q', '-f', '-B', branch, 'main')
        self.git('clean', '-qfdx')
        steps = tuple(self._step(step, branch) for step in case.steps)
        gates = {
            'check': self._check(branch),
            'pre-push': self._push('pre-push', 'plain', branch),
            'pre-receive': self._push('pre-receive', 'guarded', branch, '--no-verify'),
        }
        return Outcome(steps, gates, self.trailer_disagreements(branch))


# -- the table ---------------------------------------------------------------

DOC_HEAD = """\
# Adversarial cases

Each row is one attempt to get an AI-assisted change to a critical path
through trailgate without the trailers the policy asks for, and what every
gate answers. `tests/adversarial_test.py` plays each attempt with real git
(real `git commit` with the commit-msg hook, `trailgate check`, a real
`git push` through pre-push, a real `git push --no-verify` to a bare remote
with pre-receive) and fails when a gate answers differently, or when this
file differs from the cases in `testing/adversarial.py`. Regenerate it with
`python -m testing.adversarial > docs/adversarial.md`.

The policy (`.trailgate/policy.yaml` at the base commit):

```yaml
{policy}```

Verdicts: **refused** = exit 1 (the commit or push is stopped, the report
names the rule); **error** = exit 2 (stopped: the check could not be made);
**accepted** = exit 0. The author is `dev@example.com` unless the attempt
says otherwise; the AI mark is `Assisted-by: Claude Code` (or, where the
trailer block itself is the attack, the `Generated with [Claude Code]` body
line). A refused commit is then made with `--no-verify`, as an attacker
would, so that the later gates see it. commit-msg judges by the work-tree
policy and the others by the base policy, as the contract says; see the
README's "Trust model" for what each gate can and cannot guarantee.

"""


def _cell(text: str) -> str:
    return text.replace('|', '\\|').replace('\n', ' ')


def render_doc(cases: Sequence[Case] = CASES) -> str:
    lines = [
        '| case | attempt | ' + ' | '.join(GATES) + ' | notes |',
        '|---|---|' + '---|' * len(GATES) + '---|',
    ]
    for case in cases:
        cells = [f'`{case.id}`', case.attempt, *(case.expected(gate) for gate in GATES), case.note]
        lines.append('| ' + ' | '.join(_cell(cell) for cell in cells) + ' |')
    return DOC_HEAD.format(policy=POLICY) + '\n'.join(lines) + '\n'


if __name__ == '__main__':
    sys.stdout.write(render_doc())
