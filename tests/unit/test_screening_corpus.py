"""Precision and recall of the screening over realistic Dutch contact-form messages (`pytest -s` prints them)."""

from tests.support.screening_corpus import negatives, positives, score

REQUIRED = 0.95


def test_the_corpus_has_at_least_200_messages_each_way() -> None:
    assert len(positives()) >= 200
    assert len(negatives()) >= 200


def test_the_screening_catches_the_positives_and_passes_the_negatives() -> None:
    result = score()
    print(f"\n{result.report()}")

    assert result.recall >= REQUIRED, result.report()
    assert result.precision >= REQUIRED, result.report()
