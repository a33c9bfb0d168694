"""helpers.client.tokens: reading whoami-v2 without ever showing the token."""

from __future__ import annotations

import pytest

from helpers import local_token
from helpers.client.tokens import token_summary
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
    assert token_summary(whoami).can_call_inference is can


def test_summary_names_the_fix_when_permission_is_missing():
    text = str(token_summary(body("fineGrained")))
    assert "Make calls to Inference Providers" in text


def test_stand_in_whoami_matches_its_permission_knob():
    weak = local_token()
    options = StandInOptions(tokens_without_inference=frozenset({weak}))
    assert not token_summary(whoami_body(weak, options)).can_call_inference
    assert token_summary(whoami_body(local_token(), options)).can_call_inference
