"""How each figure of the audit was computed, one sentence each.

The same sentences go into every output (text, HTML and JSON), so that a
figure is never sent upward without the way it was made.
"""
from __future__ import annotations

from trailgate.audit.tally import LISTED
from trailgate.audit.tally import Summary

AI_SHARE = 'ai_share'
AI_LINES = 'ai_lines'
TOOLS = 'tools'
AUTHORS = 'authors'
DIRECTORIES = 'directories'
RULES = 'rules'
CRITICAL = 'critical'
REVIEWERS = 'reviewers'
UNREVIEWED = 'unreviewed'
OVERRIDES = 'overrides'
COVERAGE = 'coverage'


def methods(summary: Summary) -> dict[str, str]:
    period = summary.granularity
    unit = 'Monday-to-Sunday weeks' if period == 'week' else 'calendar months'
    found = {
        AI_SHARE: (
            f'Commits whose committer date (UTC) falls in each of the {unit}, and the share of them that '
            'carry an AI mark (a catalogue entry or the policy\'s ai section); shaded bands are the rules\' '
            'active windows, judged by the same commit date.'
        ),
        TOOLS: (
            'Commits per AI tool mark (catalogue id and tool name; a commit with marks of two tools counts '
            'for both); "no mark found" counts commits without any mark, which is not evidence that no AI '
            'was used.'
        ),
        AUTHORS: (
            'Commits and AI-marked commits per author email (in any case), as the author field of each '
            'commit states it (.mailmap is not applied: whoever pushes can write one).'
        ),
        DIRECTORIES: (
            'Commits touching each top-level directory (a commit counts once per directory it touches; '
            'merges by the paths their combined diff shows), leaving out paths the tip\'s .gitattributes '
            'marks linguist-generated or linguist-vendored.'
        ),
        RULES: (
            'Commits touching each rule\'s paths (policy-owners: commits changing the policy or signer '
            'file), and what became of the AI-marked ones under that rule of the policy named above, with '
            'each rule\'s active window judged by commit date; a commit that meets one rule and misses '
            'another counts as met under the first and unmet under the second.'
        ),
        CRITICAL: (
            'AI-marked commits touching a rule\'s paths (or, under policy_owners, the policy file): '
            'requirements met (reviewed with signed approvals, or by typed Reviewed-by trailers only, '
            'counted as the policy counts them), unmet (what this policy would refuse), let through by a '
            'valid break-glass trailer, or not required (the rule was outside its window or the author '
            'exempt).'
        ),
        REVIEWERS: (
            f'Reviews the policy counted (distinct group members, never the author; one per reviewer and '
            f'commit, typed or signed) per reviewer and per {period}; concentration is the busiest '
            'reviewer\'s share and how many reviewers together did 80% of them.'
        ),
        UNREVIEWED: (
            f'AI-marked commits touching a rule\'s paths (or the policy file) that this policy would '
            f'refuse, newest commit date first (at most {LISTED} listed), with each requirement they lack.'
        ),
        OVERRIDES: (
            'Commits carrying a valid break-glass trailer (an author in the override group, a non-empty '
            'reason); "inside a window" means it let through something a rule required.'
        ),
        COVERAGE: (
            'Likely squash merges are non-merge commits whose message says "Squashed commit of the '
            'following:" or whose subject ends in "(#N)" above a "* " list of commits; squashing often '
            'drops the AI marks of the commits inside, so their share is a lower bound.'
        ),
    }
    if summary.with_lines:
        found[AI_LINES] = (
            f'Lines added plus deleted (git numstat, no rename detection, binary files as 0) per '
            f'{period}, and the share in AI-marked commits; a merge counts no lines of its own, since its '
            'lines arrive with the commits it merges; generated and vendored paths are left out.'
        )
    return found
