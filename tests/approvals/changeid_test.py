"""Change ids: stable under reword, cherry-pick and rebase onto an unrelated
base; different for any other byte of difference, including the whitespace
cases ``git patch-id`` folds together."""
from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

import pytest

from testing.util import git
from testing.util import git_env
from testing.util import init_repo
from testing.util import write
from trailgate import git as tg_git
from trailgate.approvals.changeid import FileStat
from trailgate.approvals.changeid import PatchError
from trailgate.approvals.changeid import change_id
from trailgate.approvals.changeid import stat
from trailgate.approvals.changeid import unquote

BASE_LINES = ''.join(f'line {n}\n' for n in range(1, 41))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = init_repo(tmp_path / 'repo')
    monkeypatch.chdir(path)
    for key, value in git_env().items():
        monkeypatch.setenv(key, value)
    write(path / 'app.py', BASE_LINES)
    commit(path, 'base')
    return path


def commit(repo: Path, subject: str) -> str:
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '--allow-empty', '-m', subject)
    return git(repo, 'rev-parse', 'HEAD').strip()


def cid(rev: str) -> str:
    sha = tg_git.resolve_commit(rev)
    return change_id(next(tg_git.change_patches([sha])))


def ids(*revs: str) -> list[str]:
    shas = [tg_git.resolve_commit(rev) for rev in revs]
    return [change_id(patch) for patch in tg_git.change_patches(shas)]


def patch_id(repo: Path, rev: str) -> str:
    patch = git(repo, 'diff-tree', '-p', '--root', rev)
    return git(repo, 'patch-id', '--stable', input=patch).split()[0]


def edit_line(repo: Path, number: int, text: str) -> None:
    lines = (repo / 'app.py').read_text().split('\n')
    lines[number - 1] = text
    (repo / 'app.py').write_text('\n'.join(lines))


# -- stable ------------------------------------------------------------------


def test_a_reword_keeps_the_id(repo: Path) -> None:
    edit_line(repo, 10, 'line ten')
    original = commit(repo, 'change line 10')
    git(repo, 'commit', '-q', '--amend', '-m', 'another message\n\nReviewed-by: someone')
    assert cid('HEAD') == cid(original)


def test_a_cherry_pick_keeps_the_id(repo: Path) -> None:
    git(repo, 'checkout', '-q', '-b', 'feature')
    edit_line(repo, 10, 'line ten')
    change = commit(repo, 'change line 10')
    git(repo, 'checkout', '-q', 'main')
    write(repo / 'other.txt', 'unrelated\n')
    commit(repo, 'unrelated file')
    git(repo, 'cherry-pick', change)
    assert cid('HEAD') == cid(change)
    assert git(repo, 'rev-parse', 'HEAD').strip() != change


def test_a_rebase_onto_a_base_that_changed_the_same_file_elsewhere_keeps_the_id(repo: Path) -> None:
    git(repo, 'checkout', '-q', '-b', 'feature')
    edit_line(repo, 30, 'line thirty')
    change = commit(repo, 'change line 30')
    git(repo, 'checkout', '-q', 'main')
    edit_line(repo, 2, 'line two, changed on main')
    write(repo / 'other.txt', 'unrelated\n')
    commit(repo, 'main moves on')
    git(repo, 'checkout', '-q', 'feature')
    git(repo, 'rebase', '-q', 'main')
    assert cid('HEAD') == cid(change)
    assert git(repo, 'rev-parse', 'HEAD:app.py') != git(repo, 'rev-parse', f'{change}:app.py')


def test_a_rebase_onto_a_base_that_touched_the_hunk_changes_the_id(repo: Path) -> None:
    git(repo, 'checkout', '-q', '-b', 'feature')
    edit_line(repo, 30, 'line thirty')
    change = commit(repo, 'change line 30')
    git(repo, 'checkout', '-q', 'main')
    edit_line(repo, 28, 'line 28, now different context')
    commit(repo, 'main edits next to it')
    git(repo, 'checkout', '-q', 'feature')
    git(repo, 'rebase', '-q', 'main')
    assert cid('HEAD') != cid(change)


def test_the_id_ignores_the_runners_config_attributes_and_environment(
    repo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(repo / 'app.py', BASE_LINES.replace('line 20\n', 'line 20\n    indented\n'))
    write(repo / 'data.bin', b'\0\1\2binary\n')
    commit(repo, 'change')
    plain = cid('HEAD')
    for key, value in (('diff.noprefix', 'true'), ('diff.context', '10'), ('diff.algorithm', 'patience'),
                       ('color.ui', 'always'), ('color.diff', 'always'), ('diff.external', 'false'),
                       ('diff.mnemonicPrefix', 'true'), ('diff.renames', 'copies'), ('core.quotePath', 'true'),
                       ('diff.submodule', 'log'), ('diff.python.textconv', 'tac')):
        git(repo, 'config', key, value)
    write(repo / '.git' / 'info' / 'attributes', '*.py diff=python\n*.bin diff\n')
    write(repo / '.gitattributes', '*.py -diff\n')
    monkeypatch.setenv('GIT_DIFF_OPTS', '--unified=10')
    monkeypatch.setenv('GIT_EXTERNAL_DIFF', 'false')
    assert cid('HEAD') == plain


def test_many_commits_in_one_process_in_order(repo: Path) -> None:
    shas = []
    for n in range(1, 6):
        edit_line(repo, n * 5, f'edit {n}')
        shas.append(commit(repo, f'edit {n}'))
    together = ids(*shas)
    assert together == [cid(sha) for sha in shas]
    assert len(set(together)) == 5


# -- different ---------------------------------------------------------------


def _variants(repo: Path, contents: list[str | bytes], path: str = 'app.py') -> list[str]:
    """One commit per content of ``path`` on top of the same base; their ids."""
    base = git(repo, 'rev-parse', 'HEAD').strip()
    shas = []
    for number, content in enumerate(contents):
        git(repo, 'checkout', '-q', '-B', f'variant{number}', base)
        write(repo / path, content)
        shas.append(commit(repo, 'variant'))
    return [cid(sha) for sha in shas]


@pytest.mark.parametrize('name, first, second', [
    ('indented vs dedented', 'if ready:\n    go()\n    log()\n', 'if ready:\n    go()\nlog()\n'),
    ('tokens joined', 'return not ready\n', 'return notready\n'),
    ('lines joined', 'y = a\nb\n', 'y = a + b\n'),
    ('trailing space', 'x = 1\n', 'x = 1 \n'),
    ('tab vs spaces', '\tx = 1\n', '        x = 1\n'),
])
def test_whitespace_differences_that_patch_id_ignores_change_the_id(repo: Path, name: str, first: str,
                                                                     second: str) -> None:
    base_content = BASE_LINES
    a, b = _variants(repo, [base_content + first, base_content + second])
    assert a != b, name
    git(repo, 'checkout', '-q', 'variant0')
    first_patch_id = patch_id(repo, 'HEAD')
    git(repo, 'checkout', '-q', 'variant1')
    assert patch_id(repo, 'HEAD') == first_patch_id, f'git patch-id --stable tells {name} apart now'


def test_line_endings_change_the_id(repo: Path) -> None:
    found = _variants(repo, [BASE_LINES + 'end\n', BASE_LINES + 'end\r\n', BASE_LINES + 'end'])
    assert len(set(found)) == 3


def test_mode_changes_the_id(repo: Path) -> None:
    base = git(repo, 'rev-parse', 'HEAD').strip()
    write(repo / 'tool.sh', 'echo hi\n')
    plain = commit(repo, 'add tool')
    git(repo, 'checkout', '-q', '-B', 'exec', base)
    os.chmod(write(repo / 'tool.sh', 'echo hi\n'), 0o755)
    executable = commit(repo, 'add tool')
    git(repo, 'checkout', '-q', '-B', 'chmod', base)
    os.chmod(repo / 'app.py', 0o755)
    mode_only = commit(repo, 'chmod')
    assert len({cid(plain), cid(executable), cid(mode_only)}) == 3
    assert cid(mode_only) != cid(base)


def test_the_mode_of_an_edited_file_changes_the_id(repo: Path) -> None:
    """The same edit to a regular and to an executable file: git names the
    unchanged mode on the ``index`` line, and the id keeps it."""
    base = git(repo, 'rev-parse', 'HEAD').strip()
    edit_line(repo, 3, 'edited')
    regular = commit(repo, 'edit')
    git(repo, 'checkout', '-q', '-B', 'exec', base)
    os.chmod(repo / 'app.py', 0o755)
    commit(repo, 'chmod')
    edit_line(repo, 3, 'edited')
    executable = commit(repo, 'edit')
    assert cid(regular) != cid(executable)


def test_path_changes_the_id(repo: Path) -> None:
    a = _variants(repo, ['same\n'], 'one.py')[0]
    b = _variants(repo, ['same\n'], 'two.py')[0]
    assert a != b


def test_rename_source_changes_the_id(repo: Path) -> None:
    write(repo / 'a.py', 'shared content\n' * 5)
    write(repo / 'b.py', 'shared content\n' * 5)
    base = commit(repo, 'two files')
    git(repo, 'mv', 'a.py', 'new.py')
    from_a = commit(repo, 'rename a')
    git(repo, 'checkout', '-q', '-B', 'other', base)
    git(repo, 'mv', 'b.py', 'new.py')
    from_b = commit(repo, 'rename b')
    assert cid(from_a) != cid(from_b)


def test_binary_content_changes_the_id_by_full_object_ids(repo: Path) -> None:
    found = _variants(repo, [b'\0\1\2\3' * 100, b'\0\1\2\4' * 100], 'image.bin')
    assert found[0] != found[1]
    patch = next(tg_git.change_patches([tg_git.resolve_commit('variant0')]))
    blob = git(repo, 'rev-parse', 'variant0:image.bin').strip()
    assert blob.encode() in patch


def test_a_binary_change_is_named_by_its_old_content_too(repo: Path) -> None:
    base = git(repo, 'rev-parse', 'HEAD').strip()
    found = []
    for number, old in enumerate((b'\0old one', b'\0old two')):
        git(repo, 'checkout', '-q', '-B', f'from{number}', base)
        write(repo / 'image.bin', old)
        commit(repo, 'old image')
        write(repo / 'image.bin', b'\0new')
        found.append(cid(commit(repo, 'new image')))
    assert found[0] != found[1]


def test_symlink_target_changes_the_id(repo: Path) -> None:
    base = git(repo, 'rev-parse', 'HEAD').strip()
    os.symlink('app.py', repo / 'link')
    to_app = commit(repo, 'link')
    git(repo, 'checkout', '-q', '-B', 'other', base)
    os.symlink('README', repo / 'link')
    to_readme = commit(repo, 'link')
    git(repo, 'checkout', '-q', '-B', 'file', base)
    write(repo / 'link', 'app.py')
    regular = commit(repo, 'file')
    assert len({cid(to_app), cid(to_readme), cid(regular)}) == 3


def test_submodule_target_changes_the_id(repo: Path) -> None:
    sub = init_repo(repo.parent / 'sub')
    write(sub / 'f', '1\n')
    first = commit(sub, 'one')
    write(sub / 'f', '2\n')
    second = commit(sub, 'two')
    base = git(repo, 'rev-parse', 'HEAD').strip()
    shas = []
    for target in (first, second):
        git(repo, 'checkout', '-q', '-B', f'sub-{target[:6]}', base)
        git(repo, 'update-index', '--add', '--cacheinfo', f'160000,{target},vendor/sub')
        git(repo, 'commit', '-q', '-m', 'pin submodule')
        shas.append(git(repo, 'rev-parse', 'HEAD').strip())
    assert cid(shas[0]) != cid(shas[1])


def test_root_commits_have_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = init_repo(tmp_path / 'root')
    monkeypatch.chdir(path)
    write(path / 'a', 'a\n')
    commit(path, 'root')
    root_id = cid('HEAD')
    git(path, 'checkout', '-q', '--orphan', 'other')
    write(path / 'a', 'b\n')
    commit(path, 'another root')
    assert len({root_id, cid('HEAD')}) == 2


# -- merges ------------------------------------------------------------------


def _merge_setup(repo: Path, conflict: bool) -> None:
    git(repo, 'checkout', '-q', '-b', 'side')
    edit_line(repo, 5, 'side edit')
    commit(repo, 'side')
    git(repo, 'checkout', '-q', 'main')
    edit_line(repo, 5 if conflict else 35, 'main edit')
    commit(repo, 'main')


def merge_change(rev: str) -> bytes:
    sha = tg_git.resolve_commit(rev)
    parents = git('.', 'rev-parse', f'{sha}^1', f'{sha}^2').split()
    merged = tg_git.merge_result_trees([(parents[0], parents[1])])[0]
    assert merged is not None
    tree = tg_git.trees_of([sha])[sha]
    return next(tg_git.change_patches([f'{merged} {tree}']))


def test_a_clean_merge_has_no_change_of_its_own(repo: Path) -> None:
    _merge_setup(repo, conflict=False)
    git(repo, 'merge', '-q', '--no-edit', 'side')
    assert merge_change('HEAD') == b''


def test_an_evil_merge_and_a_conflict_resolution_are_their_own_change(repo: Path) -> None:
    _merge_setup(repo, conflict=False)
    git(repo, 'merge', '-q', '--no-commit', 'side')
    write(repo / 'extra.py', 'smuggled = True\n')
    commit(repo, 'evil merge')
    evil = merge_change('HEAD')
    assert b'smuggled' in evil and b'side edit' not in evil
    git(repo, 'checkout', '-q', '-B', 'conflicted', 'main~1')
    edit_line(repo, 5, 'main edit')
    commit(repo, 'main, conflicting')
    git(repo, 'merge', '-q', 'side', check=False)
    edit_line(repo, 5, 'resolved by hand')
    resolved = commit(repo, 'resolved')
    resolution = merge_change(resolved)
    assert b'+resolved by hand' in resolution
    assert change_id(resolution) != change_id(evil)


# -- the definition, byte for byte ---------------------------------------------

PATCH = (
    b'diff --git a/app.py b/app.py\n'
    b'index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644\n'
    b'--- a/app.py\n'
    b'+++ b/app.py\n'
    b'@@ -10,3 +10,3 @@ def f():\n'
    b' one\n'
    b'-two\n'
    b'+two \r\n'
    b'@@ -40,2 +40 @@\n'
    b'-end\n'
    b'-tail\n'
    b'+end\n'
    b'\\ No newline at end of file\n'
    b'diff --git a/tool.sh b/tool.sh\n'
    b'old mode 100644\n'
    b'new mode 100755\n'
    b'diff --git a/image.bin b/image.bin\n'
    b'new file mode 100644\n'
    b'index 0000000000000000000000000000000000000000..4444444444444444444444444444444444444444\n'
    b'--- /dev/null\n'
    b'+++ b/image.bin\n'
    b'@@ -0,0 +1 @@\n'
    b'+\x00\x01\n'
)


def test_the_id_is_sha256_over_the_documented_records() -> None:
    """Ledgers hold approvals of ids made by this definition: any change to
    it orphans every one of them, so it is spelled out here record by record."""
    def record(kind: bytes, data: bytes) -> bytes:
        return kind + struct.pack('>Q', len(data)) + data

    lines = PATCH.splitlines(keepends=True)
    expected = hashlib.sha256(b''.join((
        record(b'V', b'trailgate-change-v1'),
        record(b'F', lines[0]), record(b'M', b'100644'), record(b'H', lines[2]), record(b'H', lines[3]),
        record(b'@', b'3 3'), *(record(b'L', line) for line in lines[5:8]),
        record(b'@', b'2 1'), *(record(b'L', line) for line in lines[9:13]),
        record(b'F', lines[13]), record(b'H', lines[14]), record(b'H', lines[15]),
        record(b'F', lines[16]), record(b'H', lines[17]), record(b'M', b''), record(b'H', lines[19]),
        record(b'H', lines[20]), record(b'B', b'0' * 40 + b' ' + b'4' * 40),
    ))).hexdigest()
    assert change_id(PATCH) == expected


@pytest.mark.parametrize(('patch', 'message'), [
    (b'From the mail\n' + PATCH, 'does not start with a diff header'),
    (PATCH.replace(b'@@ -40,2 +40 @@\n', b'@@ -40,2 +40\n'), 'not a hunk header'),
    (PATCH.replace(b'-end\n', b'*end\n'), 'unexpected line in a hunk'),
    (PATCH.replace(b'--- a/app.py\n', b' a/app.py\n'), 'unexpected line in a file header'),
    (PATCH.replace(b'index 0000000000000000000000000000000000000000..4444444444444444444444444444444444444444\n', b''),
     'binary file without an index line'),
])
def test_a_patch_git_would_not_print_is_refused_never_guessed_past(patch: bytes, message: str) -> None:
    with pytest.raises(PatchError, match=message):
        change_id(patch)


def test_the_stat_approve_shows_names_each_file_as_git_prints_it() -> None:
    """A mode-only change and a deletion have no ``+++`` path: the name
    comes from the ``diff --git`` line, quoted as git quotes it (and the
    path itself, unquoted)."""
    deleted = (
        b'diff --git "a/caf\\303\\251.py" "b/caf\\303\\251.py"\n'
        b'deleted file mode 100644\n'
        b'index 5555555555555555555555555555555555555555..0000000000000000000000000000000000000000\n'
        b'--- "a/caf\\303\\251.py"\n'
        b'+++ /dev/null\n'
        b'@@ -1,2 +0,0 @@\n'
        b'-a\n'
        b'-b\n'
    )
    assert stat(PATCH + deleted) == [
        FileStat('app.py', 2, 3, False, '100644', '100644', '', 'app.py', (), 1, 4),  # two -> 'two \r'
        FileStat('tool.sh', 0, 0, False, '100644', '100755', '', 'tool.sh'),
        FileStat('image.bin', 0, 0, True, '', '100644', '', 'image.bin'),
        FileStat('"caf\\303\\251.py"', 0, 2, False, '100644', '', '', 'caf\u00e9.py'),
    ]


def test_the_stat_says_what_a_line_count_does_not() -> None:
    """A symlink's and a submodule's one line is where they point; a name
    with a space ends, on git's ``---``/``+++`` lines, with a tab that is
    not part of it."""
    patch = (
        b'diff --git a/conf.yaml b/conf.yaml\n'
        b'new file mode 120000\n'
        b'index 0000000000000000000000000000000000000000..5555555555555555555555555555555555555555\n'
        b'--- /dev/null\n'
        b'+++ b/conf.yaml\n'
        b'@@ -0,0 +1 @@\n'
        b'+/etc/secrets.yaml\n'
        b'\\ No newline at end of file\n'
        b'diff --git a/lib b/lib\n'
        b'index 6666666666666666666666666666666666666666..7777777777777777777777777777777777777777 160000\n'
        b'--- a/lib\n'
        b'+++ b/lib\n'
        b'@@ -1 +1 @@\n'
        b'-Subproject commit 6666666666666666666666666666666666666666\n'
        b'+Subproject commit 7777777777777777777777777777777777777777\n'
        b'diff --git a/a b.py b/a b.py\n'
        b'new file mode 100644\n'
        b'index 0000000000000000000000000000000000000000..8888888888888888888888888888888888888888\n'
        b'--- /dev/null\n'
        b'+++ b/a b.py\t\n'
        b'@@ -0,0 +1 @@\n'
        b'+x\n'
    )
    assert stat(patch) == [
        FileStat('conf.yaml', 1, 0, False, '', '120000', '/etc/secrets.yaml', 'conf.yaml', widest=17),
        FileStat('lib', 1, 1, False, '160000', '160000', 'Subproject commit 7777777777777777777777777777777777777777',
                 'lib', widest=58),
        FileStat('a b.py', 1, 0, False, '', '100644', '', 'a b.py', widest=1),
    ]


@pytest.mark.parametrize(('quoted', 'path'), [
    ('plain.py', 'plain.py'),
    ('"q\\"uote\\\\d.py"', 'q"uote\\d.py'),
    ('"new\\nline\\ttab\\033.py"', 'new\nline\ttab\x1b.py'),
    ('"caf\\303\\251.py"', 'caf\u00e9.py'),
    ('"bad\\377.py"', 'bad\udcff.py'),
])
def test_a_quoted_name_is_unquoted_as_git_quoted_it(quoted: str, path: str) -> None:
    assert unquote(quoted) == path


def test_a_symlink_s_target_is_read_byte_for_byte() -> None:
    """A target of two lines is still shown (approve escapes the newline), and
    one that ends with a newline keeps it: that is another target."""
    def link(target: bytes) -> bytes:
        lines = target.split(b'\n')
        body = b''.join(b'+' + line + b'\n' for line in lines[:-1])
        if lines[-1]:
            body += b'+' + lines[-1] + b'\n\\ No newline at end of file\n'
        return (b'diff --git a/l b/l\n'
                b'new file mode 120000\n'
                b'index 0000000000000000000000000000000000000000..5555555555555555555555555555555555555555\n'
                b'--- /dev/null\n'
                b'+++ b/l\n'
                b'@@ -0,0 +1,' + str(len(lines) - (not lines[-1])).encode() + b' @@\n' + body)

    assert [stat(link(target))[0].target for target in (b'/etc/shadow', b'../x\n/etc/shadow', b'/etc/shadow\n')] \
        == ['/etc/shadow', '../x\n/etc/shadow', '/etc/shadow\n']
