"""One router module per surface of the stand-in: classic, openai, hub, legacy."""
