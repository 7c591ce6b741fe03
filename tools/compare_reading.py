"""Compare a reading of the seed reports with the seed graph's answers under the default 口径:
`python tools/compare_reading.py docs/acceptance/reading_2.yaml`. Kept apart from the tests, so
a second reading checks the first without the tests ever being fitted to it. Prints every
compound × rule where the reading and the graph differ, and the count of those that agree."""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govgraph.graph.storage.embedded import EmbeddedStore  # noqa: E402
from govgraph.service.core import Service  # noqa: E402
from tests.conftest import seed_batch  # noqa: E402
from tests.integration.test_acceptance import (  # noqa: E402
    NO_GAP,
    answers_of,
    compound_of,
    expected,
    read,
)


def main(reading: Path) -> int:
    entries = read(reading)
    with tempfile.TemporaryDirectory() as folder, \
            EmbeddedStore(Path(folder) / "store.db") as store:
        store.load(seed_batch())
        service = Service(store, personal=True)
        rules = list(expected(entries[0]))
        answers = {rule: answers_of(service, rule) for rule in rules}
    agree = differ = 0
    for entry in entries:
        uid, _ = compound_of(entry)
        for rule, want in expected(entry).items():
            got = answers[rule].get(uid, NO_GAP)
            if want == got:
                agree += 1
                continue
            differ += 1
            print(f"{entry['compound']} · {rule}: the reading says {want}, the graph {got}")
    print(f"{agree} of {agree + differ} answers agree")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
