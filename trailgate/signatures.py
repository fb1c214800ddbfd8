"""The built-in catalogue of real AI tools' commit marks.

Each entry is evidence-graded in ``../shared/reference/ai-signatures.md``
(SRC: the tool's source or docs; OBS: seen in real histories). Entries
match exact emails, exact bot logins, whole trailer values or anchored body
markers, never a bare first name: a human named Claude or Jules is not an AI.
"""
from __future__ import annotations

import re
from typing import NamedTuple

# where an identity is looked for: author, committer, a Co-authored-by or a
# Signed-off-by trailer (an AI agent must not sign off: one that does marks the commit)
ALL_PLACES = frozenset(('author', 'committer', 'co-author', 'sign-off'))
AUTHOR = frozenset(('author',))
CO_AUTHOR = frozenset(('co-author', 'sign-off'))
AUTHOR_OR_COMMITTER = frozenset(('author', 'committer'))


class LazyPattern:
    """A regex compiled at its first search: a commit meets few kinds of
    mark, so a hook compiles only the patterns it needs."""

    __slots__ = ('_compiled', 'flags', 'pattern')

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def search(self, text: str) -> re.Match[str] | None:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self.pattern, self.flags)
        return compiled.search(text)


class Signature(NamedTuple):
    id: str  # stable, kebab-case
    tool: str
    kind: str  # identity | trailer | marker
    pattern: LazyPattern
    evidence: str  # SRC | OBS | SEC
    key: str = ''  # trailer kind: the trailer key (case-insensitive)
    places: frozenset[str] = ALL_PLACES  # identity kind: where it counts
    emails: frozenset[str] = frozenset()  # identity kind: the exact emails, ASCII lower-case
    logins: frozenset[str] = frozenset()  # identity kind: GitHub App logins, lower-case, with any numeric id


_APP_EMAIL = re.compile(r'[0-9]+\+([^@]+\[bot\])@users\.noreply\.github\.com\Z')


def _identity(id: str, tool: str, email: str | tuple[str, ...], evidence: str,
              places: frozenset[str] = ALL_PLACES) -> Signature:
    """An identity whose email is exactly ``email`` (or one of them), case-insensitive.

    A GitHub App's address (``id+login[bot]@users.noreply.github.com``) also
    matches with another id or none: no person can hold a ``[bot]`` login, and
    squash merges have written ``gemini-code-assist[bot]@users.noreply.github.com``.
    (41898282+github-actions[bot] is still not claude[bot]: the login decides.)
    """
    emails = (email,) if isinstance(email, str) else email
    alternatives = '|'.join(re.escape(address) for address in emails)
    pattern = LazyPattern(rf'<(?:{alternatives})>\Z', re.IGNORECASE)
    folded = frozenset(address.lower() for address in emails)
    logins = frozenset(match[1] for match in map(_APP_EMAIL.match, folded) if match)
    return Signature(id, tool, 'identity', pattern, evidence, places=places, emails=folded, logins=logins)


def _app(id: str, tool: str, logins: tuple[str, ...], evidence: str) -> Signature:
    """A GitHub App whose id is not known: its noreply address with any
    numeric id, or none (``[id+]login@users.noreply.github.com``). A login
    ending in ``[bot]`` belongs to that App alone."""
    alternatives = '|'.join(re.escape(login) for login in logins)
    pattern = LazyPattern(rf'<(?:[0-9]+\+)?(?:{alternatives})@users\.noreply\.github\.com>\Z', re.IGNORECASE)
    return Signature(id, tool, 'identity', pattern, evidence, logins=frozenset(login.lower() for login in logins))


def _trailer(id: str, tool: str, key: str, value: str, evidence: str) -> Signature:
    """A ``key`` trailer (case-insensitive) whose value matches ``value``."""
    pattern = LazyPattern(value, re.IGNORECASE)
    return Signature(id, tool, 'trailer', pattern, evidence, key=key)


def _marker(id: str, tool: str, pattern: str, evidence: str,
            flags: int = re.MULTILINE) -> Signature:
    """A regex searched over the whole message; anchor it (``^`` or ``\\A``)."""
    return Signature(id, tool, 'marker', LazyPattern(pattern, flags), evidence)


def _bot(user_id: int, login: str) -> str:
    """The noreply email GitHub gives an App: numeric id and login together."""
    return f'{user_id}+{login}@users.noreply.github.com'


SIGNATURES: tuple[Signature, ...] = (
    # Claude Code. SRC: anthropics/claude-code CHANGELOG (2.0.60 model name in
    # Co-Authored-By, 2.1.9 session URL); OBS: claude-code-action and
    # gemini-cli histories (footer variants, web identity, Claude-Session).
    # The co-author name changes with the model, so the email is the key.
    _identity('claude-code-co-author', 'Claude Code', 'noreply@anthropic.com', 'SRC',
              places=CO_AUTHOR),
    _identity('claude-web-identity', 'Claude Code', 'noreply@anthropic.com', 'OBS',
              places=AUTHOR_OR_COMMITTER),
    _marker('claude-code-footer', 'Claude Code',
            r'^🤖 Generated with (?:Claude Code'
            r'|\[Claude Code\]\(https://claude\.(?:ai|com)/[^)\s]*\))', 'OBS'),
    _marker('claude-session', 'Claude Code',
            r'^(?:claude-session:[ \t]*)?https://claude\.ai/code/session_[A-Za-z0-9]+[ \t\r]*$',
            'SRC', re.MULTILINE | re.IGNORECASE),
    # claude-code-action. SRC: action.yml (bot_id default 41898282, which is
    # github-actions[bot]'s id: only together with the claude[bot] login) and
    # git-config.ts; the GitHub App's own id is 209825114.
    _identity('claude-bot', 'Claude Code (GitHub Action)',
              (_bot(209825114, 'claude[bot]'), _bot(41898282, 'claude[bot]')), 'SRC'),

    # GitHub Copilot: one numeric id per product. OBS: copilot-cli and
    # gemini-cli histories, github-mcp-server PR #1806, code-index commits.
    _identity('copilot-swe-agent', 'GitHub Copilot coding agent',
              _bot(198982749, 'Copilot'), 'OBS'),
    _trailer('copilot-agent-logs', 'GitHub Copilot coding agent', 'Agent-Logs-Url',
             r'\Ahttps://github\.com/[^/\s]+/[^/\s]+/sessions/[0-9a-f-]+', 'OBS'),
    _identity('copilot-suggestion', 'GitHub Copilot suggestions / Autofix',
              _bot(175728472, 'Copilot'), 'OBS'),
    # SRC: github/copilot-cli changelog.md (v0.0.410); OBS: commit 659586a.
    _identity('copilot-cli', 'GitHub Copilot CLI', _bot(223556219, 'Copilot'), 'SRC'),
    _trailer('copilot-cli-session', 'GitHub Copilot CLI', 'Copilot-Session',
             r'\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z', 'OBS'),
    # SRC: microsoft/vscode git.addAICoAuthor (PRs #296435, #310226, #313931).
    _identity('copilot-vscode', 'GitHub Copilot (VS Code)', 'copilot@github.com', 'SRC'),

    # OpenAI Codex. SRC: openai/codex command_attribution.rs (opt-in trailer);
    # OBS: claude-code history (Codex <codex@openai.com> as author).
    _identity('codex-co-author', 'OpenAI Codex', 'noreply@openai.com', 'SRC'),
    _identity('codex-identity', 'OpenAI Codex', 'codex@openai.com', 'OBS'),

    # Cursor. OBS: code-index commits, OpenHands and copilot-cli histories
    # (trailer and cloud-agent author); Made-with: the earlier trailer.
    _identity('cursor-agent', 'Cursor', 'cursoragent@cursor.com', 'OBS'),
    _trailer('cursor-made-with', 'Cursor', 'Made-with', r'\Acursor\Z', 'OBS'),

    # aider. SRC: aider-AI/aider aider/repo.py, aider/args.py, base_coder.py.
    # The "(aider)" name suffix counts on the author only: aider also puts it
    # on the committer of commits it makes for the user (/commit). The
    # co-author address changed between releases: noreply@aider.chat in
    # v0.83.0-v0.84.0 (repo.py at 1d4269082), aider@aider.chat from v0.85.0
    # (e2d3fc459); noreply@aider.dev was the unreleased first draft
    # (67bb4f955), left on 14 commits of aider's own history.
    _identity('aider-co-author', 'aider',
              ('aider@aider.chat', 'noreply@aider.chat', 'noreply@aider.dev'), 'SRC'),
    Signature('aider-author-name', 'aider', 'identity',
              LazyPattern(r'(?:\A| )\(aider\) <[^<>]*>\Z', re.IGNORECASE), 'SRC',
              places=AUTHOR),
    _marker('aider-subject-prefix', 'aider', r'\Aaider: ', 'SRC', 0),
    # Until its chat context was left out of commits, aider appended it under
    # this heading, with or without the prefix (aider/repo.py, where the line
    # now stands commented out). OBS: 304 commits of aider's own history, 7 without the prefix.
    _marker('aider-chat-transcript', 'aider', r'^# Aider chat conversation:[ \t\r]*$', 'SRC'),

    # Devin. OBS: charmbracelet/crush history, code-index commit texts.
    _identity('devin', 'Devin', _bot(158243242, 'devin-ai-integration[bot]'), 'OBS'),
    _marker('devin-footer', 'Devin',
            r'^Generated with \[Devin\]\(https://cli\.devin\.ai/docs\)', 'OBS'),

    # Google. OBS: gemini-cli, aider, ghostty, claude-code histories.
    _identity('jules', 'Jules', _bot(161369871, 'google-labs-jules[bot]'), 'OBS'),
    _identity('gemini-code-assist', 'Gemini Code Assist',
              _bot(176961590, 'gemini-code-assist[bot]'), 'OBS'),
    # The gemini-cli repository's "Bot Brain" workflow commits what Gemini CLI
    # wrote as gemini-cli[bot]. SRC: google-gemini/gemini-cli
    # .github/workflows/gemini-cli-bot-brain.yml. Its release bot,
    # gemini-cli-robot <gemini-cli-robot@google.com>, is no AI.
    _app('gemini-cli-bot', 'Gemini CLI (gemini-cli[bot] workflow)', ('gemini-cli[bot]',), 'SRC'),

    # Sourcegraph Amp. OBS: ghostty-org/ghostty history.
    _identity('amp', 'Amp', 'amp@ampcode.com', 'OBS'),
    _trailer('amp-thread', 'Amp', 'Amp-Thread-ID',
             r'\Ahttps://ampcode\.com/threads/T-[0-9a-f-]+', 'OBS'),

    # OpenHands (ex-OpenDevin). SRC: All-Hands-AI/OpenHands config, resolver,
    # system prompt; OBS: its history. Exact addresses, not @all-hands.dev.
    _identity('openhands', 'OpenHands',
              ('openhands@all-hands.dev', 'opendevin@all-hands.dev',
               'opendevin@opendevin.ai'), 'SRC'),

    # opencode. OBS: anomalyco/opencode issues #786, #919; crush history.
    _identity('opencode', 'opencode', 'noreply@opencode.ai', 'OBS'),
    # The Go opencode (opencode-ai/opencode, crush's ancestor) wrote the
    # footer without a link: crush history cc07f7a18 (its commit prompt),
    # commit 36172979b45f (no trailer block under git's rules).
    _marker('opencode-footer', 'opencode',
            r'^🤖 Generated with (?:\[opencode\]\(https://opencode\.ai/?\)|opencode[ \t\r]*$)', 'OBS'),

    # Crush. SRC: charmbracelet/crush bash.md.tpl, config.go, README.md.
    # noreply@crush.charm.land: OBS, crush history (1631766aa5da and 3 more, with the 💖 footer).
    _identity('crush', 'Crush', ('crush@charm.land', 'noreply@crush.charm.land'), 'SRC'),
    _marker('crush-footer', 'Crush', r'^(?:💘|💖|🤖) Generated with Crush\b', 'SRC'),
    # Its Assisted-by trailer names the model first: Crush:<model> (the kernel's
    # AGENT:MODEL form, the default) or, in older builds, "<model> via Crush
    # <crush@charm.land>". SRC: bash.md.tpl; OBS: crush history (44 and 37 commits).
    _trailer('crush-assisted-by', 'Crush', 'Assisted-by',
             r'\ACrush(?::|\Z)|[ \t]via Crush(?:[ \t]+<crush@charm\.land>)?\Z', 'SRC'),

    # Qwen Code. OBS: QwenLM/qwen-code issue #2899 and its test mocks.
    _identity('qwen-code', 'Qwen Code', 'qwen-coder@alibabacloud.com', 'OBS'),

    # Warp (Oz is its newer agent name). OBS: code-index commits, aider history.
    _identity('warp', 'Warp', ('agent@warp.dev', 'oz-agent@warp.dev'), 'OBS'),

    # Factory Droid. OBS: code-index commit texts.
    _identity('factory-droid', 'Factory Droid', _bot(138933559, 'factory-droid[bot]'), 'OBS'),

    # Replit Agent. OBS: code-index commit texts. "Deployment" is a publish
    # event, not AI authorship.
    _trailer('replit-agent', 'Replit Agent', 'Replit-Commit-Author',
             r'\A(?:agent|assistant)\Z', 'OBS'),

    # Sweep. SRC: sweepai/sweep sweepai/config/server.py (the App logins of
    # its production, nightly and canary builds; their numeric ids are not known).
    _app('sweep', 'Sweep', ('sweep-ai[bot]', 'sweep-nightly[bot]', 'sweep-canary[bot]'), 'SRC'),

    # block/aittributor, a prepare-commit-msg hook, writes "Ai-assisted: true"
    # beside the Co-authored-by of the agent it found running (SRC: its
    # src/git.rs); in-house conventions write "AI-Assisted: yes" (OBS). Neither
    # names the tool; aittributor's invented co-author addresses for tools with
    # no mark of their own (Windsurf, Cline, Goose...) are not matched.
    _trailer('ai-assisted-trailer', 'AI tool (Ai-assisted trailer)', 'Ai-assisted',
             r'\A(?:true|yes)\Z', 'SRC'),

    # Lovable (ex GPT Engineer). OBS: code-index texts (author
    # gpt-engineer-app[bot]; id 159125892 seen with that login in history
    # rewrites and scanner output).
    _identity('lovable', 'Lovable', _bot(159125892, 'gpt-engineer-app[bot]'), 'OBS'),
)
