"""The layer contract of ``helpers`` (``[tool.importlinter]`` in pyproject.toml) holds.

Dependencies point one way: tools -> lessons -> client | standin -> contract | data; the client
never imports the stand-in, the lessons or a web framework; contract and data import nothing of
ours; no import cycles. ``lint-imports`` runs once, in process, on the package itself.
The second test keeps the contract complete: a new subpackage of helpers/ outside every
layer would be bound by nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_layer_contract_holds(capsys, monkeypatch):
    from importlinter import cli

    monkeypatch.chdir(ROOT)
    status = cli.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    report = capsys.readouterr().out
    assert status == 0, report
    assert "0 broken" in report, report


def test_every_part_of_helpers_sits_in_a_layer():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; CI's 3.12 job runs it
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.split("|")}
    parts = {
        p.stem if p.suffix == ".py" else p.name
        for p in (ROOT / "helpers").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert parts == named
