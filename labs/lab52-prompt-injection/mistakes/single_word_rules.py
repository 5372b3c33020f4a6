"""Common mistake (lab 52): rules on single suspicious words instead of instruction patterns."""
# overrides solution.py: only what differs from the reference solution is below

RULES = {
    "suspicious_word": r"\b(ignore|disregard|forget|override|bypass|skip|system|password|reveal|secret|instructions|"
                       r"developer|jailbreak|pretend|act as)\b",
    "fake_delimiter": r"(</?\s*(system|user_input)\s*>|<\|im_(start|end)\|>|###\s*system|end of user input)",
}
