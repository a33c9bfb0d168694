"""``python -m helpers.doctor --scan PATH``: lines that still use the retired host or removed names.

Each finding names the line, what is wrong with it and the line to write instead; the scan
only reads the file (no settings, no request).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .. import contract
from . import CLASSIC_NB, Report

# pattern: what is wrong with a line that matches it, and what to write instead
SCAN_RULES = {
    r"api-inference\.huggingface\.co": "calls the retired host (410 Gone, now reportedly no DNS); write instead https://router.huggingface.co/v1/chat/completions for chat, or https://router.huggingface.co/hf-inference/models/<model> for a classic task of a model hf-inference serves (gpt2 is served by none: your own Endpoint)",
    r"\bInferenceApi\b": "uses InferenceApi, removed in huggingface_hub 1.0; write instead InferenceClient(provider=..., api_key=os.environ['HF_TOKEN'])",
    r"huggingface-cli": "uses huggingface-cli, removed in huggingface_hub 1.0; write instead hf auth login",
    r"\bstop_sequences\b": 'sends stop_sequences, a pre-2024 name TGI ignores; write instead "stop": [...]',
    r"wait_for_model|use_cache|[Xx]-[Ww]ait-[Ff]or-[Mm]odel|use_gpu": "sends a legacy option the router ignores (warm models only): drop it",
    r"\bmax_time\b|\bnum_return_sequences\b": 'sends a parameter that is not in today\'s text-generation spec; write instead "max_new_tokens": N (one answer per request)',
    r"\buse_auth_token\b": "uses use_auth_token=, removed in huggingface_hub 1.0; write instead token=os.environ['HF_TOKEN']",
    r"Bearer:": 'writes \'Bearer:\' (the docs\' typo); write instead "Authorization": f"Bearer {token}"',
    contract.TOKEN_PATTERN.pattern: "holds a token in the file (anyone who reads it can spend your credits); write instead os.environ['HF_TOKEN'], and revoke this token at https://huggingface.co/settings/tokens",
}


def _cells(path: Path) -> list[tuple[str, list[str]]]:
    """Return (where, lines) for a .py file or each code cell of a notebook."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return [("", text.splitlines())]
    cells = json.loads(text).get("cells", [])
    return [
        (f"cell {n} ", "".join(c.get("source", "")).splitlines())
        for n, c in enumerate(cells, 1)
        if c.get("cell_type") == "code"
    ]


def scan(path: str | Path) -> Report:
    """Return the Report naming each line of ``path`` that uses the retired host or removed names."""
    report, path = Report(), Path(path)
    try:
        cells = _cells(path)
    except (OSError, ValueError) as error:
        report.could_not_run = f"Could not read {path}: {type(error).__name__}: {error}."
        return report
    for where, lines in cells:
        for number, line in enumerate(lines, 1):
            for pattern, said in SCAN_RULES.items():
                if re.search(pattern, line):
                    shown = contract.TOKEN_PATTERN.sub("hf_…", line.strip())
                    shown = shown if len(shown) <= 90 else shown[:89] + "…"
                    # the line quoted, then under it what is wrong with it (aligned with it)
                    said = f"{path.name} {where}line {number}: {shown}\n{'':9}It {said}."
                    report.add("problem", said, CLASSIC_NB)
    if not report.findings:
        report.add("ok", f"{path.name}: no retired host, old body shape or removed client name.")
    return report
