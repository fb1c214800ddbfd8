"""``trailgate audit``: a report over history for the people who own the policy.

Layered like the gates: ``facts`` turns one ``Assessment`` (the pure core's
verdict) into the few facts the report needs, ``tally`` adds them up as the
history streams past (memory flat in the number of commits), and one module
per output renders the finished ``Summary``. Git I/O stays in
``trailgate.git``; ``forge`` only parses a remote URL.
"""
