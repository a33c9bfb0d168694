"""A pytest plugin loaded before the installed plugins, nbmake among them (``-p tests.startup``
in pyproject's addopts; pytest 8.4 or later applies ``pythonpath`` before it, so `pytest` finds it).

It keeps ``rfc3987_syntax`` from being imported in the test processes. jsonschema imports it,
if installed, to check the "iri" string format; nbformat imports jsonschema, and nbmake
imports nbformat as pytest starts, so every process of the suite (the controller and each
xdist worker) paid for it: the module builds an Earley parser for RFC 3987 at import, 2.5 to
2.7 s of CPU on the two-core machine of 2026-12-03 (``python -X importtime -c "import
nbmake.pytest_plugin"``), about 13 CPU-s a run with four workers. No schema the suite
validates uses the "iri" format (nbformat's notebook schemas have no "format" keyword), so
jsonschema, finding no module, simply leaves that one format unchecked, as it does wherever
the package is not installed. The package stays installed for JupyterLab (jupyter-events
requires it), which starts in its own process and still imports it.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: `import` raises ImportError


def pytest_configure(config) -> None:
    """Fork the notebook runs' kernels from a warm process (tests/forked_kernels.py)."""
    from tests.forked_kernels import use_forked_kernels

    use_forked_kernels()
