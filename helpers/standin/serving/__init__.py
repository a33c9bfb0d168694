"""Answers of the stand-in: OpenAI shapes (openai.types), structured values, TGI answers.

``openai.types`` is imported inside the functions that build an OpenAI-shaped answer, not at
the top: importing openai takes 0.4 to 0.9 s of CPU (its package loads every type), which a
kernel whose lesson asks only the classic and Hub routes need not pay when ``connect()``
starts its stand-in (notebooks 00 and 03: 0.9 and 1.2 s less CPU, measured 2026-12-03)."""
