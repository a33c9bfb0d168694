"""helpers.lessons.explorer: the function behind the widget, and the widget's wiring."""

from __future__ import annotations

import json

import pytest

from helpers import connect
from helpers.lessons.explorer import explorer_request, parameter_explorer, parse_stop

PROMPT = "Once upon a time, in a land far away,"


@pytest.fixture
def local(monkeypatch, stand_in):
    monkeypatch.setenv("HF_TUTORIAL_MODE", "local")
    monkeypatch.setenv("HF_STANDIN_URL", stand_in.url)
    return connect(quiet=True)


def test_request_shows_text_finish_reason_and_the_exact_payload(local):
    result = explorer_request(
        local, PROMPT, max_new_tokens=5, temperature=0.7, top_k=None, seed=1, details=True
    )
    assert result.error is None
    assert result.payload == {
        "inputs": PROMPT,
        "parameters": {"max_new_tokens": 5, "temperature": 0.7, "seed": 1, "details": True},
    }
    shown = result.render()
    assert "finish_reason: length" in shown
    assert '"temperature": 0.7' in shown
    assert "stand-in" in shown


def test_details_is_sent_only_as_the_box_says(local):
    # Catches the explorer adding "details": true behind the learner's back (it used to), and
    # a finish_reason of None shown as if the model had said "None".
    box = parameter_explorer(local, PROMPT)
    box.controls["details"].value = False
    result = box.send()
    assert result.payload["parameters"]["details"] is False
    assert result.generation.details is None
    assert "finish_reason: not returned (tick details)" in result.render()


def test_a_refused_parameter_is_shown_not_raised(local):
    result = explorer_request(local, PROMPT, top_p=1.0)
    assert result.generation is None
    assert result.error.parameter == "top_p"
    assert "top_p" in result.render()


def test_the_send_button_posts_what_the_controls_say(local, capsys):
    # Catches a control wired to the wrong parameter, and the "off" positions of top_k (0) and
    # top_p (0.99) being sent instead of left out.
    box = parameter_explorer(local, PROMPT)
    controls = {c.description: c for c in box.children if hasattr(c, "value")}
    controls["max_new_tokens"].value = 3
    controls["seed"].value = 7
    controls["stop"].value = "dragon\ncastle"  # one per line

    box.send()  # what a click on Send does

    output = box.children[-1]
    shown = capsys.readouterr().out + "".join(o.get("text", "") for o in output.outputs)
    sent = json.loads(shown.split("Payload sent:\n", 1)[1])
    assert sent == {
        "inputs": PROMPT,
        "parameters": {
            "max_new_tokens": 3,
            "temperature": 1.0,
            "repetition_penalty": 1.0,
            "do_sample": True,
            "seed": 7,
            "stop": ["dragon", "castle"],
            "return_full_text": False,
            "details": True,
        },
    }
    assert "answered by" in shown


@pytest.mark.parametrize(
    "typed, sent",
    [
        (",", [","]),  # exercise 2 of notebook 03: the comma was split away and nothing was sent
        ("a, b\n.", ["a, b", "."]),
        ("\\n\\n", ["\n\n"]),
        ("x\r\n\n\ny", ["x", "y"]),
        ("", None),
    ],
)
def test_stop_box_takes_one_sequence_per_line_and_keeps_commas(typed, sent):
    assert parse_stop(typed) == sent


def test_the_stop_label_fits_its_box(local):
    stop = parameter_explorer(local, PROMPT).controls["stop"]
    assert len(stop.description) <= 18  # 140 px of label: "stop (comma-separ…" was cut off
    assert "per line" in stop.placeholder


def test_a_comma_typed_in_the_stop_box_stops_at_the_first_comma(local):
    box = parameter_explorer(local, PROMPT)
    box.controls["stop"].value = ","
    box.controls["max_new_tokens"].value = 60
    result = box.send()
    assert result.payload["parameters"]["stop"] == [","]
    assert result.generation.details["finish_reason"] == "stop_sequence"
    assert result.generation.text.endswith(",")


def test_slider_float_noise_is_not_sent(monkeypatch):
    from helpers.lessons import explorer

    sent = {}

    class Fake:
        def text_generation_url(self, model_id):
            return "http://fake/" + model_id

        def text_generation(self, url, prompt, **params):
            sent.update(params)
            raise explorer.HFError("stop here")

    explorer.explorer_request(Fake(), "Hi", temperature=0.8500000000000001)
    assert sent["temperature"] == 0.85
