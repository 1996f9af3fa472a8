"""The ``rtb`` command (also ``python -m removethebackground``).

Commands (``rtb COMMAND --help`` for each):

- ``rtb submit PATH_OR_URL... [--wait] [--download DIR]``: queue files, folders or URLs;
  optionally wait for them and download the cut-outs.
- ``rtb status TICKET...``, ``rtb wait TICKET...``, ``rtb download TICKET... --dest DIR``.
- ``rtb images`` (every page of GetImagesList), ``rtb products``, ``rtb templates``.
- ``rtb batch submit MANIFEST.csv | status JOURNAL | wait JOURNAL | download JOURNAL DIR``.
- ``rtb call OPERATION --param value ...``: any operation of either generation, built
  from the generated wire facts; ``rtb call --list`` lists them.
- ``rtb webhook serve``: receive, verify and print the service's notifications.
- ``rtb sandbox ...``: the local sandbox service (the ``sandbox`` extra).
- ``rtb config show | list | set KEY [VALUE] | unset KEY``: settings and profiles.

Settings come from flags, the environment and the config file, in that order (see
:mod:`removethebackground.cli.settings`). The API key is never printed, in any output
or error. Tables go to stdout for people; ``--json`` (on every command) prints JSON for
scripts. Progress bars go to stderr, and only when it is a terminal.

Exit codes:

====  =========================================================================
0     success
1     the work did not succeed (an image on hold, a download that failed, a
      missing extra)
2     usage error: unknown command or option, a bad value, no credentials,
      an unusable config file
3     the service answered with a fault (wrong key, unknown ticket, server fault)
4     transport failure: no usable answer (connection refused, bad HTTP status,
      malformed XML)
5     timeout, whatever timed out: no answer within ``--http-timeout`` (for
      ``submit`` too), ``--timeout`` ran out while waiting, a stalled download
130   interrupted (Ctrl+C), at any moment, start-up included
====  =========================================================================

Errors are one line on stderr, ``error: ...``, saying what to do; never a traceback,
never a rule's provenance (it stays on the exception). Commands of several tickets
report a ticket that fails on its own on a line of its own and go on with the others;
their exit code is the highest of the failures'. ``rtb -v`` logs the (redacted)
envelopes on stderr; ``_RTB_COMPLETE=bash_source rtb`` prints the shell completion.
The commands need the ``cli`` extra (click, rich); without it ``rtb`` says
``pip install ".[cli]"`` in the project's clone (the package is not on PyPI; ``rtb
sandbox`` still works with only the ``sandbox`` extra).

Modules: :mod:`.main` (the entry point, ``main``), :mod:`.app` (the root group, global
options, exit codes), one module per command group (:mod:`.submit`, :mod:`.images`,
:mod:`.batch`, :mod:`.call`, :mod:`.webhook`, :mod:`.sandbox`, :mod:`.config`), and
what they share: :mod:`.context` (exit codes, errors, the run's state), :mod:`.jobs`
(waiting, downloading, uploading), :mod:`.render` (tables, JSON, progress bars),
:mod:`.settings` and :mod:`.operations` (the commands of ``rtb call``). ``rtb --help``
and ``rtb GROUP --help`` import neither the client nor requests, lxml or rich.
"""
