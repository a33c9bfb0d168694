"""helpers.lessons.explorer: the function behind the widget, and the widget's wiring."""

from __future__ import annotations

import pytest

from helpers import connect
from helpers.lessons.explorer import explorer_request, parameter_explorer

PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture
def local(monkeypatch, stand_in):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", stand_in.url)
    return connect(quiet=True)


def test_request_shows_text_finish_reason_and_the_exact_payload(local):
    result = explorer_request(local, PROMPT, max_new_tokens=5, temperature=0.7, top_k=None, seed=1)
    assert result.error is None
    assert result.payload == {
        "inputs": PROMPT,
        "parameters": {"max_new_tokens": 5, "temperature": 0.7, "seed": 1, "details": True},
    }
    shown = result.render()
    assert "finish_reason: length" in shown
    assert '"temperature": 0.7' in shown
    assert "stand-in" in shown


def test_a_refused_parameter_is_shown_not_raised(local):
    result = explorer_request(local, PROMPT, top_p=1.0)
    assert result.generation is None
    assert result.error.parameter == "top_p"
    assert "top_p" in result.render()


def test_widget_builds_and_its_button_sends(local):
    box = parameter_explorer(local, PROMPT)
    descriptions = [getattr(c, "description", "") for c in box.children]
    for name in ("temperature", "top_p", "seed", "Send"):
        assert any(name in d for d in descriptions)
    box.send()  # what a click does; must not raise
