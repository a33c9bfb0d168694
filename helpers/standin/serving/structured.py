"""Structured output: JSON values valid for a schema, their values taken from the conversation
(:class:`Facts`: for "What is the weather in Paris?" a ``city`` is "Paris"), deterministic per
seed. The builder honours each keyword it accepts and refuses the rest (``pattern``, ``not``…)
with :class:`UnsupportedSchema`, so no validator runs (jsonschema's import costs seconds). Tools:
"auto" calls a tool the last user message names, "required" that one or the first.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np

WORD = re.compile(r"[A-Za-z]{4,}")
MAX_DEPTH, MAX_ITEMS = 8, 3
FORMATS = {
    "date": "2026-11-25",
    "date-time": "2026-11-25T12:00:00Z",
    "time": "12:00:00Z",
    "email": "learner@example.com",
    "uri": "https://example.com/stand-in",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
ANSWER = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
"""The schema of a ``json_object`` answer."""
TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
NOTHING_SAID = "unknown"  # a place or name the message does not give: the stand-in invents none
Words = Callable[[str, int], str]  # words(topic, n): stand-in text about topic, seeded


class UnsupportedSchema(ValueError):
    """A schema the stand-in cannot build a valid value for; says why."""


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


UNSUPPORTED = _set(
    "pattern not allOf multipleOf patternProperties propertyNames contains minContains maxContains "
    "prefixItems if then else dependentRequired dependentSchemas dependencies minProperties "
    "maxProperties unevaluatedItems unevaluatedProperties"
)
"""The assertions of JSON Schema 2020-12 the builder does not honour: a 400 names them."""
PLACE_KEYS = _set(
    "city town place location country region area destination origin address where venue "
    "state province village capital airport station"
)
TEXT_KEYS = _set("query question text prompt message input content search request topic subject")
NAME_KEYS = _set(
    "name person who user author recipient sender title label brand product item company "
    "organization organisation team customer guest owner artist"
)
DATE_KEYS = _set("date day when deadline weekday")
DAY_NAMES = {d.lower() for d in [*calendar.day_name, *calendar.month_name[1:]]}
DAY_NAMES |= {"today", "tomorrow", "tonight"}
PLACE_WORDS = _set("in at to from near for of around")
NOT_NAMES = _set(
    "a an the i i'm it is are was were be do does did can could would should will shall may "
    "what when where who whom why how which whose please tell give show find get send book "
    "call make write check list say let hi hello hey and or but if in on at for to from of "
    "with any some now today tomorrow yesterday this that these those my me you your we our "
    "he she they them there here yes no not describe explain summarize summarise translate "
    "compare suggest recommend create generate plan draft convert calculate classify extract "
    "define imagine help look search set add remove update delete open start stop run use try "
    "what's where's how's who's it's let's i'd i'll i've don't can't also then"
)
"""Capitalised words that are not names (sentence openers, pronouns, question words)."""
STOPWORDS = NOT_NAMES | _set(
    "about after been have into just like more much only over such than their very while"
)
_TOKEN = re.compile(r"\"([^\"]{1,80})\"|'([^']{1,80})'|(-?\d+(?:\.\d+)?)|([A-Za-z][\w'-]*)")


def key_words(name: str) -> set[str]:
    """Return the lower-case words of a property name: ``cityNames`` → {"city", "names", "name"}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    words = {w.lower() for w in spaced.split()}
    return words | {w[:-1] for w in words if w.endswith("s") and len(w) > 3}


class Facts:
    """What a message offers: names (runs of capitalised words that open no sentence), places
    (a name or quote after in/at/to…), quotes, dates, and numbers with the words beside them."""

    def __init__(self, text: str | None):
        self.text = " ".join((text or "").split())
        self.names, self.places, self.quoted, self.used = [], [], [], set()
        self.dates = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", self.text)
        self.numbers: list[tuple[float, set[str]]] = []
        tokens = [
            ("quoted", q or s) if q or s else ("number", n) if n else ("word", w)
            for q, s, n, w in _TOKEN.findall(self.text)
        ]
        words = [t.lower() for kind, t in tokens if kind == "word"]
        self.words = set(words)
        self.topics = [w for w in dict.fromkeys(words) if len(w) >= 4 and w not in STOPWORDS]
        i = 0
        while i < len(tokens):
            kind, value = tokens[i]
            before = tokens[i - 1][1].lower() if i else ""
            if kind == "number":
                near = {tokens[j][1].lower() for j in (i - 1, i + 1) if 0 <= j < len(tokens)}
                self.numbers.append((float(value), near))
            elif kind == "word" and value.lower() in DAY_NAMES:
                self.dates.append(value)
            elif kind == "quoted" or value[0].isupper() and value.lower() not in NOT_NAMES:
                while kind == "word" and i + 1 < len(tokens) and self._is_name(*tokens[i + 1]):
                    i += 1
                    value += " " + tokens[i][1]
                found = self.quoted if kind == "quoted" else self.names
                if value not in found:
                    found.append(value)
                if before in PLACE_WORDS and value not in self.places:
                    self.places.append(value)
            i += 1

    @staticmethod
    def _is_name(kind: str, text: str) -> bool:
        return kind == "word" and text[0].isupper() and text.lower() not in NOT_NAMES

    def _take(self, options: list[str]) -> str | None:
        fresh = [o for o in options if o not in self.used]
        if fresh:
            self.used.add(fresh[0])
        return (fresh or options)[0] if options else None

    def string_for(self, name: str) -> str | None:
        """Return the message's value for a string property called ``name``, or None."""
        keys = key_words(name)
        if keys & DATE_KEYS:
            return self._take(self.dates) or FORMATS["date"]
        if keys & PLACE_KEYS:
            return self._take(self.places + self.names + self.quoted) or NOTHING_SAID
        if keys & NAME_KEYS:
            return self._take(self.quoted + self.names) or NOTHING_SAID
        if keys & TEXT_KEYS:
            return self.quoted[0] if self.quoted else self.text.rstrip(" ?!.") or None
        return self._take(self.quoted)

    def item_for(self, taken: list[Any]) -> str | None:
        """Return the next list item: quoted strings and names, then topic words, not taken."""
        named = {n.lower() for n in self.quoted + self.names}
        options = self.quoted + self.names + [t for t in self.topics if t not in named]
        return next((o for o in options if o not in taken), None)

    def choice_for(self, options: list[Any]) -> Any:
        """Return the enum value the message names (case-insensitive), else the first."""
        said = " ".join(re.findall(r"[\w'-]+", self.text.lower()))
        named = (o for o in options if isinstance(o, str) and f" {o.lower()} " in f" {said} ")
        return next(named, options[0])

    def number_for(self, name: str) -> float | None:
        """Return the number written beside the property's name ("3 days" → days), or None."""
        keys = key_words(name)
        return next((value for value, near in self.numbers if near & keys), None)


class ValueBuilder:
    """Builds one value for a schema; ``rng`` and ``words`` make it deterministic per seed."""

    def __init__(self, root: Any, rng: np.random.Generator, words: Words, facts: Facts):
        self.root, self.rng, self.words, self.facts = root, rng, words, facts

    def build(self, schema: Any, name: str = "value", depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise UnsupportedSchema("the schema nests deeper than the stand-in builds (8 levels)")
        if schema is True or schema == {}:
            return self.words(name, 3)
        if schema is False:
            raise UnsupportedSchema(f"`{name}` has the schema `false`: no value is valid")
        refused = [k for k in schema if k in UNSUPPORTED]
        if refused:
            raise UnsupportedSchema(f"the stand-in does not generate `{refused[0]}` (at `{name}`)")
        if "$ref" in schema:
            return self.build(self.resolve(schema["$ref"]), name, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.facts.choice_for(schema["enum"])
        for branch in schema.get("anyOf") or schema.get("oneOf") or ():
            try:
                return self.build(branch, name, depth + 1)
            except UnsupportedSchema:
                continue
        if "anyOf" in schema or "oneOf" in schema:
            raise UnsupportedSchema(f"no branch of `{name}`'s anyOf/oneOf can be generated")
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        kind = kind or (
            "object" if "properties" in schema else "array" if "items" in schema else ""
        )
        if kind and kind not in TYPES:
            raise UnsupportedSchema(f"the schema is not a valid JSON schema: {kind!r} is no type")
        builder = getattr(self, f"build_{kind}", None)
        return builder(schema, name, depth) if builder else self.words(name, 3)

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise UnsupportedSchema(f"only local $ref are followed, not {ref!r}")
        node = self.root
        for part in ref.lstrip("#/").split("/") if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise UnsupportedSchema(f"$ref {ref!r} points at nothing")
            node = node[part]
        return node

    def build_null(self, schema: dict, name: str, depth: int) -> None:
        return None

    def build_boolean(self, schema: dict, name: str, depth: int) -> bool:
        return bool(key_words(name) & self.facts.words)

    def build_integer(self, schema: dict, name: str, depth: int) -> int:
        low, high = bounds(schema, integer=True)
        said = self.facts.number_for(name)
        if said is not None and said == int(said) and low <= said <= high:
            return int(said)
        return low + int(self.rng.integers(min(high - low + 1, 5)))  # near the bottom of the range

    def build_number(self, schema: dict, name: str, depth: int) -> float:
        low, high = bounds(schema, integer=False)
        said = self.facts.number_for(name)
        if said is not None and low <= said <= high:
            return said
        value = low + min(high - low, 10) * self.rng.random()
        rounded = [round(value, d) for d in (1, 6) if low <= round(value, d) <= high]
        return float(rounded[0] if rounded else value)

    def build_string(self, schema: dict, name: str, depth: int) -> str:
        low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
        if low > high:
            raise UnsupportedSchema(f"`{name}`: minLength is larger than maxLength")
        said = FORMATS.get(schema.get("format")) or self.facts.string_for(name)
        text = said if said is not None else self.words(name, 12).strip()
        while len(text) < low:
            text = (text + " " + self.words(name, 8)).strip()
        return text[:high].rstrip() if len(text[:high].rstrip()) >= low else text[:high]

    def build_array(self, schema: dict, name: str, depth: int) -> list:
        low = int(schema.get("minItems", 1))
        high = int(schema.get("maxItems", max(low, MAX_ITEMS)))
        count, items, item = min(max(low, 2), high), [], schema.get("items", {})
        short = isinstance(item, dict) and set(item) <= {"type", "description"}
        short = short and item.get("type") == "string"
        while len(items) < count:
            said = self.facts.item_for(items) if short else None
            if said is None and short:
                words = [w.lower() for w in WORD.findall(self.words(name, 4))]
                said = words[len(items) % len(words)] if words else None
            if said is None:
                said = self.build(item, f"{name} {len(items)}", depth + 1)
            if schema.get("uniqueItems") and said in items:
                break
            items.append(said)
        if not low <= len(items) <= high:
            raise UnsupportedSchema(f"`{name}`: the stand-in cannot build {low} distinct items")
        return items

    def build_object(self, schema: dict, name: str, depth: int) -> dict:
        properties = schema.get("properties", {})
        value = {key: self.build(sub, key, depth + 1) for key, sub in properties.items()}
        extra = schema.get("additionalProperties", {})
        for key in sorted(set(schema.get("required", [])) - set(properties)):
            value[key] = self.build(extra, key, depth + 1)  # `false`: no value is valid, a 400
        return value


def bounds(schema: dict, integer: bool) -> tuple:
    """Return (low, high) from minimum/maximum and their exclusive forms, default 0..100."""
    low = schema.get("minimum", 0 if "maximum" not in schema else schema["maximum"] - 100)
    high = schema.get("maximum", low + 100)
    if "exclusiveMinimum" in schema and not isinstance(schema["exclusiveMinimum"], bool):
        low = max(low, schema["exclusiveMinimum"] + (1 if integer else 1e-6))
        high = max(high, low)
    if "exclusiveMaximum" in schema and not isinstance(schema["exclusiveMaximum"], bool):
        high = min(high, schema["exclusiveMaximum"] - (1 if integer else 1e-6))
    if integer:
        low, high = int(np.ceil(low)), int(np.floor(high))
    if low > high:
        raise UnsupportedSchema("a number's minimum is larger than its maximum")
    return low, high


def generate_value(schema: Any, seed: int, words: Words, message: str | None = None) -> Any:
    """Return a value valid for ``schema``, the same for the same seed, values from ``message``;
    raise UnsupportedSchema for a schema the builder cannot honour or read."""
    builder = ValueBuilder(schema, np.random.default_rng(seed), words, Facts(message))
    try:
        return builder.build(schema)
    except UnsupportedSchema:
        raise
    except (TypeError, ValueError, AttributeError, LookupError, ZeroDivisionError) as exc:
        raise UnsupportedSchema(f"the schema is not a valid JSON schema ({exc})") from None


def format_schema(fmt: dict[str, Any] | None) -> Any:
    """Return the schema ``response_format`` asks for (``ANSWER`` for a JSON object) or None:
    OpenAI's forms, TGI's ``{"type": "json_object", "value": schema}`` (huggingface_hub) and
    ``{"type": "json_schema", "schema": schema}`` (huggingface.js's together)."""
    kind = (fmt or {}).get("type", "text")
    if kind == "text" or kind == "json_object" and "value" not in fmt:
        return ANSWER if kind == "json_object" else None
    spec = fmt.get("json_schema") if isinstance(fmt.get("json_schema"), dict) else {}
    schema = fmt.get("value") if kind == "json_object" else spec.get("schema", fmt.get("schema"))
    if kind not in ("json_object", "json_schema") or not isinstance(schema, (dict, bool)):
        raise UnsupportedSchema(
            '`response_format` must be {"type": "text"}, {"type": "json_object"} or '
            '{"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}'
        )
    generate_value(schema, 0, lambda name, n: name)  # a 400 before any text is generated
    return schema


def dumps(value: Any) -> str:  # a model's structured answer is one JSON string
    return json.dumps(value, ensure_ascii=False)


def choose_tool(tools: list[Any], choice: Any, user_text: str | None) -> Any | None:
    """Return the tool (a ``protocol.Tool``) to call, or None for a prose answer."""
    if not tools or choice == "none":
        return None
    if choice is not None and not isinstance(choice, str):
        return next((t for t in tools if t.function.name == choice.function.name), None)
    said = {w.lower() for w in WORD.findall(user_text or "")}
    for tool in tools:
        name = re.sub(r"([a-z])([A-Z])", r"\1 \2", tool.function.name).replace("_", " ")
        if said & {w.lower() for w in WORD.findall(f"{name} {tool.function.description or ''}")}:
            return tool
    return tools[0] if choice == "required" else None
