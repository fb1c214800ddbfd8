#!/usr/bin/env python3
"""Differential fuzzing of trailgate.trailers against real git.

Runs ``parse_trailers`` over N random messages (half from the corpus
generators, half random mutations of them; a quarter of the batches use
``core.commentChar=;``) and compares each with what git reports for the same
message stored verbatim as a commit: ``git fast-import`` plus one
``git log --format=%(trailers:unfold,only)`` per batch. A small sample also
goes straight through ``git interpret-trailers --parse --no-divider``.

Prints ``examples=N disagreements=K`` and the first few disagreements; exits 1
if there are any.

    .venv/bin/python benchmarks/fuzz_trailers.py [-n 20000] [--seed 0]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testing import trailer_corpus as corpus
from trailgate.trailers import parse_trailers


def ours(message: str, comment_char: str) -> bytes:
    return corpus.trailer_lines_bytes(parse_trailers(message, comment_char))


def batch_messages(seed: int, size: int, comment_char: str) -> list[str]:
    generator = corpus.MessageGenerator(seed, comment_char)
    generated = generator.messages(size - size // 2)
    rng = random.Random(seed ^ 0x5EED)
    mutated = [corpus.mutate(rng, rng.choice(generated), generated, comment_char)
               for _ in range(size // 2)]
    return generated + mutated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('-n', '--examples', type=int, default=20_000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--batch', type=int, default=5000)
    parser.add_argument('--direct', type=int, default=300,
                        help='messages also run one by one through interpret-trailers')
    parser.add_argument('--show', type=int, default=5)
    args = parser.parse_args(argv)

    started = time.monotonic()
    disagreements: list[tuple[str, str, bytes, bytes]] = []
    examples = direct = 0
    direct_pool: list[tuple[str, str]] = []
    with corpus.GitOracle() as oracle:
        for number, start in enumerate(range(0, args.examples, args.batch)):
            size = min(args.batch, args.examples - start)
            comment_char = ';' if number % 4 == 3 else '#'
            messages = batch_messages(args.seed * 1_000_003 + number, size, comment_char)
            from_git = oracle.log_trailers(messages, comment_char)
            for message, git in zip(messages, from_git, strict=True):
                mine = ours(corpus.git_log_view(message), comment_char)
                if git != mine:
                    disagreements.append(('git log', message, git, mine))
            examples += size
            direct_pool += [(m, comment_char) for m in messages[: args.direct]]
        rng = random.Random(args.seed)
        for message, comment_char in rng.sample(direct_pool, min(args.direct, len(direct_pool))):
            git = oracle.interpret_trailers(message, comment_char)
            mine = ours(message, comment_char)
            if git != mine:
                disagreements.append(('interpret-trailers', message, git, mine))
            direct += 1

    elapsed = time.monotonic() - started
    print(f'examples={examples} disagreements={len(disagreements)} '
          f'(of which {direct} also via interpret-trailers; {elapsed:.1f} s)')
    for path, message, git, mine in disagreements[: args.show]:
        print(f'--- via {path}\nmessage: {message!r}\n    git: {git!r}\n   ours: {mine!r}')
    return 1 if disagreements else 0


if __name__ == '__main__':
    sys.exit(main())
