"""Reports written as commits are judged (``Output.stream``) are the reports
rendered whole (``Output.report(Report.collect(...))``), in every format."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reports import MIXED_MESSAGES
from tests.reports import assessment
from tests.reports import human
from tests.reports import mixed
from tests.reports import overridden
from tests.reports import passing
from tests.reports import refused
from trailgate import output as output_module
from trailgate.evaluate import Assessment
from trailgate.output import Output
from trailgate.reports import FORMATS
from trailgate.reports import Report
from trailgate.reports import json_format

SOURCE = '.trailgate/policy.yaml at 0123456789ab'
ODD = assessment('Change \udcff bytes\n\nAssisted-by: Claude \udc80\n', sha='5' * 40)
SETS = {
    'none': (),
    'refused': (refused(),),
    'passing': (passing(), human()),
    'mixed': (refused(), passing(), overridden(), human(), ODD, refused()),
}
OPTIONS = {
    'plain': {},
    'verbose': {'verbose': True},
    'quiet': {'quiet': True},
}


def _whole(out: Output, assessments: tuple[Assessment, ...], gate: str = 'check') -> None:
    _as_main_sets_up()
    out.report(Report.collect(gate, assessments, SOURCE, out.keeps_passing))


def _streamed(out: Output, assessments: tuple[Assessment, ...], gate: str = 'check') -> Report:
    _as_main_sets_up()
    return out.stream(gate, iter(assessments), SOURCE)


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
def test_streamed_is_rendered_whole(format: str, chosen: tuple[Assessment, ...], options: dict[str, bool],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _whole(Output(format, **options), chosen)
    whole = capsys.readouterr()
    summary = _streamed(Output(format, **options), chosen)
    assert capsys.readouterr() == whole
    assert summary.commits_checked == len(chosen)
    assert summary.refused_count == sum(a.refused for a in chosen)
    assert summary.overridden_count == sum(a.override is not None for a in chosen)
    assert summary.ai_assisted_count == sum(a.ai_assisted for a in chosen)
    assert summary.assessments == ()


@pytest.mark.parametrize('format', FORMATS)
@pytest.mark.parametrize('chosen', SETS.values(), ids=SETS.keys())
def test_streamed_output_file_is_rendered_whole(format: str, chosen: tuple[Assessment, ...], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    whole, streamed = tmp_path / 'whole', tmp_path / 'streamed'
    _whole(Output(format, str(whole)), chosen)
    terminal = capsys.readouterr()
    _streamed(Output(format, str(streamed)), chosen)
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


def test_the_fast_serialiser_is_used() -> None:
    assert json_format._serialiser() is not json_format._standard_dumps


def test_lone_surrogates_are_spelt_out_either_way() -> None:
    value = {'a\udc80': ['\udcff', '\ud800x']}
    assert json_format.dumps(value) == json_format._standard_dumps(value) + '\n'
    assert json.loads(json_format.dumps(value)) == {'a\\x80': ['\\xff', '\\ud800x']}
