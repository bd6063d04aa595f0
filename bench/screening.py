"""Precision and recall of the contact form's sensitive-data screening over the test corpus.

    uv run python bench/screening.py

Prints the corpus size, both figures and every message classified wrongly; the corpus lives in
tests/unit/screening_corpus/ and the same figures are asserted by tests/unit/test_screening_corpus.py.
"""

import sys
from pathlib import Path

# The corpus reader lives with the tests; a script's own folder is on the path, the root is not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.screening_corpus import score

if __name__ == "__main__":
    print(score().report())
