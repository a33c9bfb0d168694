"""helpers.lessons.live_check: reading whoami-v2 for the inference permission."""

from __future__ import annotations

import pytest

from helpers import local_token
from helpers.lessons.live_check import may_call_inference
from helpers.standin import StandInOptions
from helpers.standin.auth import whoami_body


def body(role, global_=(), scoped=()):
    return {
        "name": "ada",
        "auth": {
            "accessToken": {
                "displayName": "laptop",
                "role": role,
                "fineGrained": {"global": list(global_), "scoped": [{"permissions": list(scoped)}]},
            }
        },
    }


@pytest.mark.parametrize(
    ("whoami", "can"),
    [
        (body("read"), True),
        (body("write"), True),
        (body("fineGrained", scoped=["inference.serverless.write"]), True),
        (body("fineGrained", global_=["inference.serverless.write"]), True),
        (body("fineGrained", scoped=["repo.content.read"]), False),
        ({"name": "ada"}, False),
        ({}, False),
    ],
)
def test_inference_permission_is_read_from_role_and_permissions(whoami, can):
    assert may_call_inference(whoami) is can


def test_stand_in_whoami_matches_its_permission_knob():
    weak = local_token()
    options = StandInOptions(tokens_without_inference=frozenset({weak}))
    assert not may_call_inference(whoami_body(weak, options))
    assert may_call_inference(whoami_body(local_token(), options))
