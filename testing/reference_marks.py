"""The marks real AI tools write, as ``shared/reference/ai-signatures.md`` records them.

One row per form of a mark in its section (a) (and the project-policy
disclosure trailers of section (b)): the message, author and committer
byte for byte as the tool writes them, and what ``detect`` must report for
it: the catalogue id (or policy source), the tool it names and where the mark
was found. ``LOOK_ALIKES`` are section (d)'s false-positive risks: commits
that carry a tool's name, or another bot's identity, and no AI mark.
"""
from __future__ import annotations

from typing import NamedTuple

HUMAN = 'Dev Eloper <dev@example.com>'
# one rule over every path, for every AI-assisted commit: a commit is refused exactly when it is marked
CATCH_ALL_POLICY = """\
version: 1
groups:
  senior: [alice@example.com]
rules:
  - id: any-ai
    paths: ["**"]
    applies_to: ai-assisted
    require:
      reviews: {group: senior}
"""


class Mark(NamedTuple):
    id: str  # the test id: tool and form
    source: str  # the catalogue id, or the policy's source
    tool: str
    where: str  # where explain says it was found
    message: str
    author: str = HUMAN
    committer: str | None = None  # None: the author


class LookAlike(NamedTuple):
    id: str
    message: str
    author: str = HUMAN
    committer: str | None = None


def trailers(*lines: str) -> str:
    """A message whose last paragraph is the trailer block ``lines``."""
    return 'Fix the parser\n\nHandle empty input.\n\n' + '\n'.join(lines) + '\n'


def _bot(user_id: int, login: str) -> str:
    return f'{login} <{user_id}+{login}@users.noreply.github.com>'


CO = 'Co-authored-by trailer'
CLAUDE_BOT = _bot(209825114, 'claude[bot]')
CLAUDE_ACTION_BOT = 'claude[bot] <41898282+claude[bot]@users.noreply.github.com>'
SWE_AGENT = 'copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>'
DEVIN = '158243242+devin-ai-integration[bot]@users.noreply.github.com'
JULES = _bot(161369871, 'google-labs-jules[bot]')
UUID = '0b5c9a3e-1f2d-4c6b-9e8a-7d6f5e4c3b2a'

CLAUDE_CODE = 'Claude Code'
COPILOT_AGENT = 'GitHub Copilot coding agent'
COPILOT_SUGGESTION = 'GitHub Copilot suggestions / Autofix'

MARKS: tuple[Mark, ...] = (
    # Claude Code
    Mark('claude-trailer-before-2.0.60', 'claude-code-co-author', CLAUDE_CODE, CO,
         trailers('Co-Authored-By: Claude <noreply@anthropic.com>')),
    Mark('claude-trailer-model', 'claude-code-co-author', CLAUDE_CODE, CO,
         trailers('Co-Authored-By: Claude Opus 4.6 <noreply@anthropic.com>')),
    Mark('claude-trailer-model-context', 'claude-code-co-author', CLAUDE_CODE, CO,
         trailers('Co-Authored-By: Claude Opus 4.6 (1M context) <noreply@anthropic.com>')),
    Mark('claude-trailer-sonnet', 'claude-code-co-author', CLAUDE_CODE, CO,
         trailers('Co-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>')),
    Mark('claude-footer-claude-ai', 'claude-code-footer', CLAUDE_CODE, 'message line 3',
         'Fix the parser\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\n'
         'Co-Authored-By: Claude <noreply@anthropic.com>\n'),
    Mark('claude-footer-claude-com', 'claude-code-footer', CLAUDE_CODE, 'message line 5',
         'Fix the parser\n\nHandle empty input.\n\n'
         '🤖 Generated with [Claude Code](https://claude.com/claude-code)\n'),
    Mark('claude-footer-plain', 'claude-code-footer', CLAUDE_CODE, 'message line 3',
         'Fix the parser\n\n🤖 Generated with Claude Code\n'),
    Mark('claude-session-trailer', 'claude-session', CLAUDE_CODE, 'message line 5',
         trailers('Claude-Session: https://claude.ai/code/session_01AbCdEf23GhIj')),
    Mark('claude-session-bare-url', 'claude-session', CLAUDE_CODE, 'message line 5',
         trailers('https://claude.ai/code/session_01AbCdEf23GhIj')),
    Mark('claude-web-author-committer', 'claude-web-identity', CLAUDE_CODE, 'author',
         'Fix the parser\n', 'Claude <noreply@anthropic.com>'),
    Mark('claude-code-identity', 'claude-web-identity', CLAUDE_CODE, 'committer',
         'Fix the parser\n', HUMAN, 'Claude Code <noreply@anthropic.com>'),
    Mark('claude-bot-app-id', 'claude-bot', 'Claude Code (GitHub Action)', 'author',
         trailers('Co-authored-by: octocat <583231+octocat@users.noreply.github.com>'), CLAUDE_BOT),
    Mark('claude-bot-action-default-id', 'claude-bot', 'Claude Code (GitHub Action)', 'author',
         'Fix the parser\n', CLAUDE_ACTION_BOT),
    Mark('claude-bot-squash', 'claude-bot', 'Claude Code (GitHub Action)', CO,
         trailers(f'Co-authored-by: {CLAUDE_BOT}')),
    Mark('claude-bot-custom-id', 'claude-bot', 'Claude Code (GitHub Action)', 'author',  # the Action's bot_id input
         'Fix the parser\n', 'claude[bot] <123456+claude[bot]@users.noreply.github.com>'),
    # GitHub Copilot: coding agent, suggestions / Autofix, CLI, VS Code
    Mark('copilot-agent-initial-plan', 'copilot-swe-agent', COPILOT_AGENT, 'committer',
         'Initial plan\n', SWE_AGENT, SWE_AGENT),
    Mark('copilot-agent-logs-url', 'copilot-agent-logs', COPILOT_AGENT, 'Agent-Logs-Url trailer',
         trailers(f'Agent-Logs-Url: https://github.com/octo/repo/sessions/{UUID}',
                  'Co-authored-by: octocat <583231+octocat@users.noreply.github.com>'), SWE_AGENT, SWE_AGENT),
    Mark('copilot-agent-squash', 'copilot-swe-agent', COPILOT_AGENT, CO,
         trailers(f'Co-authored-by: {SWE_AGENT}')),
    Mark('copilot-suggestion', 'copilot-suggestion', COPILOT_SUGGESTION, CO,
         trailers('Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>')),
    Mark('copilot-autofix', 'copilot-suggestion', COPILOT_SUGGESTION, CO,
         'Potential fix for pull request finding\n\n'
         'Co-authored-by: Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>\n'),
    Mark('copilot-cli-trailer', 'copilot-cli', 'GitHub Copilot CLI', CO,
         trailers('Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>')),
    Mark('copilot-cli-session', 'copilot-cli-session', 'GitHub Copilot CLI', 'Copilot-Session trailer',
         trailers('Copilot-Session: 3f2c1b0a-9d8e-4f7a-8b6c-5d4e3f2a1b0c')),
    Mark('copilot-vscode', 'copilot-vscode', 'GitHub Copilot (VS Code)', CO,
         trailers('Co-authored-by: Copilot <copilot@github.com>')),
    # OpenAI Codex
    Mark('codex-trailer', 'codex-co-author', 'OpenAI Codex', CO,
         trailers('Co-authored-by: Codex <noreply@openai.com>')),
    Mark('codex-trailer-custom-label', 'codex-co-author', 'OpenAI Codex', CO,
         trailers('Co-authored-by: Team Bot via Codex <noreply@openai.com>')),
    Mark('codex-identity', 'codex-identity', 'OpenAI Codex', 'author',
         'Fix the parser\n', 'Codex <codex@openai.com>'),
    # Cursor
    Mark('cursor-trailer', 'cursor-agent', 'Cursor', CO,
         trailers('Co-authored-by: Cursor <cursoragent@cursor.com>')),
    Mark('cursor-made-with', 'cursor-made-with', 'Cursor', 'Made-with trailer', trailers('Made-with: Cursor')),
    Mark('cursor-cloud-agent', 'cursor-agent', 'Cursor', 'committer',
         'Fix the parser\n', 'Cursor Agent <cursoragent@cursor.com>'),
    Mark('cursor-agent-squash', 'cursor-agent', 'Cursor', CO,
         trailers('Co-authored-by: Cursor Agent <cursoragent@cursor.com>')),
    # aider: trailer (v0.83 on), name suffix (v0.39-v0.84), subject prefix (to v0.38)
    Mark('aider-trailer', 'aider-co-author', 'aider', CO,
         trailers('Co-authored-by: aider (anthropic/claude-sonnet-4-20250514) <aider@aider.chat>')),
    Mark('aider-trailer-unknown-model', 'aider-co-author', 'aider', CO,
         trailers('Co-authored-by: aider (unknown-model) <aider@aider.chat>')),
    Mark('aider-trailer-v0.83', 'aider-co-author', 'aider', CO,
         trailers('Co-authored-by: aider (gemini/gemini-2.5-pro) <noreply@aider.chat>')),
    # PR #3789's first draft: left on 14 commits of aider's own history
    Mark('aider-trailer-draft', 'aider-co-author', 'aider', CO,
         trailers('Co-authored-by: aider (gpt-4o) <noreply@aider.dev>')),
    Mark('aider-author-suffix-any-case', 'aider-author-name', 'aider', 'author',
         'Fix the parser\n', 'Dev Eloper (Aider) <dev@example.com>', HUMAN),
    Mark('aider-author-suffix', 'aider-author-name', 'aider', 'author',
         'Fix the parser\n', 'Dev Eloper (aider) <dev@example.com>', HUMAN),
    Mark('aider-author-committer-suffix', 'aider-author-name', 'aider', 'author',
         'Fix the parser\n', 'Dev Eloper (aider) <dev@example.com>', 'Dev Eloper (aider) <dev@example.com>'),
    Mark('aider-subject-prefix', 'aider-subject-prefix', 'aider', 'message line 1',
         'aider: Fix the parser\n\n# Aider chat conversation:\n\nUSER: fix it\n'),
    Mark('aider-chat-transcript', 'aider-chat-transcript', 'aider', 'message line 3',
         'Add a Join Discord badge\n\n# Aider chat conversation:\n\nUSER: make the badge blue\n'),
    # Google: the gemini-cli repository's Gemini CLI bot, Gemini Code Assist, Jules
    Mark('gemini-cli-bot', 'gemini-cli-bot', 'Gemini CLI (gemini-cli[bot] workflow)', 'author',
         'Fix the parser\n', 'gemini-cli[bot] <gemini-cli[bot]@users.noreply.github.com>'),
    Mark('gemini-code-assist', 'gemini-code-assist', 'Gemini Code Assist', CO,
         trailers(f'Co-authored-by: {_bot(176961590, "gemini-code-assist[bot]")}')),
    Mark('gemini-code-assist-without-id', 'gemini-code-assist', 'Gemini Code Assist', CO,  # gemini-cli 4848f42486c9
         trailers('Co-authored-by: gemini-code-assist[bot] <gemini-code-assist[bot]@users.noreply.github.com>')),
    Mark('jules-author', 'jules', 'Jules', 'author', 'Fix the parser\n', JULES),
    Mark('jules-squash', 'jules', 'Jules', CO, trailers(f'Co-authored-by: {JULES}')),
    # Devin
    Mark('devin-cloud-author', 'devin', 'Devin', 'author', 'Fix the parser\n', f'Devin AI <{DEVIN}>'),
    Mark('devin-cloud-committer', 'devin', 'Devin', 'committer',
         'Fix the parser\n', HUMAN, f'devin-ai-integration[bot] <{DEVIN}>'),
    Mark('devin-cli-footer-trailer', 'devin', 'Devin', CO,
         'Fix the parser\n\nGenerated with [Devin](https://cli.devin.ai/docs)\n\n'
         f'Co-Authored-By: Devin <{DEVIN}>\n'),
    Mark('devin-cli-footer-joined', 'devin-footer', 'Devin', 'message line 3',
         'Fix the parser\n\nGenerated with [Devin](https://cli.devin.ai/docs)\n'
         f'Co-Authored-By: Devin <{DEVIN}>\n'),
    # other agents with a verified mark
    Mark('amp-trailer', 'amp', 'Amp', CO, trailers('Co-authored-by: Amp <amp@ampcode.com>')),
    Mark('amp-thread', 'amp-thread', 'Amp', 'Amp-Thread-ID trailer',
         trailers(f'Amp-Thread-ID: https://ampcode.com/threads/T-{UUID}')),
    Mark('openhands-identity', 'openhands', 'OpenHands', 'author',
         'Fix the parser\n', 'openhands <openhands@all-hands.dev>'),
    Mark('openhands-older', 'openhands', 'OpenHands', 'author',
         'Fix the parser\n', 'OpenHands <opendevin@all-hands.dev>'),
    Mark('opendevin', 'openhands', 'OpenHands', 'author', 'Fix the parser\n', 'OpenDevin <opendevin@opendevin.ai>'),
    Mark('openhands-trailer', 'openhands', 'OpenHands', CO,
         trailers('Co-authored-by: openhands <openhands@all-hands.dev>')),
    Mark('openhands-claude-trailer', 'openhands', 'OpenHands', CO,
         trailers('Co-authored-by: OpenHands-Claude <openhands@all-hands.dev>')),
    Mark('opencode-footer', 'opencode-footer', 'opencode', 'message line 3',
         'Fix the parser\n\n🤖 Generated with [opencode](https://opencode.ai)\n\n'
         'Co-Authored-By: opencode <noreply@opencode.ai>\n'),
    Mark('opencode-trailer', 'opencode', 'opencode', CO,
         'Fix the parser\n\n🤖 Generated with [opencode](https://opencode.ai)\n\n'
         'Co-Authored-By: opencode <noreply@opencode.ai>\n'),
    Mark('crush-assisted-by', 'crush-assisted-by', 'Crush', 'Assisted-by trailer',
         'Fix the parser\n\n💘 Generated with Crush\n\nAssisted-by: Crush:glm-4.6\n'),
    Mark('crush-footer', 'crush-footer', 'Crush', 'message line 3',
         'Fix the parser\n\n💘 Generated with Crush\n\nAssisted-by: Crush:glm-4.6\n'),
    Mark('crush-co-authored-by', 'crush', 'Crush', CO,
         'Fix the parser\n\n💘 Generated with Crush\n\nCo-Authored-By: Crush <crush@charm.land>\n'),
    Mark('crush-noreply', 'crush', 'Crush', CO,
         'Fix the parser\n\n💖 Generated with Crush\n\nCo-Authored-By: Crush <noreply@crush.charm.land>\n'),
    Mark('crush-charm-crush', 'crush', 'Crush', CO, trailers('Co-Authored-By: Charm Crush <crush@charm.land>')),
    Mark('crush-via', 'crush-assisted-by', 'Crush', 'Assisted-by trailer',
         trailers('Assisted-by: Claude Sonnet 4.5 via Crush <crush@charm.land>')),
    Mark('crush-sparkling-heart', 'crush-footer', 'Crush', 'message line 3',
         'Fix the parser\n\n💖 Generated with Crush\n'),
    Mark('crush-robot', 'crush-footer', 'Crush', 'message line 3', 'Fix the parser\n\n🤖 Generated with Crush\n'),
    Mark('qwen-code', 'qwen-code', 'Qwen Code', CO,
         trailers('Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>')),
    Mark('warp', 'warp', 'Warp', CO, trailers('Co-Authored-By: Warp <agent@warp.dev>')),
    Mark('warp-oz', 'warp', 'Warp', CO, trailers('Co-Authored-By: Oz <oz-agent@warp.dev>')),
    Mark('factory-droid', 'factory-droid', 'Factory Droid', CO,
         trailers(f'Co-authored-by: {_bot(138933559, "factory-droid[bot]")}')),
    Mark('replit-agent', 'replit-agent', 'Replit Agent', 'Replit-Commit-Author trailer',
         'Published your App\n\nReplit-Commit-Author: Agent\n'
         'Replit-Commit-Session-Id: 6e0c2a4f-1b3d-4e5f-8a7b-9c0d1e2f3a4b\n'
         'Replit-Commit-Checkpoint-Type: full_checkpoint\n'),
    Mark('replit-assistant', 'replit-agent', 'Replit Agent', 'Replit-Commit-Author trailer',
         trailers('Replit-Commit-Author: Assistant')),
    Mark('lovable', 'lovable', 'Lovable', 'author', 'Changes\n', _bot(159125892, 'gpt-engineer-app[bot]')),
    Mark('sweep', 'sweep', 'Sweep', 'author', 'Fix the parser\n', _bot(128439000, 'sweep-ai[bot]')),
    Mark('sweep-nightly', 'sweep', 'Sweep', CO, trailers(f'Co-authored-by: {_bot(129000001, "sweep-nightly[bot]")}')),
    Mark('sweep-canary', 'sweep', 'Sweep', 'author', 'Fix the parser\n', _bot(129000002, 'sweep-canary[bot]')),
    # third-party hooks: aittributor names the agent it found and adds Ai-assisted
    Mark('aittributor-claude', 'claude-code-co-author', CLAUDE_CODE, CO,
         trailers('Co-authored-by: Claude Code <noreply@anthropic.com>', 'Ai-assisted: true')),
    Mark('aittributor-unverified-agent', 'ai-assisted-trailer', 'AI tool (Ai-assisted trailer)',
         'Ai-assisted trailer', trailers('Co-authored-by: Windsurf <noreply@codeium.com>', 'Ai-assisted: true')),
    Mark('in-house-ai-assisted', 'ai-assisted-trailer', 'AI tool (Ai-assisted trailer)',
         'AI-Assisted trailer', trailers('AI-Assisted: yes')),
    # the contract: the last paragraph's trailer block counts, whatever the subject says
    Mark('revert-ending-with-the-ai-trailer', 'claude-code-co-author', CLAUDE_CODE, CO,
         'Revert "Retry the charge"\n\nThis reverts commit 9ad34d28eee7b010ecb0185e289f00cc9ed9d558.\n\n'
         'Co-authored-by: Claude <noreply@anthropic.com>\n'),
    Mark('github-squash-merge', 'claude-code-co-author', CLAUDE_CODE, CO,
         'Retry card charges (#12)\n\n* Retry the charge\n\n* Cache the card token\n\n---------\n\n'
         'Co-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Alice Archer <alice@example.com>\n'),
    # project policies: the default disclosure trailers name the tool in their value
    Mark('kernel-assisted-by', 'ai.disclosure_trailers', 'Claude:claude-3-opus coccinelle sparse',
         'Assisted-by trailer',
         trailers('Assisted-by: Claude:claude-3-opus coccinelle sparse',
                  'Signed-off-by: Dev Eloper <dev@example.com>')),
    Mark('asf-generated-by', 'ai.disclosure_trailers', 'ChatGPT 4o', 'Generated-by trailer',
         trailers('Generated-by: ChatGPT 4o')),
    Mark('openinfra-generated-by', 'ai.disclosure_trailers', 'claude-code claude-opus-4', 'Generated-By trailer',
         trailers('Generated-By: claude-code claude-opus-4')),
)

LOOK_ALIKES: tuple[LookAlike, ...] = (
    # a tool's name in prose (d.7)
    LookAlike('names-in-prose',
              'Fix cursor position after copilot suggestion\n\n'
              'Claude from QA found it while testing the gemini and devin backends;\n'
              'aider users saw it too. Regenerated with `poetry update`.\n'),
    LookAlike('codex-in-subject', 'codex: index the codex tables\n'),
    LookAlike('aider-mid-subject', 'docs: how to use aider: a guide\n'),
    # people named after tools (d.1)
    LookAlike('human-called-claude', trailers('Co-Authored-By: Claude Martin <claude.martin@example.org>')),
    LookAlike('human-called-jules', 'Fix the parser\n', 'Jules YZERD <jules@example.org>'),
    LookAlike('human-called-devin', 'Fix the parser\n', 'Devin Smith <devin@adevinta.example>'),
    # vendor staff (d.2) and the humans agents add as co-authors (d.4)
    LookAlike('vendor-staff', trailers('Co-authored-by: Ashwin <ashwin@anthropic.com>'), 'Sam <sam@openai.com>'),
    LookAlike('requester-co-author', trailers('Co-authored-by: octocat <583231+octocat@users.noreply.github.com>')),
    # bots that are not AI (d.5)
    LookAlike('dependabot',
              'Bump requests from 2.31.0 to 2.32.0\n\nBumps requests.\n\n---\nupdated-dependencies:\n'
              '- dependency-name: requests\n  dependency-type: direct:production\n...\n\n'
              'Signed-off-by: dependabot[bot] <support@github.com>\n',
              _bot(49699333, 'dependabot[bot]'), 'GitHub <noreply@github.com>'),
    LookAlike('renovate', 'Update dependency ruff to v0.6.0\n', _bot(29139614, 'renovate[bot]')),
    LookAlike('github-actions', 'Release v1.2.3\n', _bot(41898282, 'github-actions[bot]')),
    LookAlike('gemini-release-bot', 'chore(release): v0.9.0\n', 'gemini-cli-robot <gemini-cli-robot@google.com>'),
    # a rule quoted in a body, not in the last paragraph (d.7)
    LookAlike('quoted-rule',
              'Document commit rules\n\nNever add\nCo-Authored-By: Claude <noreply@anthropic.com>\n'
              'nor `🤖 Generated with [Claude Code](https://claude.ai/code)`.\n\n'
              'Signed-off-by: Dev Eloper <dev@example.com>\n'),
    # a revert quoting the AI commit's trailer above its own last paragraph
    LookAlike('revert-quoting-the-trailer',
              'Revert "Retry the charge"\n\nThis reverts commit 9ad34d28eee7b010ecb0185e289f00cc9ed9d558,\n'
              'which said:\n\n    Co-authored-by: Claude <noreply@anthropic.com>\n\n'
              'Signed-off-by: Dev Eloper <dev@example.com>\n'),
    # marks that do not prove AI authorship (d.8) and placeholders (d.9)
    LookAlike('aider-commit-of-user-changes', 'Update the notes\n', HUMAN, 'Dev Eloper (aider) <dev@example.com>'),
    LookAlike('replit-deployment', trailers('Replit-Commit-Author: Deployment')),
    LookAlike('claude-flow', trailers('Co-Authored-By: claude-flow <ruv@ruv.net>')),
    LookAlike('codex-placeholder', 'Fix the parser\n', 'Codex Test <codex@example.com>'),
    # tools with no verified mark: the addresses only other lists (or aittributor) give them
    LookAlike('unverified-addresses',
              trailers('Co-authored-by: Gemini CLI Agent <gemini-cli-agent@google.com>',
                       'Co-authored-by: Gemini CLI <gemini-cli@google.com>',
                       'Co-authored-by: Jules <jules@google.com>',
                       'Co-authored-by: Windsurf <windsurf@codeium.com>',
                       'Co-authored-by: Windsurf <noreply@codeium.com>',
                       'Co-authored-by: Windsurf <noreply@windsurf.ai>',
                       'Co-authored-by: Cascade <cascade@windsurf.ai>',
                       'Co-authored-by: Cline <noreply@cline.bot>',
                       'Co-authored-by: Junie <junie@jetbrains.com>',
                       'Co-authored-by: Trae <traecli@bytedance.com>',
                       'Co-authored-by: Goose <opensource@block.xyz>',
                       'Co-authored-by: GitHub Copilot <noreply@github.com>',
                       'Co-authored-by: Amazon Q Developer <noreply@amazon.com>',
                       'Co-authored-by: Pi <noreply@pi.dev>')),
    LookAlike('unverified-bots',
              trailers(*(f'Co-authored-by: {_bot(user_id, login)}' for user_id, login in (
                  (208079219, 'amazon-q-developer[bot]'), (205137888, 'cline[bot]'), (230936708, 'continue[bot]'),
                  (201248094, 'sourcegraph-cody[bot]'), (220155983, 'jetbrains-ai[bot]'),
                  (136622811, 'coderabbitai[bot]'), (240665456, 'kilo-code-bot[bot]'), (206951365, 'cursor[bot]'),
                  (199175422, 'chatgpt-codex-connector[bot]'), (1, 'v0[bot]'), (2, 'charliecreates[bot]'),
                  (3, 'roomote[bot]'))))),
    LookAlike('unverified-trailers',
              trailers('Entire-Session: 0b5c9a3e', 'Entire-Agent: claude-code', 'Claude-Workflow: review',
                       'Copilot-Workspace: yes', 'Codex-Task: 12')),
    LookAlike('disclosure-declined', trailers('Assisted-by: none', 'Generated-by: N/A', 'Assisted-by: no')),
)
