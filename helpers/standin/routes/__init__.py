"""One router module per surface: hub, legacy, classic, endpoint, pipelines, openai, providers."""
