"""Where reports go and how they look: format, --output, colour, verbosity."""
from __future__ import annotations

import os
import sys
from typing import TextIO

from trailgate.errors import UsageError
from trailgate.reports import EVERY_COMMIT_FORMATS
from trailgate.reports import Report
from trailgate.reports import render


def use_color(stream: TextIO) -> bool:
    if os.environ.get('NO_COLOR'):
        return False
    if os.environ.get('FORCE_COLOR') or os.environ.get('PRE_COMMIT_COLOR') == 'always':
        return True
    return stream.isatty() and os.environ.get('TERM') != 'dumb'


class Output:
    def __init__(self, format: str = 'text', output: str | None = None,
                 quiet: bool = False, verbose: bool = False) -> None:
        self.format = format
        self.output = output
        self.quiet = quiet
        self.verbose = verbose

    @property
    def keeps_passing(self) -> bool:
        """Does this output show commits that pass, so they must be kept?"""
        return self.verbose or self.format in EVERY_COMMIT_FORMATS

    def report(self, report: Report, stream: str = 'stdout') -> None:
        target = sys.stderr if stream == 'stderr' else sys.stdout
        if self.output:
            text = render(report, self.format, color=False, verbose=self.verbose)
            try:
                with open(self.output, 'w', encoding='utf-8', errors='surrogateescape') as f:
                    f.write(text)
            except OSError as e:
                raise UsageError(f'--output {self.output}: cannot write: {e.strerror}') from None
            if self.format != 'text' and report.refused:
                # the file is for machines; people still see what was refused
                target.write(render(report, 'text', color=use_color(target)))
            return
        if self.quiet and not report.refused:
            return
        target.write(render(report, self.format, color=use_color(target), verbose=self.verbose))
        target.flush()
