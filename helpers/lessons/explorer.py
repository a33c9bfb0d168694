"""An ipywidgets explorer for the text-generation parameters: ``parameter_explorer`` wires
sliders and a Send button to ``explorer_request``, which does the work in plain Python."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..client.errors import HFError
from ..client.session import Generation
from ..contract import GPT2
from .connection import Connection


@dataclass
class ExplorerResult:
    """What one press of the button produced: the payload sent, and the text or the error."""

    payload: dict[str, Any]
    generation: Generation | None = None
    error: HFError | None = None

    def render(self) -> str:
        """Return the text (or the error) and the exact JSON payload, for display."""
        head = self.error.explain() if self.error else ""
        if self.generation is not None:
            g = self.generation
            reason = g.finish_reason if g.details else "not returned (tick details)"
            head = f"{g.text}\n\n[finish_reason: {reason}; answered by: {g.answered_by}]"
        return f"{head}\n\nPayload sent:\n{json.dumps(self.payload, indent=2)}"


def explorer_request(connection: Connection, prompt: str, **parameters: Any) -> ExplorerResult:
    """Send one request with ``parameters`` (None dropped, floats as the sliders show them);
    an error is returned, not raised."""
    params = {k: round(v, 6) if isinstance(v, float) else v for k, v in parameters.items()}
    params = {k: v for k, v in params.items() if v is not None}
    try:
        url = connection.text_generation_url(GPT2)
        generation = connection.text_generation(url, prompt, **params)
    except HFError as error:
        return ExplorerResult({"inputs": prompt, "parameters": params}, error=error)
    return ExplorerResult(generation.payload, generation=generation)


def parse_stop(text: str) -> list[str] | None:
    """Return the stop sequences typed in the box: one per line, ``\\n`` and ``\\t`` typed
    literally as a newline and a tab; None when empty."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    return [line.replace("\\n", "\n").replace("\\t", "\t") for line in lines if line] or None


def parameter_explorer(connection: Connection, prompt: str) -> Any:
    """Return an ipywidgets box: parameter controls, a Send button and an output area."""
    import ipywidgets as w

    s = {"style": {"description_width": "140px"}}
    wide = w.Layout(width="420px")
    controls = {
        "prompt": w.Textarea(value=prompt, description="inputs", layout=wide, **s),
        "max_new_tokens": w.IntSlider(20, 1, 100, description="max_new_tokens", **s),
        "temperature": w.FloatSlider(
            1.0, min=0.05, max=2.0, step=0.05, description="temperature", **s
        ),
        "top_k": w.IntSlider(0, 0, 50, description="top_k (0 = off)", **s),
        "top_p": w.FloatSlider(
            0.99, min=0.05, max=0.99, step=0.01, description="top_p (0.99 = off)", **s
        ),
        "repetition_penalty": w.FloatSlider(
            1.0, min=0.5, max=2.0, step=0.05, description="repetition_penalty", **s
        ),
        "do_sample": w.Checkbox(True, description="do_sample", **s),
        "seed": w.IntText(0, description="seed", **s),
        "stop": w.Textarea(
            "",
            description="stop",
            placeholder="one per line; type \\n for a newline",
            rows=2,
            layout=wide,
            **s,
        ),
        "return_full_text": w.Checkbox(False, description="return_full_text", **s),
        "details": w.Checkbox(True, description="details", **s),
    }
    button = w.Button(description="Send", button_style="primary")
    output = w.Output(layout=w.Layout(border="1px solid #ccc", padding="4px"))

    def send(_: Any = None) -> ExplorerResult:
        values = {name: c.value for name, c in controls.items()}
        text = values.pop("prompt")
        values["stop"] = parse_stop(values["stop"])
        values["top_k"] = values["top_k"] or None
        values["top_p"] = values["top_p"] if values["top_p"] < 0.99 else None
        result = explorer_request(connection, text, **values)
        output.clear_output()
        with output:
            print(result.render())
        return result

    button.on_click(send)
    box = w.VBox([*controls.values(), button, output])
    box.send, box.controls = send, controls  # a test presses the button and sets controls by name
    return box
