"""Builds lab 55's stand-in model catalogue (run once, outside the sandbox; the outputs are committed):
data/catalogue.json (tasks, and for each the completions the stand-in model can produce with their logits)
and private/candidate_status.json (what running each completion against its tests gives)."""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAB = HERE.parent

LOOP = "    while True:\n        pass\n"
MEMORY = "    hog = 'x' * (4 * 1024 ** 3)\n    return hog\n"
TASKS = [
    {"name": "add", "args": "a, b", "description": "Return the sum of a and b.", "example": ["add(2, 3)", "5"],
     "tests": ["assert add(2, 3) == 5", "assert add(-1, 1) == 0", "assert add(0, 0) == 0"],
     "candidates": [("    return a + b\n", 2.0, "passed"), ("    return a - b\n", 0.5, "failed"),
                    ("    return sum(a, b)\n", 0.3, "error")]},
    {"name": "is_palindrome", "args": "text", "description": "Return True if text reads the same backwards.",
     "example": ["is_palindrome('level')", "True"],
     "tests": ["assert is_palindrome('level')", "assert not is_palindrome('lab')", "assert is_palindrome('')"],
     "candidates": [("    return text == text[::-1]\n", 1.5, "passed"), ("    return text == reversed(text)\n", 0.8, "failed"),
                    ("    i = 0\n    while i < len(text):\n        pass\n    return True\n", 0.2, "timeout")]},
    {"name": "factorial", "args": "n", "description": "Return n! for n >= 0.", "example": ["factorial(4)", "24"],
     "tests": ["assert factorial(0) == 1", "assert factorial(5) == 120"],
     "candidates": [("    result = 1\n    for i in range(2, n + 1):\n        result *= i\n    return result\n", 1.2, "passed"),
                    ("    result = 1\n    for i in range(1, n):\n        result *= i\n    return result\n", 1.0, "failed"),
                    ("    return n * factorial(n - 1)\n", 0.6, "error"), (LOOP, 0.1, "timeout")]},
    {"name": "count_vowels", "args": "text", "description": "Return how many of the characters of text are vowels (aeiou, any case).",
     "example": ["count_vowels('Banana')", "3"],
     "tests": ["assert count_vowels('Banana') == 3", "assert count_vowels('sky') == 0", "assert count_vowels('AEIOU') == 5"],
     "candidates": [("    return sum(ch in 'aeiou' for ch in text.lower())\n", 1.4, "passed"),
                    ("    return sum(ch in 'aeiou' for ch in text)\n", 1.1, "failed"),
                    ("    return len([ch for ch in text if ch in VOWELS])\n", 0.4, "error"), (MEMORY, 0.05, "error")]},
    {"name": "fizzbuzz", "args": "n", "description": "Return 'Fizz' for multiples of 3, 'Buzz' for multiples of 5, 'FizzBuzz' for both, else str(n).",
     "example": ["fizzbuzz(15)", "'FizzBuzz'"],
     "tests": ["assert fizzbuzz(15) == 'FizzBuzz'", "assert fizzbuzz(9) == 'Fizz'", "assert fizzbuzz(10) == 'Buzz'",
               "assert fizzbuzz(7) == '7'"],
     "candidates": [("    if n % 15 == 0:\n        return 'FizzBuzz'\n    if n % 3 == 0:\n        return 'Fizz'\n"
                     "    if n % 5 == 0:\n        return 'Buzz'\n    return str(n)\n", 1.0, "passed"),
                    ("    if n % 3 == 0:\n        return 'Fizz'\n    if n % 5 == 0:\n        return 'Buzz'\n"
                     "    if n % 15 == 0:\n        return 'FizzBuzz'\n    return str(n)\n", 1.3, "failed"),
                    ("    return 'Fizz' * (n % 3 == 0) + 'Buzz' * (n % 5 == 0) or str(n)\n", 0.7, "passed")]},
    {"name": "reverse_words", "args": "sentence", "description": "Return the words of sentence in reverse order, joined by single spaces.",
     "example": ["reverse_words('the quick fox')", "'fox quick the'"],
     "tests": ["assert reverse_words('the quick fox') == 'fox quick the'", "assert reverse_words('one') == 'one'",
               "assert reverse_words('  a   b ') == 'b a'"],
     "candidates": [("    return ' '.join(reversed(sentence.split()))\n", 1.6, "passed"),
                    ("    return ' '.join(sentence.split(' ')[::-1])\n", 1.2, "failed"),
                    ("    return sentence[::-1]\n", 0.5, "failed"), ("    return ' '.join(sentence.split()).reverse()\n", 0.2, "error")]},
    {"name": "max_of_list", "args": "values", "description": "Return the largest value of a non-empty list without using max().",
     "example": ["max_of_list([3, 9, 2])", "9"],
     "tests": ["assert max_of_list([3, 9, 2]) == 9", "assert max_of_list([-5, -2]) == -2", "assert max_of_list([4]) == 4"],
     "candidates": [("    best = values[0]\n    for v in values[1:]:\n        if v > best:\n            best = v\n    return best\n", 1.3, "passed"),
                    ("    best = 0\n    for v in values:\n        if v > best:\n            best = v\n    return best\n", 1.1, "failed"),
                    ("    best = values[0]\n    i = 1\n    while i < len(values):\n        best = values[i] if values[i] > best else best\n    return best\n", 0.3, "timeout")]},
]


def main():
    catalogue, status = [], {}
    for task in TASKS:
        entry = {k: task[k] for k in ("name", "args", "description", "example", "tests")}
        entry["candidates"] = [{"completion": code, "logit": logit} for code, logit, _ in task["candidates"]]
        catalogue.append(entry)
        status[task["name"]] = [s for _, _, s in task["candidates"]]
    (LAB / "data" / "catalogue.json").write_text(json.dumps(catalogue, indent=1))
    (HERE / "candidate_status.json").write_text(json.dumps(status, indent=1))


if __name__ == "__main__":
    main()
