#!/usr/bin/env python3
"""Benchmark: what a push of ``refs/trailgate/approvals`` costs the server.

pre-receive judges everything an update of the approvals ledger adds (every
record parsed, its signature verified). Its cost must follow the records an
update brings, not the shape of the history that brings them: over the same
records, an update whose records arrive through a chain of merges (each
record on a branch of its own, merged in turn) stays within **2x** the CPU
of the same records in one commit, and every accepted update's max RSS
(trailgate and its git children) stays **< 200 MB**. An update over the
limit on records is refused before any record is read.

One bare server with a signed policy; each ledger is written with one
``git fast-import`` and judged by ``trailgate pre-receive`` run in the bare
repository with its update line on stdin (as receive-pack runs it, minus
the quarantine). Records are signed in-process with an ed25519 key made by
``ssh-keygen`` (the bytes are ssh-keygen's SSHSIG format; the hook verifies
them). ``--against DIR`` runs the same updates with another checkout's
``trailgate/`` (e.g. ``git archive main trailgate | tar -x -C DIR``) beside
this one's, for a before/after.

    .venv/bin/python benchmarks/ledger_bench.py [--records 1000] [--repeats 3] [--against DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

import benchlib

BUDGET_RATIO = 2.0
BUDGET_RSS_MB = 200
ZERO = '0' * 40
LEDGER = 'refs/trailgate/approvals'
POLICY = """\
version: 1
groups:
  senior: [alice@shop.example.com]
policy_owners: senior
protected: [main]
signers: .trailgate/allowed_signers
rules:
  - id: tier1-payments
    paths: ["services/payments/**"]
    require:
      reviews: {group: senior, count: 1, signed: true}
"""
HOOK = ('import sys; sys.path.insert(0, sys.argv.pop(1)); '
        'from trailgate.main import main; sys.exit(main())')


def _string(value: bytes) -> bytes:
    return struct.pack('>I', len(value)) + value


class Signer:
    def __init__(self, directory: str) -> None:
        from cryptography.hazmat.primitives import serialization

        from trailgate.approvals import sshsig

        path = os.path.join(directory, 'alice')
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path], check=True)
        with open(path + '.pub') as f:
            self.line = f.read().strip()
        with open(path, 'rb') as f:
            self.private = serialization.load_ssh_private_key(f.read(), None)
        self.blob = sshsig.parse_public_key(self.line)[1]

    def record(self, change: str) -> tuple[str, bytes]:
        """(ledger path, blob) of alice's approval of ``change``."""
        from trailgate.approvals import ledger
        from trailgate.approvals import records
        from trailgate.approvals import sshsig

        data = records.payload(change, 'alice@shop.example.com')
        raw = self.private.sign(sshsig.signed_data(records.NAMESPACE, 'sha512', data))  # type: ignore[union-attr]
        armored = sshsig.armor(b'SSHSIG' + struct.pack('>I', 1) + _string(self.blob)
                               + _string(records.NAMESPACE.encode()) + _string(b'') + _string(b'sha512')
                               + _string(_string(b'ssh-ed25519') + _string(raw)))
        record = records.Record(change, 'alice@shop.example.com', armored)
        return ledger.record_path(record), records.to_blob(record)


def server(directory: str, env: dict[str, str], signer: Signer) -> str:
    bare = os.path.join(directory, 'server.git')
    work = os.path.join(directory, 'work')
    benchlib.git(env, directory, 'init', '-q', '--bare', '-b', 'main', bare)
    benchlib.git(env, directory, 'init', '-q', '-b', 'main', work)
    os.makedirs(os.path.join(work, '.trailgate'))
    with open(os.path.join(work, '.trailgate', 'policy.yaml'), 'w') as f:
        f.write(POLICY)
    with open(os.path.join(work, '.trailgate', 'allowed_signers'), 'w') as f:
        f.write(f'alice@shop.example.com {signer.line}\n')
    benchlib.git(env, work, 'add', '.')
    benchlib.git(env, work, 'commit', '-q', '-m', 'Policy')
    benchlib.git(env, work, 'push', '-q', bare, 'main')
    return bare


def ledgers(bare: str, env: dict[str, str], records: list[tuple[str, bytes]], directory: str) -> dict[str, str]:
    """name -> ledger commit: the same records in one commit, in one commit
    each, and through a chain of merges; one stream for all of them."""
    lines: list[bytes] = []
    for mark, (_, blob) in enumerate(records, 1):
        lines.append(b'blob\nmark :%d\ndata %d\n%s\n' % (mark, len(blob), blob))
    mark = len(records)
    header = b'committer L <l@shop.example.com> 1767225600 +0000\ndata 7\nledger\n'

    def commit(ref: str, parents: list[bytes], entries: list[int]) -> int:
        nonlocal mark
        mark += 1
        text = b'commit %s\nmark :%d\n%s' % (ref.encode(), mark, header)
        if parents:
            text += b'from %s\n' % parents[0] + b''.join(b'merge %s\n' % p for p in parents[1:])
        text += b''.join(b'M 100644 :%d %s\n' % (n, records[n - 1][0].encode()) for n in entries)
        lines.append(text)
        return mark

    numbers = list(range(1, len(records) + 1))
    one = commit('refs/bench/one', [], numbers)
    tip = 0
    for number in numbers:
        tip = commit('refs/bench/deep', [b':%d' % tip] if tip else [], [number])
    deep = tip
    base = commit('refs/bench/base', [], [])
    tip = base
    for number in numbers:
        side = commit('refs/bench/side', [b':%d' % base], [number])
        tip = commit('refs/bench/chain', [b':%d' % tip, b':%d' % side], [number])
    lines.append(b'done\n')
    stream = os.path.join(directory, 'ledgers.stream')
    with open(stream, 'wb') as f:
        f.write(b''.join(lines))
    marks = os.path.join(directory, 'marks')
    with open(stream, 'rb') as f:
        subprocess.run(['git', 'fast-import', '--quiet', '--done', f'--export-marks={marks}'], cwd=bare, env=env,
                       stdin=f, check=True)
    with open(marks) as f:
        by_mark = dict(line.split() for line in f.read().splitlines())
    return {'one commit': by_mark[f':{one}'], 'a commit each': by_mark[f':{deep}'],
            'a chain of merges': by_mark[f':{tip}']}


def over_limit(bare: str, env: dict[str, str], count: int) -> str:
    """A ledger commit of ``count`` blobs at record-shaped paths (never read)."""
    lines = ['commit refs/bench/over\ncommitter L <l@shop.example.com> 1767225600 +0000\ndata 1\nx']
    for n in range(count):
        content = f'junk {n}'
        change = hashlib.sha256(content.encode()).hexdigest()
        lines.append(f'M 100644 inline {change[:2]}/{change}/{"0" * 64}\ndata {len(content)}\n{content}')
    lines.append('done\n')
    subprocess.run(['git', 'fast-import', '--quiet', '--done'], cwd=bare, env=env, check=True,
                   input='\n'.join(lines).encode())
    return benchlib.git(env, bare, 'rev-parse', 'refs/bench/over').decode().strip()


def measured(tree: str, bare: str, env: dict[str, str], new: str) -> benchlib.Run:
    for name in os.listdir(bare):
        if name.startswith('trailgate-'):
            os.unlink(os.path.join(bare, name))
    script = os.path.join(bare, 'stdin')
    with open(script, 'w') as f:
        f.write(f'{ZERO} {new} {LEDGER}\n')
    return benchlib.run_measured(('sh', '-c', 'exec "$0" -c "$1" "$2" pre-receive < "$3"',
                                  benchlib.PYTHON, HOOK, tree, script), bare, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--records', type=int, default=1000)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--against', metavar='DIR', help="another checkout's directory holding trailgate/")
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, here)
    from trailgate.approvals import intake

    trees = {'this': here, **({'against': os.path.abspath(args.against)} if args.against else {})}
    with tempfile.TemporaryDirectory(prefix='trailgate-ledger-bench-') as directory:
        env = benchlib.isolated_env(os.path.join(directory, 'home'))
        signer = Signer(directory)
        bare = server(directory, env, signer)
        records = [signer.record(hashlib.sha256(b'change %d' % n).hexdigest()) for n in range(args.records)]
        updates = ledgers(bare, env, records, directory)
        updates['over the limit'] = over_limit(bare, env, intake.MAX_RECORDS + 1)
        print(f'{args.records} records per update; load {benchlib.load()}')
        for tree in trees.values():  # compiles each tree's modules once, outside the measured runs
            measured(tree, bare, env, updates['a commit each'])
        rows = []
        cpu: dict[tuple[str, str], float] = {}
        worst_rss = 0.0
        for name, new in updates.items():
            for label, tree in trees.items():
                runs = [measured(tree, bare, env, new) for _ in range(args.repeats)]
                expected = 1 if name == 'over the limit' else 0
                if label == 'this' and any(run.returncode != expected for run in runs):
                    print(f'MISS: {name}: exit {runs[0].returncode}, not {expected}\n{runs[0].stderr.decode()}')
                    return 1
                cpu[(name, label)] = benchlib.median([run.cpu_seconds for run in runs])
                rss = max(run.maxrss_kb for run in runs) / 1024
                if label == 'this' and expected == 0:
                    worst_rss = max(worst_rss, rss)
                rows.append((name, label, f'{benchlib.median([run.seconds for run in runs]):.2f}',
                             f'{cpu[(name, label)]:.2f}', f'{rss:.1f}', runs[0].returncode))
        print(benchlib.table(('update', 'trailgate', 'wall s', 'CPU s', 'max RSS MB', 'exit'), rows))
        ratio = cpu[('a chain of merges', 'this')] / cpu[('one commit', 'this')]
        print(f'chain of merges / one commit, CPU: {ratio:.2f}x (budget {BUDGET_RATIO}x)')
        if args.against:
            before = cpu[('a chain of merges', 'against')] / cpu[('one commit', 'against')]
            print(f'against {args.against}: {before:.2f}x')
        print(f'worst max RSS of an accepted update: {worst_rss:.1f} MB (budget < {BUDGET_RSS_MB} MB)')
        ok = ratio <= BUDGET_RATIO and worst_rss < BUDGET_RSS_MB
        print('PASS' if ok else 'MISS')
        return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
