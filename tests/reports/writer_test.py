"""Reports written as commits are judged (``Output.stream``) are the reports
rendered whole (``Output.report(Report.collect(...))``), in every format."""
from __future__ import annotations

import io
import json
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from testing.util import git
from testing.util import init_repo
from testing.util import trailgate
from testing.util import write
from tests.reports import MIXED_MESSAGES
from tests.reports import POLICY_YAML
from tests.reports import assessment
from tests.reports import human
from tests.reports import mixed
from tests.reports import overridden
from tests.reports import passing
from tests.reports import refused
from tests.reports.json_format_test import VALIDATOR as JSON_VALIDATOR
from tests.reports.sarif_format_test import VALIDATOR as SARIF_VALIDATOR
from trailgate import output as output_module
from trailgate.evaluate import Assessment
from trailgate.output import Output
from trailgate.reports import FORMATS
from trailgate.reports import Report
from trailgate.reports import json_format
from trailgate.reports import writer as report_writer

SOURCE = '.trailgate/policy.yaml at 0123456789ab'
ODD = assessment('Change \udcff bytes\n\nAssisted-by: Claude \udc80\n', sha='5' * 40)
SETS = {
    'none': (),
    'refused': (refused(),),
    'passing': (passing(), human()),
    'mixed': (refused(), passing(), overridden(), human(), ODD, refused()),
}
REFUSALS = {
    'commits only': (),
    'refused as a whole': ('this change gives refs/heads/main an older .trailgate/policy.yaml',
                           'a second <refusal> & "quotes"'),
}
OPTIONS = {
    'plain': {},
    'verbose': {'verbose': True},
    'quiet': {'quiet': True},
}


def _whole(out: Output, assessments: tuple[Assessment, ...], gate: str = 'check',
           refusals: tuple[str, ...] = ()) -> None:
    _as_main_sets_up()
    out.report(Report.collect(gate, assessments, SOURCE, out.keeps_passing)._replace(refusals=refusals))


def _streamed(out: Output, assessments: tuple[Assessment, ...], gate: str = 'check',
              refusals: tuple[str, ...] = ()) -> Report:
    _as_main_sets_up()
    return out.stream(gate, iter(assessments), SOURCE, refusals=lambda: refusals)


def _as_main_sets_up() -> None:
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors='backslashreplace')  # type: ignore[union-attr]


@pytest.fixture(autouse=True)
def _no_job_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('GITHUB_STEP_SUMMARY', raising=False)
    monkeypatch.delenv('NO_COLOR', raising=False)
    monkeypatch.setenv('FORCE_COLOR', '1')


@pytest.mark.parametrize('format', FORMATS)
@pytest.mark.parametrize('chosen', SETS.values(), ids=SETS.keys())
@pytest.mark.parametrize('options', OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize('refusals', REFUSALS.values(), ids=REFUSALS.keys())
def test_streamed_is_rendered_whole(format: str, chosen: tuple[Assessment, ...], options: dict[str, bool],
                                    refusals: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    _whole(Output(format, **options), chosen, refusals=refusals)
    whole = capsys.readouterr()
    summary = _streamed(Output(format, **options), chosen, refusals=refusals)
    assert capsys.readouterr() == whole
    assert summary.refusals == refusals
    assert summary.commits_checked == len(chosen)
    assert summary.refused_count == sum(a.refused for a in chosen)
    assert summary.overridden_count == sum(a.override is not None for a in chosen)
    assert summary.ai_assisted_count == sum(a.ai_assisted for a in chosen)
    assert summary.assessments == ()


@pytest.mark.parametrize('format', FORMATS)
@pytest.mark.parametrize('chosen', SETS.values(), ids=SETS.keys())
@pytest.mark.parametrize('refusals', REFUSALS.values(), ids=REFUSALS.keys())
def test_streamed_output_file_is_rendered_whole(format: str, chosen: tuple[Assessment, ...], tmp_path: Path,
                                                refusals: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    whole, streamed = tmp_path / 'whole', tmp_path / 'streamed'
    _whole(Output(format, str(whole)), chosen, refusals=refusals)
    terminal = capsys.readouterr()
    _streamed(Output(format, str(streamed)), chosen, refusals=refusals)
    assert capsys.readouterr() == terminal
    assert streamed.read_bytes() == whole.read_bytes()


def test_a_body_larger_than_memory_goes_through_a_file(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    chosen = SETS['mixed'] * 20
    _whole(Output('json'), chosen)
    whole = capsys.readouterr().out
    monkeypatch.setattr(output_module, 'SPOOL_BYTES', 100)
    _streamed(Output('json'), chosen)
    assert capsys.readouterr().out == whole
    assert len(whole) > 1000


def test_an_empty_range_is_shown_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    Output('text').stream('pre-push', iter(()), SOURCE, stream='stderr', when_empty=False)
    assert capsys.readouterr().err == ''
    Output('text', verbose=True).stream('pre-push', iter(()), SOURCE, stream='stderr', when_empty=False)
    assert 'pre-push: 0 commits checked' in capsys.readouterr().err


def test_nothing_is_written_when_judging_fails(capsys: pytest.CaptureFixture[str]) -> None:
    def judged() -> object:
        yield refused()
        raise RuntimeError('git died')

    with pytest.raises(RuntimeError):
        Output('text').stream('check', judged(), SOURCE)  # type: ignore[arg-type]
    assert capsys.readouterr() == ('', '')


# -- the serialiser -------------------------------------------------------------

TEXT = st.text(st.characters(codec='utf-8') | st.sampled_from('\x00\x1f\x7f"\\\u2028\ufeff😀'))
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**62, 2**62) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(VALUES)
def test_the_fast_serialiser_writes_the_standard_text(value: object) -> None:
    assert json_format._serialiser()(value) == json_format._standard_dumps(value)


@given(VALUES)
def test_the_fast_serialiser_writes_the_standard_text_in_utf8(value: object) -> None:
    assert json_format._utf8_serialiser()(value) == json_format._standard_dumps(value).encode()


@pytest.mark.parametrize('format', ['json', 'sarif'])
def test_without_orjson_the_standard_library_writes_the_same_reports(format: str, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    chosen = mixed(2 * len(MIXED_MESSAGES))
    _streamed(Output(format), chosen)
    fast = capsys.readouterr()
    monkeypatch.setitem(sys.modules, 'orjson', None)  # import orjson raises ImportError
    monkeypatch.setattr(json_format, '_serialise', None)
    monkeypatch.setattr(json_format, '_serialise_utf8', None)
    _streamed(Output(format), chosen)
    assert capsys.readouterr() == fast
    assert json_format._serialise is json_format._standard_dumps


@pytest.mark.parametrize('way', ['writer', 'prepare'])
@pytest.mark.parametrize('format', ['json', 'sarif'])
def test_the_serialiser_is_loaded_before_the_first_commit(format: str, way: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # check prepares the output while git starts up, and makes the writer while git reads the range
    monkeypatch.setattr(json_format, '_serialise', None)
    monkeypatch.setattr(json_format, '_serialise_utf8', None)
    if way == 'writer':
        report_writer(format, io.StringIO(), 'check')
    else:
        Output(format).prepare()
    assert json_format._serialise is not None
    assert json_format._serialise_utf8 is not None


def test_the_fast_serialiser_is_used() -> None:
    assert json_format._serialiser() is not json_format._standard_dumps


def test_lone_surrogates_are_spelt_out_either_way() -> None:
    value = {'a\udc80': ['\udcff', '\ud800x']}
    assert json_format.dumps(value) == json_format._standard_dumps(value) + '\n'
    assert json.loads(json_format.dumps(value)) == {'a\\x80': ['\\xff', '\\ud800x']}


# -- what a CI reads, from a hostile history ---------------------------------------

HOSTILE_PATHS = [
    'services/payments/a,b:c%d.py', 'services/payments/new\nline::error::x', 'services/payments/cr\rx',
    'services/payments/é ü.py', 'services/payments/%0A%25', 'services/payments/]]>&<"\'.py',
]
HOSTILE_SUBJECTS = ['::error file=x::forged', '100% , : %0A done', ']]> </failure> <x/>', 'ümlaut ✓']


def hostile_history(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / 'repo')
    write(repo / '.trailgate' / 'policy.yaml', POLICY_YAML)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Base with policy')
    for number, path in enumerate(HOSTILE_PATHS):
        write(repo / path, f'{number}\n')
        git(repo, 'add', '-A')
        subject = HOSTILE_SUBJECTS[number % len(HOSTILE_SUBJECTS)]
        git(repo, 'commit', '-q', '-m', f'{subject}\n\nAssisted-by: Claude\n')
    write(repo / 'README.md', 'elsewhere\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'Docs')
    return repo


def github_unescape(value: str) -> str:
    for escaped, char in (('%0D', '\r'), ('%0A', '\n'), ('%3A', ':'), ('%2C', ','), ('%25', '%')):
        value = value.replace(escaped, char)
    return value


def read_github_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner splits it: name, properties, message."""
    assert line.startswith('::'), line
    head, separator, text = line[2:].partition('::')
    assert separator, line
    name, _, properties = head.partition(' ')
    pairs = dict(pair.split('=', 1) for pair in properties.split(',')) if properties else {}
    return name, {key: github_unescape(value) for key, value in pairs.items()}, text


def test_every_format_of_a_hostile_history_reads_back_exactly(tmp_path: Path) -> None:
    """File names and subjects that hold the formats' own delimiters: each
    report is what its consumer parses back (JSON and SARIF against their
    schemas, JUnit with a strict XML parser, GitHub's workflow commands split
    and unescaped as the runner does), the same on stdout and in --output, and
    the exit code does not depend on the format."""
    repo = hostile_history(tmp_path)
    rng = f'HEAD~{len(HOSTILE_PATHS) + 1}..HEAD'
    reports: dict[str, str] = {}
    for format in FORMATS:
        printed = trailgate(repo, 'check', '--format', format, rng)
        written = tmp_path / f'report.{format}'
        into_file = trailgate(repo, 'check', '--format', format, '--output', str(written), rng)
        assert (printed.returncode, into_file.returncode) == (1, 1), (format, printed.stderr, into_file.stderr)
        assert written.read_text(encoding='utf-8') == printed.stdout, format
        reports[format] = printed.stdout
    checked, refused = len(HOSTILE_PATHS) + 1, len(HOSTILE_PATHS)

    document = json.loads(reports['json'])
    schema = json.loads((Path(output_module.__file__).parent / 'report.schema.json').read_text(encoding='utf-8'))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert (document['summary']['checked'], document['summary']['refused']) == (checked, refused)
    assert {path for commit in document['commits'] for rule in commit['rules'] for path in rule['paths']} \
        == set(HOSTILE_PATHS)

    log = json.loads(reports['sarif'])
    SARIF_VALIDATOR.validate(log)
    uris = {unquote(result['locations'][0]['physicalLocation']['artifactLocation']['uri'])
            for result in log['runs'][0]['results']}
    assert uris == set(HOSTILE_PATHS)

    suites = ElementTree.fromstring(reports['junit'].encode('utf-8'))
    cases = suites.findall('./testsuite/testcase')
    assert (suites.get('tests'), suites.get('failures')) == (str(checked), str(refused))
    assert len(cases) == checked
    assert sum(1 for case in cases if case.find('failure') is not None) == refused
    assert {case.get('name', '')[11:] for case in cases} >= set(HOSTILE_SUBJECTS)

    commands = [read_github_command(line) for line in reports['github'].splitlines()]
    errors = [(properties, text) for name, properties, text in commands if name == 'error']
    assert [name for name, _, _ in commands].count('notice') == 1
    assert {properties['file'] for properties, _ in errors} == set(HOSTILE_PATHS)
    assert all(properties['title'].startswith('trailgate tier1-payments ') for properties, _ in errors)
    assert all('\r' not in text for _, text in errors)


@pytest.mark.parametrize('format', FORMATS)
@pytest.mark.parametrize('chosen', [SETS['none'], SETS['mixed']], ids=['no commit', 'mixed'])
def test_a_refusal_as_a_whole_is_in_every_format(format: str, chosen: tuple[Assessment, ...],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever its commits say, a report of an update refused as a whole
    says so, in terms each format's reader acts on."""
    refusals = REFUSALS['refused as a whole']
    summary = _streamed(Output(format, quiet=True), chosen, refusals=refusals)
    assert summary.refuses
    shown = capsys.readouterr().out
    if format == 'text':
        lines = shown.splitlines()
        assert lines[-2:] == [f'\x1b[31mtrailgate check: refused: {reason}\x1b[0m' for reason in refusals], lines
        assert any('commits checked' in line for line in lines) == bool(chosen)  # no summary of no commits
    elif format == 'json':
        document = json.loads(shown)
        JSON_VALIDATOR.validate(document)
        assert [r['reason'] for r in document['refusals']] == list(refusals)
    elif format == 'sarif':
        log = json.loads(shown)
        SARIF_VALIDATOR.validate(log)
        (run,) = log['runs']
        results = [r for r in run['results'] if r['ruleId'] == 'TG000']
        assert [r['message']['text'] for r in results] == [f'trailgate check: refused: {r}' for r in refusals]
        assert {run['tool']['driver']['rules'][r['ruleIndex']]['id'] for r in results} == {'TG000'}
    elif format == 'junit':
        suite = ElementTree.fromstring(shown).find('testsuite')
        assert suite is not None
        (update,) = [case for case in suite.iter('testcase') if case.get('name') == 'update']
        assert [f.get('message') for f in update.iter('failure')] == list(refusals)
        assert suite.get('failures') == str(summary.refused_count + 1)
        assert suite.get('tests') == str(len(chosen) + 1)
    else:
        commands = [read_github_command(line) for line in shown.splitlines()]
        errors = [text for name, properties, text in commands
                  if name == 'error' and properties.get('title') == 'trailgate: the update is refused']
        assert errors == [f'trailgate check: refused: {r}' for r in refusals]
