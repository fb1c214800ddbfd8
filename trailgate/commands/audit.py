"""``trailgate audit [RANGE ...]``: a report over history for the people who own the policy.

One streaming pass with the reader ``check`` uses (``gather.judge``), the
pure core judging each commit by its own commit date, and ``audit.tally``
adding up as it goes. With ``--lines`` a second ``git log --numstat`` runs
alongside, in the same order, for the changed lines of non-merge commits.
"""
from __future__ import annotations

import contextlib
import datetime
import re
import sys
import tempfile
from collections.abc import Callable
from collections.abc import Iterator

from trailgate import git
from trailgate import policies
from trailgate.audit import files
from trailgate.audit.facts import commit_facts
from trailgate.audit.facts import lines_of
from trailgate.audit.forge import Forge
from trailgate.audit.forge import parse_remote
from trailgate.audit.tally import Summary
from trailgate.audit.tally import Tally
from trailgate.commands.check import revision_arguments
from trailgate.errors import GitError
from trailgate.errors import PolicyError
from trailgate.errors import UsageError
from trailgate.evaluate import AS_OF_COMMIT
from trailgate.evaluate import Assessment
from trailgate.gather import Batch
from trailgate.gather import judge
from trailgate.policy import Policy
from trailgate.progress import Progress


def _revisions(ranges: tuple[str, ...], repo: git.Repo) -> list[str]:
    revisions = revision_arguments(ranges, repo)
    if not any(not rev.startswith('^') for rev in revisions):
        raise UsageError(f'no commits to audit in {" ".join(ranges)!r}')
    return revisions


def _policy(tip: str, policy_rev: str | None, policy_option: str | None, repo: git.Repo) -> Policy:
    explicit = policies.explicit_path(policy_option)
    if explicit:
        return policies.from_file(explicit, repo)
    base = git.resolve_commit(policy_rev) if policy_rev else tip
    with git.CatFile() as cat:
        policy = policies.at_revision(cat, base, repo.git_dir)
    if policy is None:
        raise PolicyError(
            f'{base[:12]} has no .trailgate/policy.yaml to audit against; '
            f'pass --policy-rev REV or --policy PATH, or {policies.NO_POLICY_HINT}',
        )
    return policy


def _content(cat: git.CatFile, blob: str) -> bytes:
    found = cat.get(blob)
    return found[1] if found is not None and found[0] == 'blob' else b''


@contextlib.contextmanager
def _linguist(tip: str, repo: git.Repo) -> Iterator[Callable[[frozenset[str]], frozenset[str]] | None]:
    """A function from paths to those the tip's .gitattributes mark generated or
    vendored; None when no attribute file there names either attribute."""
    files = git.attribute_files(tip)
    if not files:
        yield None
        return
    with git.CatFile() as cat:
        relevant = any(
            any(attribute.encode() in _content(cat, blob) for attribute in git.LINGUIST_ATTRIBUTES)
            for blob, _ in files
        )
    if not relevant:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix='trailgate-audit-') as scratch:
        attributes = git.LinguistAttributes(files, scratch, repo.toplevel)
        try:
            yield attributes.excluded
        finally:
            attributes.close()


class _Lines:
    """The numstat stream, consumed in step with the main one."""

    def __init__(self, revisions: list[str]) -> None:
        self._stream = git.numstat(revisions)

    def next_for(self, sha: str) -> tuple[tuple[int | None, int | None, str], ...]:
        found = next(self._stream, None)
        if found is None or found.sha != sha:
            raise GitError(f'git log --numstat did not list commit {sha[:12]} where expected')
        return found.files

    def finish(self) -> None:
        if next(self._stream, None) is not None:
            raise GitError('git log --numstat listed more commits than git log')


NOTHING: frozenset[str] = frozenset()


def _in_dates(assessment: Assessment, since: str | None, until: str | None) -> bool:
    day = assessment.commit.date.isoformat()
    return (since is None or day >= since) and (until is None or day <= until)


def _is_written_day(word: str, day: datetime.date) -> bool:
    """Is ``day`` (git's reading of ``word``, in UTC) the day ``word`` begins
    with, if it begins with one? approxidate skips what it cannot place, so
    1960-01-01T00:00:00Z reads as 1 January of this year; a time zone moves
    the written day by one at most."""
    if not re.match(r'[0-9]+-[0-9]+-[0-9]+', word):
        return True
    written = re.match(r'([0-9]{4}-[0-9]{2}-[0-9]{2})(?![0-9])', word)
    if written is None:
        return False
    try:
        return abs(datetime.date.fromisoformat(written.group(1)) - day) <= datetime.timedelta(days=1)
    except ValueError:
        return False


def day_of(option: str, text: str) -> datetime.date:
    """The UTC day a ``--since``/``--until`` value names: YYYY-MM-DD, or any
    date git's ``--since`` reads (``2.weeks.ago``, ``yesterday``, an ISO time)."""
    word = text.strip().lower()
    if word == 'now':
        return datetime.datetime.now(datetime.timezone.utc).date()
    if re.fullmatch(r'[0-9]{4}-[0-9]{2}-[0-9]{2}', word):
        with contextlib.suppress(ValueError):
            return datetime.date.fromisoformat(word)
    elif word not in ('never', 'false', 'all'):  # git's words for the ends of time, not dates
        stamp = git.approxidate(text)
        if stamp is not None:
            with contextlib.suppress(OverflowError, OSError, ValueError):
                day = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).date()
                if _is_written_day(word, day):
                    return day
    raise UsageError(f'{option} {text!r} is not a date: give YYYY-MM-DD, or a date git reads '
                     f'such as 2.weeks.ago, yesterday or 2026-03-10T09:00:00Z')


def audit(ranges: tuple[str, ...], since_text: str | None, until_text: str | None,
          with_lines: bool, html: str | None, json_file: str | None, csv_file: str | None,
          policy_rev: str | None, policy_option: str | None, quiet: bool) -> int:
    to_stdout = [value for value in (json_file, csv_file, html) if value == files.STDOUT]
    if len(to_stdout) > 1:
        raise UsageError('only one of --json, --csv and --html can be - (standard output)')
    since = day_of('--since', since_text) if since_text is not None else None
    until = day_of('--until', until_text) if until_text is not None else None
    repo = git.repo()
    revisions = _revisions(ranges or ('HEAD',), repo)
    tip = next(rev for rev in revisions if not rev.startswith('^'))
    policy = _policy(tip, policy_rev, policy_option, repo)
    forge = parse_remote(git.remote_urls().get('origin'))
    first, last = (day.isoformat() if day else None for day in (since, until))
    tally = Tally(policy, datetime.datetime.now(datetime.timezone.utc).date(), with_lines)
    wanted = (('--csv', csv_file), ('--json', json_file), ('--html', html))
    areas = git.git_areas() if any(path and path != files.STDOUT for _, path in wanted) else None
    with files.opened(wanted, areas) as out:
        _tally(tally, revisions, (first, last), tip, repo, policy, out.get('--csv'), quiet)
        summary = tally.summary(policy.source, ranges or ('HEAD',), first, last)
        _outputs(summary, forge, out.get('--html'), out.get('--json'))
    if not quiet:
        from trailgate.audit.text_format import render

        print(render(summary), end='', file=sys.stderr if to_stdout else sys.stdout)
    return 0


def _tally(tally: Tally, revisions: list[str], dates: tuple[str | None, str | None], tip: str, repo: git.Repo,
           policy: Policy, csv_file: files.Target | None, quiet: bool) -> None:
    """Every commit of the range within the dates into ``tally``, and into the CSV as it goes."""
    first, last = dates
    progress = Progress('auditing', enabled=not quiet)
    with contextlib.ExitStack() as stack:
        csv_writer = None
        if csv_file is not None:
            from trailgate.audit.csv_format import CsvWriter

            csv_writer = CsvWriter(csv_file)
        excluded_of = stack.enter_context(_linguist(tip, repo))
        numstat = _Lines(revisions) if tally.with_lines else None
        # a report over history: each commit's active windows as of its own date (the contract's audit)
        batch = Batch(policy, tuple(revisions))
        for assessment in progress.track(judge([batch], repo, as_of=AS_OF_COMMIT)):
            commit = assessment.commit
            assert commit.sha is not None
            lines_files = numstat.next_for(commit.sha) if numstat and not commit.is_merge else ()
            if not _in_dates(assessment, first, last):
                continue
            excluded = excluded_of(commit.paths.union(path for _, _, path in lines_files)) if excluded_of else NOTHING
            lines = lines_of(lines_files, excluded.__contains__) if numstat else None
            facts = commit_facts(policy, assessment, excluded.__contains__, lines)
            tally.add(facts)
            if csv_writer is not None:
                csv_writer.write(facts)
        if numstat is not None:
            numstat.finish()
    progress.done()


def _outputs(summary: Summary, forge: Forge | None, html: files.Target | None, json_file: files.Target | None) -> None:
    if json_file is not None:
        from trailgate.audit import json_format

        json_file.write(json_format.render(summary, forge))
    if html is not None:
        from trailgate.audit import html_format

        html.write(html_format.render(summary, forge))
