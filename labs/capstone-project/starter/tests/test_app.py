from app import predict


def test_one_answer_per_text():
    assert len(predict(["first input", "second input"])) == 2
