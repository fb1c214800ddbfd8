"""orjson, imported with Ctrl-C held back.

A KeyboardInterrupt raised while orjson's extension module initialises
(it imports Python modules as it does) leaves it half made, and the
process dies of a segmentation fault, not of the interrupt: ``check``
imports it while git starts up, where a Ctrl-C lands often enough. SIGINT
is blocked for the import and delivered as soon as it is done.
"""
from __future__ import annotations

from typing import Any

# the builtin module: ``signal`` builds enums that this import does not need
_SIGNALS: Any = __import__('_signal')


def load() -> bool:
    """Import orjson (if not yet imported); is it installed? A caller's
    ``import orjson`` that follows finds it made."""
    blocked = _SIGNALS.pthread_sigmask(_SIGNALS.SIG_BLOCK, {_SIGNALS.SIGINT})
    try:
        import orjson  # noqa: F401
    except ImportError:
        return False
    finally:
        _SIGNALS.pthread_sigmask(_SIGNALS.SIG_SETMASK, blocked)
    return True
