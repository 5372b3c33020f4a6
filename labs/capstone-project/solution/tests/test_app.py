from app import evaluate, predict
from serve import handle


def test_one_team_per_ticket_in_order():
    texts = ["refund for the last invoice", "the app crashes when I upload a file", "I cannot reset my password"]
    assert predict(texts) == ["billing", "technical", "account"]


def test_empty_and_repeated_tickets():
    assert predict(["", "", "refund please"]) == ["technical", "technical", "billing"]


def test_model_beats_the_baseline():
    metrics = evaluate()
    assert metrics["accuracy"] >= metrics["baseline_accuracy"]


def test_api_validates_requests():
    assert handle(b"not json")[0] == 400
    assert handle(b'{"texts": "one"}')[0] == 422
    assert handle(b'{"texts": ["refund please"]}') == (200, {"teams": ["billing"]})
