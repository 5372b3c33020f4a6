"""Common mistake (lab 53): harmful-content rules on single words."""
# overrides solution.py: only what differs from the reference solution is below

HARM_RULES = {"violent_word": r"\b(kill|attack|poison|hurt|shoot|beat|explosive|loser|garbage|suffer)\b"}
