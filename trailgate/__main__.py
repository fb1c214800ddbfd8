from __future__ import annotations

from trailgate.main import main

if __name__ == '__main__':
    raise SystemExit(main())
