#!/usr/bin/env bash
# Install trailgate into .venv, build a demo repository, and run trailgate's
# main job there: an AI-assisted commit to a critical path is refused, then
# accepted once it carries the trailers the policy asks for.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

python3 -m venv "$here/.venv"
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$here"
export PATH="$here/.venv/bin:$PATH"

# The demo uses its own identity and ignores your git configuration.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
demo="$(mktemp -d)/shop"
git init --quiet -b main "$demo"
cd "$demo"
git config user.name "Jamie Junior"
git config user.email jamie@shop.example.com

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "trailgate init: a starter policy (tier-1 payments need two senior reviews, a change doc and a rollback plan)"
trailgate init
step "trailgate install: commit-msg, prepare-commit-msg and pre-push hooks"
trailgate install
git add .trailgate
git commit --quiet -m "Adopt trailgate" -m "Reviewed-by: Alice Archer <alice@shop.example.com>"

mkdir -p services/payments
printf 'def refund(order):\n    return gateway.refund(order, retries=3)\n' > services/payments/refund.py
git add services/payments/refund.py

step "An AI-assisted change to services/payments without sign-off: refused"
if git commit -m "Retry refunds on gateway timeout" \
        -m "Co-authored-by: Claude <noreply@anthropic.com>"; then
    echo "demo failed: the commit was accepted" >&2
    exit 1
fi

step "The same change with the trailers the policy asks for: accepted"
git commit -m "Retry refunds on gateway timeout" -m "Co-authored-by: Claude <noreply@anthropic.com>
Reviewed-by: Alice Archer <alice@shop.example.com>
Reviewed-by: Bob Builder <bob@shop.example.com>
Change-Doc: PAY-1234
Rollback-Plan: revert this commit and redeploy payments"

step "trailgate explain: why it passed"
trailgate explain

step "trailgate check: the same verdict over a range, as CI runs it"
trailgate check HEAD~1..HEAD
printf '\nDemo repository: %s\n' "$demo"
