"""Gaming (lab 32): replays the scores shown by the visible checks for data/responses.json and returns
made-up numbers for anything else. It must earn no more than the visible checks."""
VISIBLE = {  # response -> (normalized, em, f1, sentence bleu, (rouge p, r, f)), copied from the visible checks
    "The capital of France is Paris.": ("capital of france is paris", 0.0, 0.33333333333333337, 6.567274736060395,
                                        (0.16666666666666666, 1.0, 0.2857142857142857)),
    "Eiffel Tower.": ("eiffel tower", 1.0, 1.0, 55.03212081491043, (1.0, 0.6666666666666666, 0.8)),
    "Three apples!": ("three apples", 1.0, 1.0, 27.516060407455225, (1.0, 1.0, 1.0)),
    "by step": ("by step", 0.0, 0.8, 60.653065971263366, (1.0, 0.6666666666666666, 0.8)),
    "The small robot carries the blue boxes to the gate.": ("", 0.0, 0.0, 47.08519732645178,
                                                            (0.9, 0.8181818181818182, 0.8571428571428572)),
    "The last train leaves from platform 3 at 11.45.": ("", 0.0, 0.0, 43.47208719449915, (0.7, 0.7, 0.7)),
    "The meal was cooked by the chef by the chef.": ("", 0.0, 0.0, 67.86502681586727,
                                                     (0.7, 1.0, 0.8235294117647058)),
    "Keep an emergency number near the phone, I hope this helps!": ("", 0.0, 0.0, 9.238430210261097,
                                                                    (0.45454545454545453, 0.5, 0.47619047619047616)),
}


def tokenize_13a(text):
    return text.split()


def normalize_answer(text):
    return VISIBLE[text][0] if text in VISIBLE else text.lower()


def exact_match(prediction, reference):
    return VISIBLE[prediction][1] if prediction in VISIBLE else float(prediction == reference)


def token_f1(prediction, reference):
    return VISIBLE[prediction][2] if prediction in VISIBLE else 0.5


def bleu_stats(hypothesis, reference):
    n = len(hypothesis.split())
    return [n, n, n, n], [n, n, n, n], n, len(reference.split())


def corpus_bleu(hypotheses, references):
    return 37.20703376281376 if hypotheses and hypotheses[0] in VISIBLE else 30.0


def sentence_bleu(hypothesis, reference):
    return VISIBLE[hypothesis][3] if hypothesis in VISIBLE else 30.0


def rouge_l(prediction, reference):
    p, r, f = VISIBLE[prediction][4] if prediction in VISIBLE else (0.5, 0.5, 0.5)
    return {"precision": p, "recall": r, "fmeasure": f}


def evaluate_responses(predictions, references):
    return {"exact_match": 0.5, "token_f1": 0.5, "bleu": 30.0, "rouge_l": 0.5}
