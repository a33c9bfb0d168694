"""Answers of the stand-in: OpenAI shapes (openai.types), structured values, TGI answers."""
