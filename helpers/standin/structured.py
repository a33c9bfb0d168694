"""Structured output for the stand-in: JSON values valid for a JSON schema, and tool calls.

Stand-in behaviour, not a model's: a value is built from the schema itself (types, ``enum``,
``const``, ``properties``/``required``, ``items``, numeric and length bounds, ``anyOf``/``oneOf``/
``allOf``, local ``$ref``, common ``format``s), deterministically from a seed, and its values
are taken from the conversation where a property fits (:class:`Facts`): for "What is the
weather in Paris?", a ``city`` string is "Paris", a ``unit`` enum is the value the message
names (else its first), a number is the one written beside the property's name (else a small
one), a boolean is true when the message uses the property's name. A place or name the
message does not give is "unknown"; other strings with nothing to take are a sentence of the
stand-in's text model. Every value is checked with ``jsonschema`` before it is
sent; a schema the stand-in cannot satisfy (``pattern``, ``not``, contradictory bounds) is
refused with a clear :class:`UnsupportedSchema` rather than answered with invalid JSON.

When does the stand-in call a tool with ``tool_choice: "auto"``? When the last user message
mentions a word (4 letters or more) of the tool's name or description, the first such tool is
called; otherwise the stand-in answers in prose. ``"required"`` calls the matching tool or else
the first one; a named function is always called; ``"none"`` never calls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np

WORD = re.compile(r"[A-Za-z]{4,}")
MAX_DEPTH = 8
MAX_ITEMS = 3
FORMATS = {
    "date": "2026-11-25",
    "date-time": "2026-11-25T12:00:00Z",
    "time": "12:00:00Z",
    "email": "learner@example.com",
    "uri": "https://example.com/stand-in",
    "url": "https://example.com/stand-in",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
}
UNSUPPORTED_KEYWORDS = ("pattern", "not", "patternProperties", "propertyNames", "contains")

Words = Callable[[str, int], str]
"""``words(topic, n)``: up to n words of stand-in text about ``topic`` (seeded by the caller)."""


class UnsupportedSchema(ValueError):
    """A schema the stand-in cannot produce a valid value for; the message says why."""


def check_schema(schema: Any, where: str) -> None:
    """Raise UnsupportedSchema unless ``schema`` is a well-formed JSON schema (object or bool)."""
    if not isinstance(schema, (dict, bool)):
        raise UnsupportedSchema(f"{where} must be a JSON schema object")
    import jsonschema  # here, not at the top: it costs ~1 s at import, paid only when used

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise UnsupportedSchema(f"{where} is not a valid JSON schema: {exc.message}") from None


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


PLACE_KEYS = _word_set(
    "city town place location country region area destination origin address where venue "
    "state province village capital airport station"
)
"""Property-name words that ask for a place: filled with a name after in/at/to/from/near."""
TEXT_KEYS = _word_set(
    "query question text prompt message input content search request topic subject"
)
"""Property-name words that ask for what was said: filled with the message (or its topic)."""
NAME_KEYS = _word_set(
    "name person who user author recipient sender title label brand product item company "
    "organization organisation team customer guest owner artist"
)
"""Property-name words that ask for a name: filled with a capitalised name of the message."""
TOPIC_STOPWORDS = _word_set(
    "about after also been could does from have into just like more much only over please "
    "some such tell than that their them then there these they this very what when where "
    "which while with would your describe explain"
)
DATE_KEYS = _word_set("date day when deadline weekday")
"""Property-name words that ask for a day: filled with a weekday, a month or an ISO date."""
DAY_NAMES = _word_set(
    "monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight "
    "january february march april may june july august september october november december"
)
NOTHING_SAID = "unknown"
"""A place or name property's value when the message names none (the stand-in invents none)."""
PLACE_WORDS = _word_set("in at to from near for of around")
NOT_NAMES = _word_set(
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
_FACT_TOKEN = re.compile(r"\"([^\"]{1,80})\"|'([^']{1,80})'|(-?\d+(?:\.\d+)?)|([A-Za-z][\w'-]*)")


def tokenize_words(text: str) -> list[str]:
    """Return the words (letters only) of ``text``."""
    return re.findall(r"[A-Za-z]+", text)


def key_words(name: str) -> set[str]:
    """Return the lower-case words of a property name: ``cityName`` → {"city", "name"}."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    words = {w.lower() for w in spaced.split()}
    return words | {w[:-1] for w in words if w.endswith("s") and len(w) > 3}


class Facts:
    """What a message offers to fill values with: names, quoted strings, numbers, words.

    Simple and explainable on purpose: a *name* is a run of capitalised words that are not
    sentence openers ("What", "Please"...), a *place* is a name (or a quoted string) right
    after in/at/to/from/near/for, a quoted string is taken whole, and a number belongs to the
    property whose name is written next to it ("3 days" fills ``days``).
    """

    def __init__(self, text: str | None):
        self.text = " ".join((text or "").split())
        self.names: list[str] = []
        self.places: list[str] = []
        self.quoted: list[str] = []
        self.dates = re.findall(r"\b\d{4}-\d{2}-\d{2}\b", self.text)
        self.numbers: list[tuple[float, set[str]]] = []
        tokens: list[tuple[str, str]] = []  # (kind, text)
        for quoted, single, number, word in _FACT_TOKEN.findall(self.text):
            if quoted or single:
                tokens.append(("quoted", quoted or single))
            elif number:
                tokens.append(("number", number))
            else:
                tokens.append(("word", word))
        self.words = {t.lower() for kind, t in tokens if kind == "word"}
        self.topics = list(
            dict.fromkeys(
                t.lower()
                for kind, t in tokens
                if kind == "word" and len(t) >= 4 and t.lower() not in NOT_NAMES | TOPIC_STOPWORDS
            )
        )
        i = 0
        while i < len(tokens):
            kind, value = tokens[i]
            if kind == "quoted":
                self.quoted.append(value)
                if i and tokens[i - 1][1].lower() in PLACE_WORDS:
                    self.places.append(value)
            elif kind == "number":
                near = {tokens[j][1].lower() for j in (i - 1, i + 1) if 0 <= j < len(tokens)}
                self.numbers.append((float(value), near))
            elif value.lower() in DAY_NAMES:
                self.dates.append(value)
            elif value[0].isupper() and value.lower() not in NOT_NAMES:
                run = [value]
                while (
                    i + 1 < len(tokens)
                    and tokens[i + 1][0] == "word"
                    and tokens[i + 1][1][0].isupper()
                    and tokens[i + 1][1].lower() not in NOT_NAMES
                ):
                    i += 1
                    run.append(tokens[i][1])
                name = " ".join(run)
                if name not in self.names:
                    self.names.append(name)
                before = tokens[i - len(run)][1].lower() if i - len(run) >= 0 else ""
                if before in PLACE_WORDS and name not in self.places:
                    self.places.append(name)
            i += 1
        self.used: set[str] = set()

    def _take(self, options: list[str]) -> str | None:
        for option in options:
            if option not in self.used:
                self.used.add(option)
                return option
        return options[0] if options else None

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
        return self._take(self.quoted) if self.quoted else None

    def item_for(self, taken: list[Any]) -> str | None:
        """Return the next item of a list of strings: the message's quoted strings and names,
        then its topic words, leaving out those ``taken`` (the list so far)."""
        named = {n.lower() for n in self.quoted + self.names}
        options = self.quoted + self.names + [t for t in self.topics if t not in named]
        fresh = [o for o in options if o not in taken]
        return fresh[0] if fresh else None

    def choice_for(self, options: list[Any]) -> Any:
        """Return the enum value the message names (case-insensitive), else the first value."""
        lowered = self.text.lower()
        for option in options:
            if isinstance(option, str) and re.search(
                r"(?<![\w])" + re.escape(option.lower()) + r"(?![\w])", lowered
            ):
                return option
        return options[0]

    def number_for(self, name: str) -> float | None:
        """Return the number written beside the property's name ("3 days" → days), or None."""
        keys = key_words(name)
        for value, near in self.numbers:
            if near & keys:
                return value
        return None

    def flag_for(self, name: str) -> bool:
        """Return True when the message uses a word of the property's name, else False."""
        return bool(key_words(name) & self.words)


class ValueBuilder:
    """Builds one value for a schema; ``rng`` and ``words`` make it deterministic per seed."""

    def __init__(
        self, root: Any, rng: np.random.Generator, words: Words, facts: Facts | None = None
    ):
        self.root = root
        self.rng = rng
        self.words = words
        self.facts = facts or Facts(None)

    def build(self, schema: Any, name: str = "value", depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise UnsupportedSchema("the schema nests deeper than the stand-in builds (8 levels)")
        if schema is True or schema == {}:
            return self.words(name, 3)
        if schema is False:
            raise UnsupportedSchema(f"`{name}` has the schema `false`: no value is valid")
        for keyword in UNSUPPORTED_KEYWORDS:
            if keyword in schema:
                raise UnsupportedSchema(
                    f"the stand-in does not generate values for `{keyword}` (at `{name}`)"
                )
        if "$ref" in schema:
            return self.build(self.resolve(schema["$ref"]), name, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            options = schema["enum"]
            if not options:
                raise UnsupportedSchema(f"`{name}` has an empty enum")
            return self.facts.choice_for(options)
        if "allOf" in schema:
            merged = merge_all_of(schema)
            return self.build(merged, name, depth + 1)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.first_valid(schema[key], name, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else None
        if kind is None:
            return self.words(name, 3)
        return getattr(self, "build_" + kind)(schema, name, depth)

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

    def first_valid(self, options: list, name: str, depth: int) -> Any:
        for option in options:
            try:
                value = self.build(option, name, depth + 1)
            except UnsupportedSchema:
                continue
            return value
        raise UnsupportedSchema(f"no branch of `{name}`'s anyOf/oneOf can be generated")

    def build_null(self, schema: dict, name: str, depth: int) -> None:
        return None

    def build_boolean(self, schema: dict, name: str, depth: int) -> bool:
        return self.facts.flag_for(name)

    def build_integer(self, schema: dict, name: str, depth: int) -> int:
        low, high = bounds(schema, integer=True)
        step = int(schema.get("multipleOf", 1))
        first = -(-low // step) * step
        if first > high:
            raise UnsupportedSchema(f"`{name}`: no multiple of {step} within its bounds")
        said = self.facts.number_for(name)
        if said is not None and said == int(said) and low <= said <= high and said % step == 0:
            return int(said)
        # Nothing said: a small value near the bottom of the range (1 to 5 steps up).
        count = (high - first) // step + 1
        return int(first + step * int(self.rng.integers(min(count, 5))))

    def build_number(self, schema: dict, name: str, depth: int) -> float:
        low, high = bounds(schema, integer=False)
        said = self.facts.number_for(name)
        if said is not None and low <= said <= high:
            return said
        step = schema.get("multipleOf")
        if step:
            first, last = int(np.ceil(low / step)), int(np.floor(high / step))
            if first > last:
                raise UnsupportedSchema(f"`{name}`: no multiple of {step} within its bounds")
            return float(step * int(self.rng.integers(first, min(last, first + 4) + 1)))
        # Nothing said: a small value near the bottom of the range (within 10 of it), rounded
        # to one decimal when that stays within the bounds (0.0 breaks exclusiveMinimum 0).
        value = low + min(high - low, 10) * self.rng.random()
        for digits in (1, 6):
            if low <= round(value, digits) <= high:
                return float(round(value, digits))
        return float(value)

    def build_string(self, schema: dict, name: str, depth: int) -> str:
        if schema.get("format") in FORMATS:
            return FORMATS[schema["format"]]
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", 10_000))
        if low > high:
            raise UnsupportedSchema(f"`{name}`: minLength is larger than maxLength")
        said = self.facts.string_for(name)
        text = said if said is not None else self.words(name, 12).strip()
        while len(text) < low:
            text = (text + " " + self.words(name, 8)).strip()
        return text[:high].rstrip() if len(text[:high].rstrip()) >= low else text[:high]

    def build_array(self, schema: dict, name: str, depth: int) -> list:
        low = int(schema.get("minItems", 1))
        high = int(schema.get("maxItems", max(low, MAX_ITEMS)))
        if low > high:
            raise UnsupportedSchema(f"`{name}`: minItems is larger than maxItems")
        prefix = schema.get("prefixItems", [])
        count = min(max(low, len(prefix)), high) if prefix else min(max(low, 2), high)
        items = [self.build(s, f"{name}[{i}]", depth + 1) for i, s in enumerate(prefix[:count])]
        item_schema = schema.get("items", {})
        short = isinstance(item_schema, dict) and set(item_schema) <= {"type", "description"}
        short = short and item_schema.get("type") == "string"
        while len(items) < count:
            said = self.facts.item_for(items) if short else None
            if said is None and short:
                words = [w for w in tokenize_words(self.words(name, 4)) if len(w) >= 4]
                said = words[len(items) % len(words)].lower() if words else None
            value = said if said is not None else self.build(item_schema, name, depth + 1)
            if schema.get("uniqueItems") and value in items:
                value = self.build(item_schema, f"{name} {len(items)}", depth + 1)
                if value in items:
                    break
            items.append(value)
        return items

    def build_object(self, schema: dict, name: str, depth: int) -> dict:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        value = {}
        for key, sub in properties.items():
            value[key] = self.build(sub, key, depth + 1)
        extra = required - set(properties)
        additional = schema.get("additionalProperties", True)
        for key in sorted(extra):
            value[key] = self.build(additional if isinstance(additional, dict) else {}, key, depth)
        if not value and int(schema.get("minProperties", 0)) > 0:
            value["answer"] = self.build(
                additional if isinstance(additional, dict) else {}, "answer", depth
            )
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


def merge_all_of(schema: dict) -> dict:
    """Return ``allOf``'s object schemas merged into one (properties and required combined)."""
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema["allOf"]:
        if not isinstance(part, dict):
            raise UnsupportedSchema("allOf parts must be schema objects")
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {}).update(value)
            elif key == "required":
                merged["required"] = sorted(set(merged.get("required", [])) | set(value))
            else:
                merged.setdefault(key, value)
    return merged


def generate_value(schema: Any, seed: int, words: Words, message: str | None = None) -> Any:
    """Return a value valid for ``schema``, the same for the same seed; raise UnsupportedSchema.

    ``message``: the conversation's last user message; values are taken from it where a
    property fits (:class:`Facts`).
    """
    check_schema(schema, "the schema")
    rng = np.random.default_rng(seed)
    value = ValueBuilder(schema, rng, words, Facts(message)).build(schema)
    import jsonschema
    from referencing.exceptions import Unresolvable

    validator = jsonschema.validators.validator_for(schema)(schema)
    try:
        errors = sorted(validator.iter_errors(value), key=str)
    except (Unresolvable, RecursionError) as exc:
        raise UnsupportedSchema(f"the schema cannot be checked: {exc}") from None
    if errors:
        raise UnsupportedSchema(
            f"the stand-in could not build a value for this schema: {errors[0].message}"
        )
    return value


def generate_json_object(seed: int, words: Words, topic: str, *, marked: bool = True) -> dict:
    """Return the answer to ``response_format: {"type": "json_object"}``: a small object.

    ``marked`` adds ``"stand_in": true`` (the teaching profile); the today profile marks
    nothing in bodies, so its object is just ``answer`` and ``seed``.
    """
    value: dict[str, Any] = {"answer": words(topic, 8).strip()}
    if marked:
        value["stand_in"] = True
    value["seed"] = seed
    return value


def dumps(value: Any) -> str:
    """Return compact JSON text, as a model's structured answer is one string."""
    return json.dumps(value, ensure_ascii=False)


# --- tools ------------------------------------------------------------------------------------


def tool_words(tool: dict) -> set[str]:
    """Return the lower-case words (4+ letters) of a tool's name and description."""
    function = tool["function"]
    name = re.sub(r"([a-z])([A-Z])", r"\1 \2", function["name"]).replace("_", " ")
    text = name + " " + (function.get("description") or "")
    return {w.lower() for w in WORD.findall(text)}


def mentioned_tool(tools: list[dict], user_text: str) -> dict | None:
    """Return the first tool whose name or description shares a 4+ letter word with the text."""
    said = {w.lower() for w in WORD.findall(user_text)}
    for tool in tools:
        if tool_words(tool) & said:
            return tool
    return None


def choose_tool(tools: list[dict], tool_choice: Any, user_text: str | None) -> dict | None:
    """Return the tool to call, or None for a prose answer (rules in the module docstring).

    ``user_text`` is None when the conversation does not end with a user message (e.g. it ends
    with a tool result): then ``"auto"`` answers in prose.
    """
    if not tools or tool_choice == "none":
        return None
    if isinstance(tool_choice, dict):
        wanted = tool_choice["function"]["name"]
        return next(t for t in tools if t["function"]["name"] == wanted)
    match = mentioned_tool(tools, user_text) if user_text is not None else None
    if tool_choice == "required":
        return match or tools[0]
    return match
