"""``trailgate explain [REV]``: why one commit passes or is refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.scenarios import APPROVALS
from testing.scenarios import ASSISTED
from testing.scenarios import CO_AUTHORED
from testing.scenarios import CRITICAL
from testing.scenarios import DOC_TICKET
from testing.scenarios import OTHER
from testing.scenarios import POLICY
from testing.scenarios import POLICY_PATH
from testing.scenarios import REVIEW_ALICE
from testing.scenarios import REVIEW_BOB
from testing.scenarios import RULE
from testing.scenarios import Repo
from testing.scenarios import Run
from testing.scenarios import message
from testing.scenarios import new_repo
from testing.util import init_repo
from testing.util import write


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return new_repo(tmp_path / 'repo', hooks=False)


def explain(repo: Repo, *args: str, code: int) -> Run:
    result = repo.trailgate('explain', *args)
    assert 'Traceback' not in result.output, result.output
    assert result.returncode == code, result
    return result


def rule_block(text: str, rule: str = RULE) -> list[str]:
    """The lines about ``rule`` under "Rules:"."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f'  {rule}:'))
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith('    '):
            break
        block.append(line)
    return block


def requirement(block: list[str], code: str) -> str:
    found = [line for line in block if f' {code} ' in line]
    assert len(found) == 1, block
    return found[0]


def verdict(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith('Verdict:')]
    assert len(lines) == 1, text
    return lines[0]


def test_refused_head(repo: Repo) -> None:
    sha = repo.commit_ok(message('Charge twice', CO_AUTHORED), {CRITICAL: 'twice = 1\n'}, verify=False)
    out = explain(repo, code=1).stdout
    assert sha in out
    assert 'Charge twice' in out
    # the signal: which tool, its catalogue id, and where it was found
    signals = out[out.index('AI signals:'):out.index('Rules:')]
    assert 'Claude Code' in signals
    assert '[claude-code-co-author]' in signals
    assert 'Co-authored-by trailer' in signals
    block = rule_block(out)
    assert 'applies' in block[0] and CRITICAL in block[0]
    assert requirement(block, 'TG001').lstrip().startswith('MISSING')
    assert requirement(block, 'TG002').lstrip().startswith('MISSING')
    assert any('to satisfy' in line and 'alice@example.com' in line for line in block), block
    assert verdict(out) == 'Verdict: REFUSED'
    fix = next(line for line in out.splitlines() if line.startswith('Fix:'))
    assert '--amend' in fix and 'Reviewed-by' in fix and 'Change-Doc' in fix
    # typed reviews: no signed approval to ask for (without `signers`, approve has nothing to sign)
    assert 'trailgate approve' not in out and 'Approve:' not in out


def test_accepted_rev_shows_the_trailers_that_satisfied_it(repo: Repo) -> None:
    good = repo.commit_ok(message('Charge twice', ASSISTED, *APPROVALS), {CRITICAL: 'twice = 1\n'},
                          verify=False)
    repo.commit_ok(message('Charge thrice', ASSISTED), {CRITICAL: 'thrice = 1\n'}, verify=False)
    for rev in ('HEAD~1', good, good[:10], 'main~1'):
        out = explain(repo, rev, code=0).stdout
        assert good in out
        assert '[ai.disclosure_trailers]' in out and 'Assisted-by trailer' in out
        block = rule_block(out)
        tg001 = requirement(block, 'TG001')
        assert tg001.lstrip().startswith('ok')
        assert REVIEW_ALICE in tg001 and REVIEW_BOB in tg001
        tg002 = requirement(block, 'TG002')
        assert tg002.lstrip().startswith('ok') and DOC_TICKET in tg002
        assert verdict(out) == 'Verdict: accepted'
    explain(repo, 'HEAD', code=1)


def fix_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('Fix:'))
    return [lines[start], *(line for line in lines[start + 1:] if line.startswith('  ') and line.strip())][:4]


def test_the_fix_of_an_older_commit_rewrites_it_not_head(repo: Repo) -> None:
    refused = repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    repo.commit_ok(message('Index faster'), {OTHER: 'fast = 1\n'}, verify=False)
    out = explain(repo, refused, code=1).stdout
    # `git commit --amend` would put the reviews on HEAD, a commit nobody reviewed for this
    assert 'git commit --amend' not in out
    fix = fix_lines(out)
    assert f'git rebase -i {refused[:10]}~1' in fix[0], fix
    assert any('Reviewed-by:' in line for line in fix[1:]), fix
    assert any('Change-Doc:' in line for line in fix[1:]), fix


def test_the_fix_of_a_root_commit_that_is_not_head(repo: Repo) -> None:
    repo.git('checkout', '-q', '--orphan', 'elsewhere')
    root = repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    repo.git('checkout', '-q', '-f', 'main')
    out = explain(repo, root, code=1).stdout
    assert 'git commit --amend' not in out
    assert 'git rebase -i --root' in fix_lines(out)[0], out


def test_the_fix_of_head_named_another_way_amends(repo: Repo) -> None:
    head = repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    for rev in (head, 'main'):
        fix = fix_lines(explain(repo, rev, code=1).stdout)
        assert fix[0].startswith('Fix: git commit --amend ') and 'rebase' not in fix[0], fix


def test_met_and_missing_in_one_commit(repo: Repo) -> None:
    repo.commit_ok(message('Charge twice', ASSISTED, REVIEW_ALICE, DOC_TICKET), {CRITICAL: 'twice = 1\n'},
                   verify=False)
    out = explain(repo, code=1).stdout
    block = rule_block(out)
    tg001 = requirement(block, 'TG001')
    assert tg001.lstrip().startswith('MISSING')
    assert REVIEW_ALICE in tg001, 'what was counted so far is shown'
    tg002 = requirement(block, 'TG002')
    assert tg002.lstrip().startswith('ok') and DOC_TICKET in tg002


def test_a_missing_review_shows_each_review_counted_so_far(tmp_path: Path) -> None:
    three = POLICY.replace('"Bob Builder <bob@example.com>"]', '"Bob Builder <bob@example.com>", carol@example.com]')
    repo = new_repo(tmp_path / 'repo', three.replace('count: 2', 'count: 3'), hooks=False)
    repo.commit_ok(message('Charge twice', ASSISTED, REVIEW_ALICE, REVIEW_BOB, DOC_TICKET),
                   {CRITICAL: 'twice = 1\n'}, verify=False)
    tg001 = requirement(rule_block(explain(repo, code=1).stdout), 'TG001')
    assert tg001.lstrip().startswith('MISSING')
    assert tg001.endswith(f' [counted so far: {REVIEW_ALICE}; {REVIEW_BOB}]'), tg001


def test_a_human_commit_to_a_critical_path(repo: Repo) -> None:
    repo.commit_ok(message('Charge twice'), {CRITICAL: 'twice = 1\n'}, verify=False)
    out = explain(repo, code=0).stdout
    assert 'AI signals: none' in out
    block = rule_block(out)
    assert 'does not apply' in block[0] and 'AI-assisted' in block[0]
    assert verdict(out) == 'Verdict: accepted'


def test_a_commit_that_touches_nothing_protected(repo: Repo) -> None:
    repo.commit_ok(message('Index faster', CO_AUTHORED), {OTHER: 'fast = 1\n'}, verify=False)
    out = explain(repo, code=0).stdout
    assert '[claude-code-co-author]' in out
    assert 'does not apply' in rule_block(out)[0]
    assert verdict(out) == 'Verdict: accepted'


def test_the_policy_owner_rule_on_the_policy_commit(repo: Repo) -> None:
    out = explain(repo, 'HEAD', code=0).stdout
    block = rule_block(out, 'policy-owners')
    assert 'applies' in block[0] and POLICY_PATH in block[0]
    assert requirement(block, 'TG004').lstrip().startswith('ok')


def test_message_file_against_the_staged_change(repo: Repo, tmp_path: Path) -> None:
    repo.stage({CRITICAL: 'twice = 1\n'})
    bad = write(tmp_path / 'bad.txt', message('Charge twice', ASSISTED))
    out = explain(repo, '--message', str(bad), code=1).stdout
    assert 'not yet committed' in out
    assert CRITICAL in rule_block(out)[0]
    assert verdict(out) == 'Verdict: REFUSED'
    fix = next(line for line in out.splitlines() if line.startswith('Fix:'))
    assert '--amend' not in fix
    good = write(tmp_path / 'good.txt', message('Charge twice', ASSISTED, *APPROVALS) + '# a comment\n')
    out = explain(repo, '--message', str(good), code=0).stdout
    assert verdict(out) == 'Verdict: accepted'
    repo.git('reset', '-q')  # nothing staged: no rule is touched
    assert verdict(explain(repo, '--message', str(bad), code=0).stdout) == 'Verdict: accepted'


def test_message_file_that_does_not_exist(repo: Repo, tmp_path: Path) -> None:
    result = explain(repo, '--message', str(tmp_path / 'missing'), code=2)
    assert 'missing' in result.stderr


def test_message_file_with_a_revision_is_a_usage_error(repo: Repo, tmp_path: Path) -> None:
    """The message is explained against the staged change: a revision beside
    it would be silently ignored."""
    bad = write(tmp_path / 'bad.txt', message('Charge twice', ASSISTED))
    result = explain(repo, '--message', str(bad), 'HEAD', code=2)
    assert result.stdout == '' and '--message explains the staged change' in result.stderr


@pytest.mark.parametrize('rev', ['no-such-branch', 'HEAD~5', 'HEAD:README.txt', '0' * 40, 'main..HEAD'])
def test_unknown_revision(repo: Repo, rev: str) -> None:
    result = explain(repo, rev, code=2)
    assert result.stdout == ''
    assert 'trailgate: error:' in result.stderr


def test_empty_repository(tmp_path: Path) -> None:
    repo = Repo(init_repo(tmp_path / 'repo'))
    write(repo.path / POLICY_PATH, POLICY)
    result = explain(repo, code=2)
    assert 'HEAD' in result.stderr
    # a message file needs no commit: the staged change is judged
    repo.stage({CRITICAL: 'charge = 1\n'})
    msg = write(tmp_path / 'msg', message('First charge', ASSISTED))
    assert verdict(explain(repo, '--message', str(msg), code=1).stdout) == 'Verdict: REFUSED'


def test_no_policy(repo: Repo) -> None:
    (repo.path / POLICY_PATH).unlink()
    result = explain(repo, code=2)
    assert 'trailgate init' in result.stderr


def test_explicit_policy(repo: Repo, tmp_path: Path) -> None:
    repo.commit_ok(message('Charge twice', ASSISTED), {CRITICAL: 'twice = 1\n'}, verify=False)
    lenient = write(tmp_path / 'lenient.yaml', 'version: 1\nrules: []\n')
    out = explain(repo, '--policy', str(lenient), code=0).stdout
    assert '(the policy has no rules)' in out
    assert verdict(out) == 'Verdict: accepted'


def test_outside_a_repository(tmp_path: Path) -> None:
    outside = Repo(tmp_path, env={'GIT_CEILING_DIRECTORIES': str(tmp_path.parent)})
    result = explain(outside, code=2)
    assert 'not a git repository' in result.stderr


def test_shows_what_is_protected(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / 'repo', POLICY + 'protected: [main, "release/*"]\n', hooks=False)
    result = explain(repo, code=0)
    assert 'Protected: main, release/*' in result.stdout
    assert 'current branch main: protected' in result.stdout
    assert 'commit-msg refuses here' in result.stdout
    repo.git('switch', '-q', '-c', 'feature')
    result = explain(repo, code=0)
    assert 'current branch feature: not protected' in result.stdout
    assert 'when it would land on main' in result.stdout


def test_shows_that_without_the_key_everything_is_protected(repo: Repo) -> None:
    result = explain(repo, code=0)
    assert 'Protected: every branch and tag' in result.stdout
