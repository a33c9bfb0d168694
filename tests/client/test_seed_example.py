"""The classic tutorial's own Python example (notebook 02), with only API_URL changed, against
the stand-in."""

from __future__ import annotations

import ast
import subprocess
import sys

from helpers import local_token

SEED_EXAMPLE = """
import requests
import os

API_URL = "https://api-inference.huggingface.co/models/gpt2"
headers = {
    "Authorization": f"Bearer {os.getenv('HUGGINGFACE_API_TOKEN')}"
}

def query(payload):
    response = requests.post(API_URL, headers=headers, json=payload)
    return response.json()

output = query({
    "inputs": "Once upon a time, in a land far away,",
})

print(output)
"""


def test_seed_example_prints_one_generated_text_continuing_the_prompt(stand_in):
    code = SEED_EXAMPLE.replace(
        "https://api-inference.huggingface.co/models/gpt2", stand_in.url + "/models/gpt2"
    )
    assert code.count(stand_in.url) == 1  # only the URL changed
    env = {"HUGGINGFACE_API_TOKEN": local_token(), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    output = ast.literal_eval(done.stdout.strip())
    assert isinstance(output, list) and len(output) == 1
    text = output[0]["generated_text"]
    assert text.startswith("Once upon a time, in a land far away,")
    assert len(text) > len("Once upon a time, in a land far away,") + 10


def test_seed_example_unchanged_hits_the_retired_host_which_answers_410(stand_in):
    # The same code against the stand-in's emulation of the retired host.
    code = SEED_EXAMPLE.replace(
        "https://api-inference.huggingface.co", stand_in.url + "/api-inference.huggingface.co"
    )
    env = {"HUGGINGFACE_API_TOKEN": local_token(), "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert "no longer supported" in done.stdout
