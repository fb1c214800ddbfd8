"""``trailgate init``: write a commented starter policy; never overwrite one."""
from __future__ import annotations

import datetime
import os
import re
import shlex
from importlib.resources import files

from trailgate import git
from trailgate.display import from_user_directory
from trailgate.display import visible
from trailgate.errors import FatalError
from trailgate.model import fold_email
from trailgate.policy import DEFAULT_POLICY_PATH
from trailgate.policy import load_policy

CODEOWNERS_PLACES = ('.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS')
RESET_DAYS = 90
_PROTECTED = re.compile(r'^protected: \[main, ', re.MULTILINE)
_WINDOW = re.compile(r'active: \{from: \d{4}-\d{2}-\d{2}, until: \d{4}-\d{2}-\d{2}\}')
# a comment starts a line, or follows whitespace; `\#` is an escaped path character
_COMMENT = re.compile(r'(?:^|\s)#.*$')
_EMAIL = re.compile(r'^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$')


def starter_text() -> str:
    return files('trailgate').joinpath('resources/policy.example.yaml').read_text(encoding='utf-8')


def _reset_window(text: str, today: datetime.date) -> str:
    """The example's 90-day window, moved to start today."""
    until = today + datetime.timedelta(days=RESET_DAYS)
    return _WINDOW.sub(f'active: {{from: {today.isoformat()}, until: {until.isoformat()}}}', text)


def default_branch() -> str:
    """The repository's default branch: the remote's HEAD, else the current branch
    (unborn too), else ``init.defaultBranch``, else ``main``."""
    for name in ('refs/remotes/origin/HEAD', 'HEAD'):
        target = git.symbolic_ref(name)
        if target and target.startswith('refs/remotes/origin/'):
            return target[len('refs/remotes/origin/'):]
        if target and target.startswith('refs/heads/'):
            return target[len('refs/heads/'):]
    configured = git.run_ok('config', '--get', 'init.defaultBranch')
    return git.decode(configured).strip() if configured and configured.strip() else 'main'


def _with_default_branch(text: str, branch: str) -> str:
    """The starter's protected list, naming this repository's default branch."""
    if not branch.isprintable():  # a control character, or a byte that is no UTF-8 (a surrogate escape)
        raise FatalError(f'the default branch {visible(branch)} has a name that is not printable UTF-8, which a '
                         f'policy (YAML) cannot name; rename it (git branch -m), or write the policy by hand')
    return _PROTECTED.sub(f'protected: [{_quoted(branch)}, ', text, count=1)


def read_codeowners(toplevel: str) -> tuple[list[str], list[str]]:
    """(path patterns, owner emails) from the first CODEOWNERS file found."""
    for place in CODEOWNERS_PLACES:
        path = os.path.join(toplevel, place)
        if os.path.isfile(path):
            with open(path, encoding='utf-8', errors='replace') as f:
                return _parse_codeowners(f.read())
    return [], []


def _parse_codeowners(text: str) -> tuple[list[str], list[str]]:
    patterns: list[str] = []
    emails: list[str] = []
    for line in text.splitlines():
        line = _COMMENT.sub('', line).strip()
        if not line or line.startswith(('[', '^[')):
            continue  # blank, comment, or a GitLab (optional) section header
        if not line.isprintable():
            continue  # a control character: no pattern or owner a policy should copy
        pattern, *owners = line.split()
        if pattern != '*' and pattern not in patterns:
            patterns.append(pattern)
        emails.extend(o for o in owners if _EMAIL.match(o) and o not in emails)
    return patterns, emails


def _quoted(value: str) -> str:
    return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'


def _new_seniors(text: str, emails: list[str]) -> list[str]:
    """CODEOWNERS emails not yet in the starter's senior group (compared as the policy does)."""
    known = set(load_policy(text.encode(), DEFAULT_POLICY_PATH).members('senior'))
    new = []
    for email in emails:
        if fold_email(email) not in known:
            known.add(fold_email(email))
            new.append(email)
    return new


def _with_codeowners(text: str, patterns: list[str], emails: list[str]) -> str:
    emails = _new_seniors(text, emails)
    if emails:
        added = ''.join(f'    - {_quoted(email)}  # from CODEOWNERS\n' for email in emails)
        text = text.replace('  senior:\n', f'  senior:\n{added}', 1)
    if patterns:
        rule = (
            '\n  # Paths with code owners (from CODEOWNERS): one senior review for\n'
            '  # AI-assisted changes. Narrow this to what is really critical.\n'
            '  - id: codeowners\n'
            '    paths:\n'
            + ''.join(f'      - {_quoted(p)}\n' for p in patterns)
            + '    require:\n      reviews: {group: senior}\n'
        )
        text = text.replace('\n# Break-glass', f'{rule}\n# Break-glass', 1)
    return text


SIGNERS_PATH = '.trailgate/allowed_signers'


def _signed(text: str) -> str:
    """The starter with signed reviews: a signers file and ``signed: true``."""
    text = text.replace(f'# signers: {SIGNERS_PATH}\n', f'signers: {SIGNERS_PATH}\n', 1)
    return text.replace('        count: 2\n', '        count: 2\n        signed: true\n', 1)


def _write_new(path: str, shown: str, text: str) -> None:
    """Create ``path`` with ``text``, never over anything already there."""
    directory = os.path.dirname(path)
    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise FatalError(f'cannot write {shown}: {from_user_directory(directory)} is not a directory')
    try:
        os.makedirs(directory, exist_ok=True)
        with open(path, 'x', encoding='utf-8') as f:
            f.write(text)
    except OSError as e:
        # e.g. .trailgate is a file: say so, not an internal error
        raise FatalError(f'cannot write {shown}: {e.strerror or e}') from None


def init(detect: bool, signed: bool = False, explicit: str | None = None) -> int:
    """``explicit``: where to write the starter (``--policy PATH``), as the
    other commands are then told to read it."""
    repo = git.repo()
    if repo.toplevel is None:
        raise FatalError('trailgate init needs a work tree (this is a bare repository)')
    path = os.path.abspath(explicit) if explicit else os.path.join(repo.toplevel, DEFAULT_POLICY_PATH)
    shown = from_user_directory(path)
    option = f' --policy {shlex.quote(shown)}' if explicit else ''
    if os.path.lexists(path):
        raise FatalError(
            f'{shown} already exists; trailgate init never overwrites a '
            f'policy (check it with `trailgate validate{option}`)',
        )
    text = _reset_window(starter_text(), datetime.datetime.now(datetime.timezone.utc).date())
    text = _with_default_branch(text, default_branch())
    found = read_codeowners(repo.toplevel) if detect else ([], [])
    text = _with_codeowners(text, *found)
    if signed:
        text = _signed(text)
    load_policy(text.encode(), shown)  # never write a policy that does not validate
    _write_new(path, shown, text)
    print(f'wrote {shown}: edit the groups and paths, then commit it')
    print(f'  protected: {load_policy(text.encode(), shown).protected}')
    if found[0] or found[1]:
        print(f'  from CODEOWNERS: {len(found[0])} path patterns, {len(found[1])} owner emails')
    if signed:
        signers = os.path.join(repo.toplevel, SIGNERS_PATH)
        if not os.path.lexists(signers):
            os.makedirs(os.path.dirname(signers), exist_ok=True)  # a --policy elsewhere made no .trailgate/
            with open(signers, 'x', encoding='utf-8') as f:
                f.write('# who may approve: one line per reviewer, `trailgate signers add EMAIL KEY.pub`\n')
        print(f'  signed reviews: add each senior\'s SSH public key to {from_user_directory(signers)} with '
              f'`trailgate signers add EMAIL KEY.pub{option}`; reviewers approve with `trailgate approve{option}`')
    else:
        # init never overwrites, so the signed starter needs this one gone first
        print(f'  for reviews that cannot be typed (SSH-signed approvals), start over, before editing it, with '
              f'`rm {shlex.quote(shown)} && trailgate init --signed{option}`')
    print(f'  check it with `trailgate validate{option}`; see what a commit needs with `trailgate explain{option}`')
    return 0
