"""A progress count on stderr, only when stderr is a terminal."""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar('T')


class Progress:
    def __init__(self, label: str, enabled: bool = True, interval: float = 0.2) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        self.interval = interval
        self.count = 0
        self._shown = False

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, counted on stderr as they pass; untouched when nothing is shown."""
        if not self.enabled:
            return iter(items)
        return self._counted(items)

    def _counted(self, items: Iterable[T]) -> Iterator[T]:
        last = time.monotonic()
        for item in items:
            self.count += 1
            if time.monotonic() - last >= self.interval:
                last = time.monotonic()
                sys.stderr.write(f'\r{self.label}: {self.count} commits')
                sys.stderr.flush()
                self._shown = True
            yield item
        self.done()  # before the report that follows is written

    def done(self) -> None:
        if self._shown:
            sys.stderr.write('\r\033[K')
            sys.stderr.flush()
            self._shown = False
