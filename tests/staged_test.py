"""The pending commit read at the edge: its message file and its work tree."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.util import init_repo
from testing.util import trailgate
from trailgate.errors import UsageError
from trailgate.staged import MAX_MESSAGE_BYTES
from trailgate.staged import read_message_file


def test_a_message_file_git_did_not_leave_is_named(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match='no such message file'):
        read_message_file(str(tmp_path / 'COMMIT_EDITMSG'))


def test_a_directory_is_no_message_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match='is a directory, not a commit message file'):
        read_message_file(str(tmp_path))


def test_a_message_file_that_cannot_be_opened_says_why(tmp_path: Path) -> None:
    loop = tmp_path / 'COMMIT_EDITMSG'
    loop.symlink_to(loop)
    with pytest.raises(UsageError, match='cannot read the message: Too many levels of symbolic links'):
        read_message_file(str(loop))


def test_a_message_is_read_up_to_64_mib_and_refused_past_it(tmp_path: Path) -> None:
    path = tmp_path / 'COMMIT_EDITMSG'
    path.write_bytes(b'Fix\n' + b'x' * (MAX_MESSAGE_BYTES - 4))
    assert MAX_MESSAGE_BYTES == 64 * 1024 * 1024
    assert len(read_message_file(str(path))) == MAX_MESSAGE_BYTES
    with path.open('ab') as f:
        f.write(b'x')
    with pytest.raises(UsageError, match='larger than 64 MiB'):
        read_message_file(str(path))


def test_commit_msg_in_a_bare_repository_cannot_judge(tmp_path: Path) -> None:
    bare = init_repo(tmp_path / 'bare.git', bare=True)
    message = tmp_path / 'msg'
    message.write_text('Fix\n')
    result = trailgate(bare, 'commit-msg', str(message))
    assert result.returncode == 2, result
    assert 'this hook needs a work tree' in result.stderr
