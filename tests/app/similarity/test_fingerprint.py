from app.similarity import fingerprint as fp
from tests.app.similarity.samples import INDEPENDENT, ORIGINAL, RENAMED, STARTER

THRESHOLD = 0.6


def score(a: str, b: str, starter: str = STARTER) -> fp.Match:
    exclude = fp.starter_hashes(starter)
    return fp.compare(fp.fingerprint(a, exclude), fp.fingerprint(b, exclude))


def test_normalisation_ignores_names_literals_comments_and_layout():
    one = fp.normalise("x = foo(1, 'a')  # hi\n")
    two = fp.normalise("total=bar( 2 ,\n    \"b\")\n")
    assert [t.text for t in one] == [t.text for t in two] == ["N", "=", "N", "(", "0", ",", "S", ")"]
    assert [t.text for t in fp.normalise("for i in range(3): pass")][:3] == ["for", "N", "in"]


def test_a_renamed_reformatted_copy_is_flagged():
    match = score(ORIGINAL, RENAMED)
    assert match.score >= THRESHOLD, match
    assert match.regions and all(r[0] <= r[1] and r[2] <= r[3] for r in match.regions)
    # the regions cover most of the copied functions on both sides
    covered = {n for r in match.regions for n in range(r[0], r[1] + 1)}
    assert len(covered) >= 20


def test_two_independent_solutions_are_not_flagged():
    match = score(ORIGINAL, INDEPENDENT)
    assert match.score < THRESHOLD, match
    assert score(RENAMED, INDEPENDENT).score < THRESHOLD


def test_starter_code_never_counts_as_a_match():
    # Two students who hand in the starter with one-line bodies of their own share only starter code.
    a = STARTER.replace("raise NotImplementedError", "return None", 1)
    b = STARTER.replace("raise NotImplementedError", "return []", 1)
    assert fp.compare(fp.fingerprint(a), fp.fingerprint(b)).score >= THRESHOLD  # without the exclusion
    assert score(a, b).score == 0.0  # with it


def test_broken_code_still_fingerprints_up_to_the_error():
    assert len(fp.fingerprint(ORIGINAL + "\ndef broken(:\n    (\n")) >= len(fp.fingerprint(ORIGINAL))
    assert fp.fingerprint("") .spans == {}


def test_winnowing_keeps_a_minimum_of_every_window():
    hashes = [5, 3, 9, 3, 7, 8, 1, 6]
    picked = fp.winnow(hashes, 4)
    for start in range(len(hashes) - 3):
        assert any(start <= p < start + 4 and hashes[p] == min(hashes[start:start + 4]) for p in picked)
    assert fp.winnow([], 4) == [] and fp.winnow([4, 2], 4) == [1]


def test_candidate_pairs_come_from_shared_fingerprints():
    docs = {1: fp.fingerprint(ORIGINAL), 2: fp.fingerprint(RENAMED), 3: fp.fingerprint("print('hello world')\n")}
    pairs = fp.candidate_pairs(docs)
    assert (1, 2) in pairs and (1, 3) not in pairs and (2, 3) not in pairs
