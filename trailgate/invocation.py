"""What the user asked git to do, when git does not tell the hook.

git does not tell commit-msg that it amends, and the pre-commit framework
does not pass pre-push every pushed ref. The command line of the ``git``
process that started the hook says both. Linux shows each process's argv in
``/proc``; elsewhere these questions answer "unknown" (None) and callers
fall back to what the hook protocol gives them.
"""
from __future__ import annotations

import functools
import os

_MAX_ANCESTORS = 10
# git's global options that take a separate value: `git -C dir commit`
_GLOBAL_WITH_VALUE = frozenset((
    '-c', '-C', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env', '--attr-source',
))
# push options that take a separate value
_PUSH_WITH_VALUE = frozenset(('--repo', '-o', '--push-option', '--receive-pack', '--exec'))


def _parent(pid: int) -> int | None:
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            stat = f.read()
        # the parent pid is the 2nd field after the parenthesised command name
        return int(stat.rsplit(b')', 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _argv(pid: int) -> list[str] | None:
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            raw = f.read()
    except OSError:
        return None
    return [arg.decode('utf-8', 'surrogateescape') for arg in raw.split(b'\0')[:-1]]


def _split_command(argv: list[str], subcommand: str) -> tuple[list[str], list[str]] | None:
    """(git's options before ``subcommand``, the arguments after it) if
    ``argv`` is ``git [options] subcommand ...``."""
    if not argv or os.path.basename(argv[0]) != 'git':
        return None
    index = 1
    while index < len(argv) and argv[index].startswith('-'):
        index += 2 if argv[index] in _GLOBAL_WITH_VALUE else 1
    if index < len(argv) and argv[index] == subcommand:
        return argv[1:index], argv[index + 1:]
    return None


def _subcommand_args(argv: list[str], subcommand: str) -> list[str] | None:
    """The arguments after ``subcommand`` if ``argv`` is ``git [options] subcommand ...``."""
    split = _split_command(argv, subcommand)
    return split[1] if split else None


@functools.cache
def _git_process(subcommand: str) -> tuple[list[str], list[str]] | None:
    """git's options and the arguments of the ``git <subcommand>`` process
    that started us, if any."""
    pid: int | None = os.getppid()
    for _ in range(_MAX_ANCESTORS):
        # pid 1 is looked at too: in a container git may be the first process
        # (`docker run --entrypoint git`); 0 is the parent of a namespace's first
        if pid is None or pid <= 0:
            return None
        argv = _argv(pid)
        if argv is None:
            return None
        split = _split_command(argv, subcommand)
        if split is not None:
            return split
        pid = _parent(pid)
    return None


def git_command(subcommand: str) -> list[str] | None:
    """The arguments of the ``git <subcommand>`` process that started us, if any."""
    split = _git_process(subcommand)
    return split[1] if split else None


# git's options that change where it works, what it reads as configuration and
# how it reads pathspecs: a command run again with the same words must say them
# again (`git -C sub commit -- file.py`: the path is sub/file.py)
_GLOBAL_REPEATED = frozenset((
    '-C', '-c', '--git-dir', '--work-tree', '--config-env',
    '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs', '--icase-pathspecs',
))


def git_options_repeated(subcommand: str) -> list[str]:
    """The options before ``subcommand`` of the ``git`` process that started
    us that the same command, run again from where it was run, must repeat
    (``-C dir``, ``-c name=value``, ``--git-dir``, ``--work-tree``, ...), as
    they were given: ``[]`` if none or unknown."""
    split = _git_process(subcommand)
    options: list[str] = []
    words = iter(split[0] if split else ())
    for word in words:
        name = word.split('=', 1)[0] if word.startswith('--') else word
        value = [next(words, '')] if word in _GLOBAL_WITH_VALUE else []
        if name in _GLOBAL_REPEATED:
            options.extend((word, *value))
    return options


def _options(args: list[str]) -> list[str]:
    return args[:args.index('--')] if '--' in args else args


def is_amending() -> bool:
    """Does the ``git commit`` that runs this hook amend? (False if unknown.)

    git takes any unambiguous prefix of a long option, so ``--am`` and
    ``--amen`` amend too.
    """
    args = git_command('commit')
    if args is None:
        return False
    return any(len(arg) >= 4 and '--amend'.startswith(arg) for arg in _options(args))


def commit_cleanup_option() -> str | None:
    """The ``--cleanup <mode>`` the running ``git commit`` was given, if any."""
    given = [value for kind, name, value in _commit_words() if kind == 'long' and name == '--cleanup']
    return given[-1] if given else None


def commit_status_option() -> bool | None:
    """Whether the running ``git commit`` was told ``--status`` (True) or
    ``--no-status`` (False); None if neither."""
    given = [name for kind, name, _ in _commit_words() if kind == 'long' and name in ('--status', '--no-status')]
    return given[-1] == '--status' if given else None


# git commit's long options, to resolve the abbreviations git accepts (`--al` is
# ambiguous, `--inc` is --include); those that take their value in the next argument
_COMMIT_LONG = (
    '--ahead-behind', '--all', '--allow-empty', '--allow-empty-message', '--amend', '--author', '--branch',
    '--cleanup', '--date', '--dry-run', '--edit', '--file', '--fixup', '--gpg-sign', '--include',
    '--interactive', '--long', '--message', '--no-post-rewrite', '--no-verify', '--null', '--only',
    '--patch', '--pathspec-file-nul', '--pathspec-from-file', '--porcelain', '--quiet', '--reedit-message',
    '--reset-author', '--reuse-message', '--short', '--signoff', '--squash', '--status', '--template',
    '--trailer', '--untracked-files', '--verbose', '--verify', '--no-edit', '--no-status',
)
_COMMIT_WITH_VALUE = frozenset((
    '--author', '--cleanup', '--date', '--file', '--fixup', '--message', '--pathspec-from-file',
    '--reedit-message', '--reuse-message', '--squash', '--template', '--trailer',
))
_COMMIT_STAGING = {'--all': '-a', '--include': '-i', '--only': '-o', '--patch': '-p', '--interactive': '--interactive'}
# short options: with a value (attached, or the next argument), with an optional attached one
_COMMIT_SHORT_WITH_VALUE = 'mFCct'
_COMMIT_SHORT_OPTIONAL = 'Su'


def _commit_long_option(arg: str) -> str:
    name = arg.split('=', 1)[0]
    if name in _COMMIT_LONG:
        return name
    matches = [option for option in _COMMIT_LONG if option.startswith(name)]
    return matches[0] if len(matches) == 1 else name


# options that make the commit what it is, which a fix that commits again keeps
_COMMIT_KEPT_VALUES = frozenset(('--author', '--date'))
_COMMIT_KEPT = frozenset(('--allow-empty', '--allow-empty-message', '--no-gpg-sign'))
# options that take the message and the authorship of a commit: -C, -c and their long names
_COMMIT_REUSE = frozenset(('C', 'c', '--reuse-message', '--reedit-message'))


def _commit_words() -> list[tuple[str, str, str | None]]:
    """The running ``git commit``'s arguments as git reads them, in order:
    ``('long', --option, value)`` with abbreviations resolved, ``('short',
    letter, value)``, ``('path', pathspec, None)``; [] if unknown."""
    words: list[tuple[str, str, str | None]] = []
    rest = iter(git_command('commit') or ())
    for arg in rest:
        if arg == '--':
            words.extend(('path', path, None) for path in rest)
        elif arg.startswith('--'):
            name = _commit_long_option(arg)
            value = arg.split('=', 1)[1] if '=' in arg else None
            if name in _COMMIT_WITH_VALUE and value is None:
                value = next(rest, None)
            words.append(('long', name, value))
        elif arg.startswith('-') and arg != '-':
            for at, char in enumerate(arg[1:], 2):
                if char in _COMMIT_SHORT_WITH_VALUE:
                    words.append(('short', char, arg[at:] if at < len(arg) else next(rest, None)))
                    break
                if char in _COMMIT_SHORT_OPTIONAL:
                    words.append(('short', char, arg[at:]))
                    break
                words.append(('short', char, None))
        else:
            words.append(('path', arg, None))
    return words


def _reused_authorship() -> list[str]:
    """``--author`` and ``--date`` of the author git makes the commit as,
    which it exports to the hooks; [] if it did not."""
    name, email, date = (os.environ.get(f'GIT_AUTHOR_{part}') for part in ('NAME', 'EMAIL', 'DATE'))
    if name is None or email is None or not date:
        return []
    return [f'--author={name} <{email}>', f'--date={date}']


def commit_repeated() -> list[str]:
    """The arguments of the running ``git commit`` that a fix, which commits
    again from the saved message, must say again: what it commits besides the
    index (``-a``, ``-i``, ``-o``, ``-p`` and the pathspecs, after ``--``: git stages
    them into an index of its own, which a refused commit drops), and what
    the commit is made as (``--author``, ``--date``, ``-S``, ``--allow-empty``,
    ...). A commit that took its authorship from another (``-C``/``-c <commit>``,
    ``--reuse-message``, ``--reedit-message``, without ``--reset-author``) is
    made as that commit's author, at its date, again: with ``--author`` and
    ``--date``, since ``-C`` cannot go with the fix's ``-F``. ``--reset-author``
    is repeated only by an amend's fix: git allows it nowhere else. ``[]`` if
    unknown."""
    options: list[str] = []
    paths: list[str] = []
    words = _commit_words()
    names = {name for kind, name, _ in words if kind != 'path'}
    reset = '--reset-author' in names
    reused = bool(names & _COMMIT_REUSE) and not reset
    amending = '--amend' in names
    for kind, name, value in words:
        if kind == 'path':
            paths.append(name)
        elif kind == 'short':
            if name in 'aiop':
                options.append(f'-{name}')
            elif name == 'S':
                options.append(f'-S{value}')
        elif name in _COMMIT_STAGING:
            options.append(_COMMIT_STAGING[name])
        elif name in _COMMIT_KEPT_VALUES and value is not None and not reused:
            options.append(f'{name}={value}')
        elif name in _COMMIT_KEPT or name == '--gpg-sign' or (name == '--reset-author' and amending):
            options.append(name if value is None else f'{name}={value}')
    if reused:
        options.extend(_reused_authorship())
    return [*dict.fromkeys(options), *(['--', *paths] if paths else [])]


# push options that push refs the command line does not name, as the
# refspec git reads them as; None: refs no refspec names
_PUSH_EVERYTHING: dict[str, str | None] = {
    '--all': 'refs/heads/*', '--branches': 'refs/heads/*', '--tags': 'refs/tags/*',
    '--mirror': None,
}
# patterns whose refs go to the remote's refs of the same names
SAME_NAME_PATTERNS = ('refs/heads/*', 'refs/tags/*')


def _push_positional(args: list[str]) -> tuple[list[str], list[str | None]]:
    """(positional arguments, the refspec of each option that pushes refs not named on the line)."""
    positional: list[str] = []
    everything: list[str | None] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith('-') and arg != '-':
            skip = arg in _PUSH_WITH_VALUE
            if arg in _PUSH_EVERYTHING:
                everything.append(_PUSH_EVERYTHING[arg])
        else:
            positional.append(arg)
    return positional, everything


def _refspec_args(positional: list[str]) -> list[str]:
    """The refspecs of ``git push``'s positional arguments (the first is the
    repository): git reads ``tag <name>`` as the refspec ``refs/tags/<name>``."""
    refspecs: list[str] = []
    args = iter(positional[1:])
    for arg in args:
        if arg == 'tag':
            name = next(args, None)
            if name is None:
                break  # git refuses a `tag` without a name: nothing is pushed
            arg = f'refs/tags/{name}'
        refspecs.append(arg)
    return refspecs


def _same_name_pattern(source: str, colon: str, destination: str) -> bool:
    return source in SAME_NAME_PATTERNS and (not colon or destination == source)


def pushed_refspecs() -> list[tuple[str, str | None]] | None:
    """``(source, destination or None)`` for each refspec of the ``git push``
    that runs us: ``[]`` for a bare ``git push``; ``--all`` and ``--tags`` as
    the patterns ``refs/heads/*`` and ``refs/tags/*`` (each ref to the ref of
    its name); None when the push is unknown or pushes refs no refspec names
    (``--mirror``, ``--follow-tags``, any other pattern, a deletion)."""
    args = git_command('push')
    if args is None:
        return None
    positional, everything = _push_positional(args)
    if None in everything:
        return None
    refspecs: list[tuple[str, str | None]] = [(pattern, None) for pattern in everything if pattern]
    for refspec in _refspec_args(positional):
        source, colon, destination = refspec.removeprefix('+').partition(':')
        if _same_name_pattern(source, colon, destination):
            refspecs.append((source, None))
        elif '*' in refspec or not source:
            return None
        else:
            refspecs.append((source, destination if colon else None))
    return refspecs


def push_follows_tags() -> bool | None:
    """Does the ``git push`` that runs us say ``--follow-tags`` (True) or
    ``--no-follow-tags`` (False), the last one winning? None: neither, or unknown."""
    positional_and_options = _options(git_command('push') or [])
    said = [arg for arg in positional_and_options if arg in ('--follow-tags', '--no-follow-tags')]
    return said[-1] == '--follow-tags' if said else None


def pushed_sources() -> list[str] | None:
    """The source side of each refspec of the ``git push`` that runs us.

    ``git push origin main HEAD:refs/heads/x`` gives ``['main', 'HEAD']``.
    Patterns and deletions give nothing; None when the push is unknown.
    """
    args = git_command('push')
    if args is None:
        return None
    positional, _ = _push_positional(args)
    sources = []
    for refspec in _refspec_args(positional):
        source = refspec.removeprefix('+').split(':', 1)[0]
        if source and '*' not in source:
            sources.append(source)
    return sources
