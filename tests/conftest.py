from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

# Hypothesis deadlines measure wall time, which a loaded 2-core CI machine cannot promise.
settings.register_profile("emulator", deadline=None, print_blob=True)
settings.load_profile("emulator")

from tests.support import Api, emulator_client, new_key


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with emulator_client() as c:
        yield c


@pytest.fixture
def api(client: object) -> Api:
    """A fresh tenant (its own key, clock and data) on the module's in-process emulator."""
    return Api(client, new_key())  # type: ignore[arg-type]
