"""Lab 53 harness (runs inside the sandbox): runs the student's PII detectors on model outputs simulated
from the seed, validates card numbers and IBANs, trains the student's harmful-content classifier on
data/harm_train.jsonl and returns its decisions on outputs drawn from data/harm_pool.jsonl. The truth
(planted PII spans, pool labels in private/) is only known to checks.py, outside the sandbox."""
from __future__ import annotations

import json
import numbers
import random

import numpy as np

from labkit.harness import case

HARM_DRAW = 150
TYPES = ("EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS")
NAMES = ["jane.doe", "j_smith", "alex+news", "m.garcia", "li.wei", "oneil", "sam.k"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.co.uk", "uni.example.edu"]
IBAN_COUNTRIES = {"DE": 18, "FR": 23, "GB": 18, "NL": 14, "ES": 20, "IT": 23}     # BBAN lengths
PII_TEMPLATES = {
    "EMAIL": ["Please send the invoice to {}.", "You can reach the customer at {} any time.", "Her address is {}"],
    "PHONE": ["Call me on {} after lunch.", "The hotline number is {}.", "Text {} to confirm."],
    "CREDIT_CARD": ["The card on file is {}, expiring 12/27.", "Charge {} for the order.", "Card: {}"],
    "IBAN": ["Wire the refund to {} by Friday.", "Her account is {}.", "IBAN {} belongs to the supplier."],
    "IP_ADDRESS": ["The login came from {} at night.", "Server {} is down again.", "Block {}!"],
}
DECOYS = ["Order number {order} shipped today.", "Reference {bad_iban} is not an account number.",
          "Version 10.2.3 was released on 2024-05-01.", "The ping to {bad_ip} failed.", "It costs 1,299.99 euros.",
          "Meeting at 10:30 in room 4.12.", "Tracking code {order}."]
FILLER = ["Thanks for your patience.", "Let me know if anything else is needed.", "The assistant summarised the ticket.",
          "Here is what I found.", "Best regards,"]


def luhn_check_digit(payload):
    total = 0
    for i, ch in enumerate(reversed(payload)):
        digit = int(ch)
        if i % 2 == 0:
            digit = digit * 2 - 9 if digit * 2 > 9 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def card_number(rng, valid=True):
    length = rng.choice([16, 16, 15])
    prefix = {16: rng.choice(["4", "51", "55", "6011"]), 15: rng.choice(["34", "37"])}[length]
    payload = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    check = luhn_check_digit(payload)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    digits = payload + check
    sep = rng.choice([" ", "-", ""])
    groups = [digits[:4], digits[4:10], digits[10:]] if length == 15 else [digits[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(groups)


def iban(rng, valid=True):
    country = rng.choice(sorted(IBAN_COUNTRIES))
    bban = "".join(str(rng.randint(0, 9)) for _ in range(IBAN_COUNTRIES[country]))
    if country == "GB":
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + bban[4:]
    numeric = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    check = 98 - numeric % 97
    if not valid:
        check = (check + rng.randint(1, 50)) % 97 + 2
    compact = f"{country}{check:02d}{bban}"
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)) if rng.random() < 0.6 else compact


def phone(rng):
    a, b, c = rng.randint(200, 989), rng.randint(200, 989), rng.randint(1000, 9999)
    return rng.choice([f"+44 20 {rng.randint(7000, 7999)} {c}", f"+1 {a} {b} {c}", f"+49-30-{rng.randint(1000, 9999)}-{c}",
                       f"({a}) {b}-{c}", f"{a}-{b}-{c}"])


def pii_value(rng, kind):
    if kind == "EMAIL":
        return f"{rng.choice(NAMES)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}"
    if kind == "PHONE":
        return phone(rng)
    if kind == "CREDIT_CARD":
        return card_number(rng)
    if kind == "IBAN":
        return iban(rng)
    return ".".join(str(rng.randint(0, 255)) for _ in range(4))


def pii_document(rng, pieces=5):
    """A simulated model output and its planted PII spans [(start, end, type)]."""
    text, spans = "", []
    for _ in range(pieces):
        roll = rng.random()
        if roll < 0.55:
            kind = rng.choice(TYPES)
            template = rng.choice(PII_TEMPLATES[kind])
            value = pii_value(rng, kind)
            head = template.split("{}")[0]
            start = len(text) + len(head)
            spans.append([start, start + len(value), kind])
            text += template.format(value)
        elif roll < 0.8:
            text += rng.choice(DECOYS).format(order=card_number(rng, valid=False).replace(" ", "").replace("-", ""),
                                              bad_iban=iban(rng, valid=False),
                                              bad_ip=f"{rng.randint(256, 999)}.{rng.randint(0, 255)}.1.{rng.randint(0, 9)}")
        else:
            text += rng.choice(FILLER)
        text += " "
    return text.strip(), spans


def pii_documents(seed, count=40):
    rng = random.Random(f"{seed}:pii")
    return [pii_document(rng) for _ in range(count)]


VISIBLE_DOCUMENTS = [
    "Please send the invoice to jane.doe@example.com. Call me on +44 20 7946 0958 after lunch.",
    "The card on file is 4111 1111 1111 1111, expiring 12/27. Order number 4111111111111112 shipped today.",
    "Wire the refund to DE89 3704 0044 0532 0130 00 by Friday. Reference DE00 3704 0044 0532 0130 00 is not an account number.",
    "The login came from 192.168.0.17 at night. The ping to 256.10.1.1 failed. Version 10.2.3 was released on 2024-05-01.",
]
VISIBLE_NUMBERS = {"cards": ["4111 1111 1111 1111", "4111-1111-1111-1112", "378282246310005", "79927398713"],
                   "ibans": ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 33",
                             "NL91ABNA0417164300"]}


# ----------------------------------------------------------------- validation

def _spans(value, text):
    if not isinstance(value, list):
        raise TypeError(f"find_pii must return a list of (start, end, type) tuples, got {type(value).__name__}")
    out = []
    for span in value:
        if not isinstance(span, (tuple, list)) or len(span) != 3 or not all(isinstance(v, int) for v in span[:2]):
            raise TypeError(f"find_pii returned {span!r}: each span is (start: int, end: int, type: str)")
        if span[2] not in TYPES:
            raise ValueError(f"find_pii returned the type {span[2]!r}; the types are {list(TYPES)}")
        if not 0 <= span[0] < span[1] <= len(text):
            raise ValueError(f"find_pii returned the span {span!r} outside the text of length {len(text)}")
        out.append([int(span[0]), int(span[1]), str(span[2])])
    return out


def _bool(value, what):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must return a bool, got {type(value).__name__}")
    return bool(value)


def _string(value, what):
    if not isinstance(value, str):
        raise TypeError(f"{what} must return a str, got {type(value).__name__}")
    return value


# ----------------------------------------------------------------- cases

@case
def validators(student, ctx):
    if ctx.visible:
        numbers_ = VISIBLE_NUMBERS
        ctx.show(**numbers_)
    else:
        rng = random.Random(f"{ctx.seed}:validators")
        numbers_ = {"cards": [card_number(rng, rng.random() < 0.5) for _ in range(30)] + ["0000 0000 0000 0000"],
                    "ibans": [iban(rng, rng.random() < 0.5) for _ in range(30)] + ["de89 3704 0044 0532 0130 00"]}
    return {"cards": numbers_["cards"], "ibans": numbers_["ibans"],
            "luhn": [_bool(student.luhn_valid(n), "luhn_valid") for n in numbers_["cards"]],
            "iban": [_bool(student.iban_valid(n), "iban_valid") for n in numbers_["ibans"]]}


@case
def pii(student, ctx):
    texts = VISIBLE_DOCUMENTS if ctx.visible else [t for t, _ in pii_documents(ctx.seed)]
    if ctx.visible:
        ctx.show(texts=texts)
    return {"texts": texts, "spans": [_spans(student.find_pii(t), t) for t in texts],
            "redacted": [_string(student.redact(t), "redact") for t in texts]}


@case
def harm(student, ctx):
    if ctx.visible:
        rows = [json.loads(l) for l in (ctx.data_dir / "harm_visible.jsonl").read_text(encoding="utf-8").splitlines()]
        ctx.show(outputs=[r["text"] for r in rows])
    else:
        pool = [json.loads(l) for l in (ctx.data_dir / "harm_pool.jsonl").read_text(encoding="utf-8").splitlines()]
        rows = [pool[i] for i in sorted(random.Random(f"{ctx.seed}:harm").sample(range(len(pool)), HARM_DRAW))]
    train = [json.loads(l) for l in (ctx.data_dir / "harm_train.jsonl").read_text(encoding="utf-8").splitlines()]
    weights = np.asarray(student.train_harm_classifier([r["text"] for r in train], [r["label"] for r in train]))
    if weights.ndim != 1 or not np.issubdtype(weights.dtype, np.floating) or not np.all(np.isfinite(weights)):
        raise ValueError("train_harm_classifier must return a 1-D float array of finite weights, shape (dim + 1,)")
    probabilities = []
    for row in rows:
        p = student.harm_probability(weights, row["text"])
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"harm_probability must return a float in [0, 1], got {p!r}")
        probabilities.append(float(p))
    return {"ids": [r.get("id", i) for i, r in enumerate(rows)], "probabilities": probabilities,
            "decisions": [_bool(student.is_harmful(r["text"], weights), "is_harmful") for r in rows]}
