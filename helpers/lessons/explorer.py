"""An ipywidgets explorer for the text-generation parameters.

``explorer_request`` does the work and is plain Python, so tests and nbmake call it directly;
``parameter_explorer`` only wires sliders and a button to it.
"""

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
        body = json.dumps(self.payload, indent=2)
        if self.error is not None:
            head = self.error.explain()
        else:
            assert self.generation is not None
            finish = (self.generation.details or {}).get("finish_reason", "?")
            head = f"{self.generation.text}\n\n[finish_reason: {finish}; answered by: {self.generation.answered_by}]"
        return f"{head}\n\nPayload sent:\n{body}"


def explorer_request(
    connection: Connection,
    prompt: str,
    *,
    model_id: str = GPT2,
    **parameters: Any,
) -> ExplorerResult:
    """Send one request with ``parameters`` (None values dropped) and return what happened.

    ``details`` is always asked for, so the finish reason can be shown. Errors, including a
    parameter refused before sending, are returned in the result rather than raised.
    """
    # Sliders step in binary floats (0.85 arrives as 0.8500000000000001): send what is shown.
    params = {
        k: round(v, 6) if isinstance(v, float) else v
        for k, v in parameters.items()
        if v is not None
    }
    params["details"] = True
    payload = {"inputs": prompt, "parameters": params}
    try:
        url = connection.text_generation_url(model_id)
        generation = connection.text_generation(url, prompt, **params)
    except HFError as error:
        return ExplorerResult(payload, error=error)
    return ExplorerResult(generation.payload, generation=generation)


def parse_stop(text: str) -> list[str] | None:
    """Return the stop sequences typed in the explorer's box: one per line, None when empty.

    Commas are kept (``,`` is a useful stop sequence); ``\\n`` and ``\\t`` typed literally
    become a newline and a tab, so that ``\\n\\n`` stops at a blank line.

    >>> parse_stop(",\\n.")
    [',', '.']
    """
    lines = [line.rstrip("\r") for line in text.split("\n")]
    stops = [line.replace("\\n", "\n").replace("\\t", "\t") for line in lines if line]
    return stops or None


def parameter_explorer(connection: Connection, prompt: str, model_id: str = GPT2) -> Any:
    """Return an ipywidgets box: parameter controls, a Send button and an output area."""
    import ipywidgets as w

    style = {"description_width": "140px"}
    layout = w.Layout(width="420px")
    controls = {
        "prompt": w.Textarea(value=prompt, description="inputs", style=style, layout=layout),
        "max_new_tokens": w.IntSlider(20, 1, 100, description="max_new_tokens", style=style),
        "temperature": w.FloatSlider(
            1.0, min=0.05, max=2.0, step=0.05, description="temperature", style=style
        ),
        "top_k": w.IntSlider(0, 0, 50, description="top_k (0 = off)", style=style),
        "top_p": w.FloatSlider(
            0.99, min=0.05, max=0.99, step=0.01, description="top_p", style=style
        ),
        "repetition_penalty": w.FloatSlider(
            1.0, min=0.5, max=2.0, step=0.05, description="repetition_penalty", style=style
        ),
        "do_sample": w.Checkbox(True, description="do_sample", style=style),
        "seed": w.IntText(0, description="seed", style=style),
        "stop": w.Textarea(
            "",
            description="stop",
            placeholder="one stop sequence per line, e.g. , or \\n\\n",
            rows=2,
            style=style,
            layout=layout,
        ),
        "return_full_text": w.Checkbox(False, description="return_full_text", style=style),
    }
    button = w.Button(description="Send", button_style="primary")
    output = w.Output(layout=w.Layout(border="1px solid #ccc", padding="4px"))

    def send(_: Any = None) -> ExplorerResult:
        values = {name: c.value for name, c in controls.items()}
        text = values.pop("prompt")
        values["stop"] = parse_stop(values["stop"])
        values["top_k"] = values["top_k"] or None
        values["top_p"] = values["top_p"] if values["top_p"] < 0.99 else None
        result = explorer_request(connection, text, model_id=model_id, **values)
        output.clear_output()
        with output:
            print(result.render())
        return result

    button.on_click(send)
    box = w.VBox([*controls.values(), button, output])
    box.send = send  # lets a test press the button without a browser
    box.controls = controls  # and set a control by name
    return box
