from __future__ import annotations

import importlib.abc
import importlib.machinery
import signal
import sys
from types import ModuleType
from typing import Any

import pytest

from trailgate import orjson_import


class _Recording(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves a stand-in ``orjson`` and notes the signal mask its import ran under."""

    def __init__(self) -> None:
        self.masks: list[set[int | signal.Signals]] = []

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        return importlib.machinery.ModuleSpec(name, self) if name == 'orjson' else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        self.masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, set()))


def test_orjson_is_imported_with_ctrl_c_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    # a KeyboardInterrupt inside orjson's initialisation made check die of a
    # segmentation fault (exit -11) in place of 'aborted'
    pytest.importorskip('orjson')  # in sys.modules, so that the stand-in is taken out again
    recording = _Recording()
    monkeypatch.delitem(sys.modules, 'orjson')
    monkeypatch.setattr(sys, 'meta_path', [recording, *sys.meta_path])
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert orjson_import.load()
    assert 'orjson' in sys.modules
    assert recording.masks and signal.SIGINT in recording.masks[0]
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before  # delivered once imported


def test_no_orjson_is_none_with_the_mask_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, 'orjson', None)  # as if not installed
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert not orjson_import.load()
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
