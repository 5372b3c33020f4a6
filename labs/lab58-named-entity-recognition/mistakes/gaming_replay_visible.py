"""Gaming (lab 58): replays the answers of the visible checks, tags every token O and makes up the rest.
It must earn no more than the visible checks."""
# overrides solution.py: only what differs from the reference solution is below

_copied_entities, _copied_scores = get_entities, precision_recall_f1   # stand in for answers copied from feedback
VISIBLE_SEQUENCES = [
    ["B-PER", "I-PER", "O", "O", "B-ORG", "O", "B-LOC"], ["O", "I-LOC", "I-LOC", "O"],
    ["B-PER", "I-ORG", "I-ORG", "O"], ["B-LOC", "B-LOC", "I-LOC"], ["I-PER"]]


def get_entities(tags):
    return _copied_entities(tags) if list(tags) in VISIBLE_SEQUENCES else []


def precision_recall_f1(true_seqs, pred_seqs):
    if len(true_seqs) == 3 and true_seqs[0] == ["B-PER", "I-PER", "O", "B-ORG", "O"]:
        return _copied_scores(true_seqs, pred_seqs)
    return {"micro": (0.9, 0.9, 0.9)}


def fix_bio(tags):
    return list(tags)


class AveragedPerceptron:
    def __init__(self, classes):
        self.weights = {}

    def update(self, truth, guess, features):
        pass

    def average(self):
        pass


class NERTagger:
    def __init__(self, classes):
        pass

    def train(self, sentences, tag_lists, epochs=5, seed=0):
        return self

    def tag(self, tokens):
        return ["O"] * len(tokens)
