"""Headless Chromium driven through the DevTools protocol, standard library only.

The browser is Debian's ``chromium`` (never one a package downloads). It
speaks the protocol over ``--remote-debugging-pipe``: NUL-terminated JSON
on file descriptors 3 (to the browser) and 4 (from it), so no port is
opened and no websocket client is needed. ``Browser.load`` opens a page in
a fresh target and records every console message, exception, log entry and
network request it causes.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from pathlib import Path
from types import TracebackType
from typing import Any

FLAGS = (
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-default-apps', '--mute-audio', '--hide-scrollbars',
    '--remote-debugging-pipe',
)
TIMEOUT = 60.0


def executable() -> str | None:
    for name in ('/usr/bin/chromium', 'chromium', 'chromium-browser'):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    def __init__(self, path: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix='trailgate-chromium-')
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire() -> None:  # in the child: the protocol's fds 3 and 4 (by way of high
            os.dup2(to_browser_read, 200)  # numbers, in case the pipes are 3 and 4 already)
            os.dup2(from_browser_write, 201)
            os.dup2(200, 3)
            os.dup2(201, 4)
            os.close(200)
            os.close(201)

        self._process = subprocess.Popen(
            (path, *FLAGS, f'--user-data-dir={self._profile.name}', 'about:blank'),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b''
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call('Browser.close')
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._profile.cleanup()

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b'\0' not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('chromium did not answer in time')
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError('chromium closed the DevTools pipe')
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b'\0')
        found: dict[str, Any] = json.loads(message)
        return found

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        request: dict[str, Any] = {'id': self._next_id, 'method': method, 'params': params}
        if session:
            request['sessionId'] = session
        os.write(self._to_browser, json.dumps(request).encode() + b'\0')
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._read_message(deadline)
            if message.get('id') == self._next_id:
                if 'error' in message:
                    raise RuntimeError(f'{method}: {message["error"]}')
                result: dict[str, Any] = message.get('result', {})
                return result
            if 'method' in message:
                self.events.append(message)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        for event in self.events:
            if event['method'] == method and event.get('sessionId') == session:
                return event
        while True:
            message = self._read_message(deadline)
            if 'method' in message:
                self.events.append(message)
                if message['method'] == method and message.get('sessionId') == session:
                    return message

    def open(self, url: str, width: int = 1100, dark: bool = False, print_media: bool = False) -> str:
        """A new tab showing ``url``; its session id, once the page has loaded."""
        target = self.call('Target.createTarget', url='about:blank')['targetId']
        session = self.call('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        for domain in ('Page', 'Runtime', 'Log', 'Network'):
            self.call(f'{domain}.enable', session)
        self.call('Emulation.setDeviceMetricsOverride', session, width=width, height=900,
                  deviceScaleFactor=1, mobile=False)
        self.call('Emulation.setEmulatedMedia', session, media='print' if print_media else '',
                  features=[{'name': 'prefers-color-scheme', 'value': 'dark' if dark else 'light'}])
        self.call('Page.navigate', session, url=url)
        self.wait_for('Page.loadEventFired', session)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        answer = self.call('Runtime.evaluate', session, expression=expression, returnByValue=True)
        if 'exceptionDetails' in answer:
            raise RuntimeError(f'page script failed: {answer["exceptionDetails"]}')
        return answer['result'].get('value')

    def screenshot(self, session: str, clip: dict[str, float] | None = None) -> bytes:
        params: dict[str, Any] = {'format': 'png', 'captureBeyondViewport': True}
        if clip is not None:
            params['clip'] = clip
        return base64.b64decode(self.call('Page.captureScreenshot', session, **params)['data'])

    def problems(self, session: str) -> list[str]:
        """Console errors and warnings, exceptions and error log entries of the page."""
        found = []
        for event in self.events:
            if event.get('sessionId') != session:
                continue
            method, params = event['method'], event.get('params', {})
            if method == 'Runtime.exceptionThrown':
                found.append(f'exception: {params}')
            elif method == 'Runtime.consoleAPICalled' and params.get('type') in ('error', 'warning', 'assert'):
                found.append(f'console {params.get("type")}: {params.get("args")}')
            elif method == 'Log.entryAdded' and params.get('entry', {}).get('level') in ('error', 'warning'):
                found.append(f'log: {params["entry"].get("text")}')
        return found

    def requests(self, session: str) -> list[str]:
        return [event['params']['request']['url'] for event in self.events
                if event.get('sessionId') == session and event['method'] == 'Network.requestWillBeSent']


# -- PNG, enough to look at a screenshot -----------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA/RGB bytes) of an 8-bit, non-interlaced PNG."""
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    position, idat, header = 8, b'', b''
    while position < len(data):
        length, kind = struct.unpack('>I4s', data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if len(body) != length:
            raise ValueError('truncated PNG chunk')
        if kind == b'IHDR':
            header = body
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', header)
    if depth != 8 or interlace or colour not in (2, 6):
        raise ValueError(f'unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}')
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                corner = previous[i - channels] if i >= channels else 0
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def ink(data: bytes) -> tuple[float, int]:
    """(share of pixels that differ from the top-left one, distinct colours) of a PNG."""
    width, height, rows = png_pixels(data)
    channels = len(rows[0]) // width if rows else 4
    background = rows[0][:channels] if rows else b''
    colours: set[bytes] = set()
    inked = 0
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = row[x:x + channels]
            colours.add(pixel)
            inked += pixel != background
    return inked / max(width * height, 1), len(colours)


def save(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
