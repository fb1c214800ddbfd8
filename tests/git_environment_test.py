"""Configuration and environment that change what git prints or reads,
against the installed gates: each test is an attempt that once gave a wrong
verdict or garbage (see trailgate/git.py's ``_env`` and the report writers).

Real git in tmp directories, with the test identity and no user or system
configuration (``git_env()``); the variable under test is added on top.
"""
from __future__ import annotations

import json
from pathlib import Path

from testing import scenarios

# the standard policy without its policy-owners rule: a root commit that adds
# the policy file is then judged by the path rules alone
NO_OWNERS_POLICY = scenarios.POLICY.replace('policy_owners: senior\n', '')


def test_a_shallow_file_in_the_environment_hides_no_commit_from_check(tmp_path: Path) -> None:
    """GIT_SHALLOW_FILE names other shallow roots than the repository's:
    git's walk would stop there and show the root as a commit adding every file."""
    repo = scenarios.new_repo(tmp_path / 'repo', NO_OWNERS_POLICY, hooks=False)
    base = repo.head()
    hidden = scenarios.unreviewed(repo)
    tip = repo.commit_ok(scenarios.message('Harmless'), {scenarios.OTHER: 'x\n'}, verify=False)
    shallow = tmp_path / 'shallow'
    shallow.write_text(f'{tip}\n')
    env = {'GIT_SHALLOW_FILE': str(shallow)}
    assert repo.git('rev-list', f'{base}..HEAD', env=env).split() == [tip]  # git itself is fooled
    result = repo.trailgate('check', f'{base}..HEAD', env=env)
    assert result.returncode == 1, result
    assert hidden[:10] in result.stdout


def test_a_push_from_a_shallow_clone_cannot_launder_a_commit_it_leaves_out(tmp_path: Path) -> None:
    """With receive.shallowUpdate, receive-pack runs pre-receive with the
    pusher's shallow roots in GIT_SHALLOW_FILE: the pushed history ends where
    the pusher chose, after the AI-assisted change, which the server never
    sees. The gate reads the history without them: it cannot be judged (2)."""
    dev = scenarios.new_repo(tmp_path / 'dev', NO_OWNERS_POLICY, hooks=False)
    origin = scenarios.bare_remote(tmp_path / 'origin.git')
    scenarios.publish(dev, origin)
    scenarios.unreviewed(dev)
    dev.commit_ok(scenarios.message('Harmless'), {scenarios.OTHER: 'x\n'}, verify=False)
    shallow = scenarios.Repo(tmp_path / 'shallow')
    scenarios.git(tmp_path, 'clone', '-q', '--depth', '1', f'file://{dev.path}', str(shallow.path))
    origin.git('config', 'receive.shallowUpdate', 'true')
    before = scenarios.ref_values(origin)
    pushed = shallow.run_git('push', '--force', str(origin.path), 'HEAD:main')  # the clone cannot see that it fast-forwards
    assert pushed.returncode != 0 and pushed.hooks == {'pre-receive': 2}, pushed
    assert 'Traceback' not in pushed.output
    assert scenarios.ref_values(origin) == before
