"""Helpers shared by the tests, one module per purpose (import them as ``support.<module>``).

- :mod:`support.paths`: the repository root (on ``sys.path``, for ``codegen``), where the
  recorded ASMX traffic lives (``../shared/reference`` next to the clone, or
  ``/work/shared/reference``) and a reader for its ``*.http`` files;
- :mod:`support.replay`: :class:`~support.replay.ReplayAdapter`, a ``requests`` transport
  adapter that answers from a script (recorded bytes, a canned reply, a function or an
  exception) and records what the client sent, so no test touches the network;
- :mod:`support.servers`: :class:`~support.servers.LocalServer`, a real HTTP server on
  127.0.0.1 for the few tests that need urllib3 itself, and a port with nothing listening;
- :mod:`support.envelopes`: SOAP namespaces, answers and faults as ASMX writes them, the
  client's request envelope, and a reader of faults;
- :mod:`support.xmltree`: a prefix- and indentation-blind comparison of XML trees;
- :mod:`support.zeepclient`: a zeep client of a generated service's WSDL, built offline;
- :mod:`support.wirevalues`: an lxml reader of recorded XML into the generated dataclasses,
  independent of ``removethebackground.core.codec``;
- :mod:`support.unchecked`: calls that bypass the client's overlay checks;
- :mod:`support.cassettes`: the cassettes' request matching as a predicate;
- :mod:`support.hostile`: a raw-socket server that misbehaves on purpose (resets, holds,
  truncates), for the transport and retry tests;
- :mod:`support.tls` / :mod:`support.pki`: a TLS server and CONNECT proxy, and a throwaway CA;
- :mod:`support.strategies`: hypothesis strategies of wire values;
- :mod:`support.calls`: one example call of every pixelz operation;
- :mod:`support.workflows`: a local file and webhook server for the workflows;
- :mod:`support.page_scene`: a populated sandbox for the page tests;
- :mod:`support.batch_child`: a script running a Batch in a child process (SIGKILL tests).

Names stay out of this package's namespace, so a test's imports say which helper it uses.
"""
