"""The official JavaScript client, ``@huggingface/inference``, against the stand-in (via node).

``tests/standin/js/check.mjs`` runs each case and prints one JSON line per case, with the paths
the client requested. Skips, with the reason, where node or the npm package is missing
(install it with ``npm ci --prefix tests/standin/js``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.contract import ENDPOINT_PREFIX, GPT2

JS_DIR = Path(__file__).parent / "js"
PACKAGE = JS_DIR / "node_modules" / "@huggingface" / "inference" / "package.json"
EXPECTED_PATHS = {
    "chatCompletion via groq (Hub mapping)": "/groq/openai/v1/chat/completions",
    "chatCompletion via novita (Hub mapping)": "/novita/v3/openai/chat/completions",
    "chatCompletion auto router": "/v1/chat/completions",
    "chatCompletionStream auto router": "/v1/chat/completions",
    "textGeneration hf-inference (OpenAI completions)": f"/hf-inference/models/{GPT2}/v1/completions",
    "textGeneration endpointUrl": ENDPOINT_PREFIX + "/v1/completions",
    "chatCompletion endpointUrl on gpt2 is refused": ENDPOINT_PREFIX + "/v1/chat/completions",
}


@pytest.fixture(scope="module")
def js_results(stand_in) -> dict[str, dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the JavaScript client cannot run")
    if not PACKAGE.exists():
        pytest.skip("@huggingface/inference is not installed: npm ci --prefix tests/standin/js")
    from helpers import local_token

    env = {**os.environ, "STANDIN_URL": stand_in.url, "HF_TOKEN": local_token()}
    done = subprocess.run(
        [node, "check.mjs"], cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {r["name"]: r for r in results}


@pytest.mark.parametrize("case", sorted(EXPECTED_PATHS))
def test_js_client_case(js_results, case):
    # Catches: a route the JS client calls that the stand-in lacks, or an answer it cannot parse.
    result = js_results[case]
    assert result["ok"], result["detail"]
    assert result["paths"][-1] == EXPECTED_PATHS[case]


def test_every_path_the_js_client_builds_is_served():
    # Catches: a provider route huggingface.js calls (chat or text generation) that the
    # stand-in lacks. check.mjs --routes prints the URL each provider helper builds.
    from helpers.standin.routes.providers import PROVIDER_PATHS

    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        pytest.skip("node or @huggingface/inference missing: npm ci --prefix tests/standin/js")
    done = subprocess.run(
        [node, "check.mjs", "--routes"], cwd=JS_DIR, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    built = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(built) > 10
    served = {
        f"https://router.huggingface.co/{p}{path}"
        for p, paths in PROVIDER_PATHS.items()
        for path in paths
    }
    missing = [b for b in built if b["url"] not in served]
    assert not missing
