"""Every ```python block in README.md runs as a test file against the plugin."""
from __future__ import annotations

import re
import textwrap

import pytest

from tests.harness.test_plugin import PLUGIN, REPO, inner  # noqa: F401  (the `inner` fixture)

pytest_plugins = ["pytester"]

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_block_passes(inner: pytest.Pytester, index: int) -> None:  # noqa: F811
    inner.makepyfile(textwrap.dedent(BLOCKS[index]))
    result = inner.runpytest(*PLUGIN)
    result.assert_outcomes(passed=len(re.findall(r"^def test_", textwrap.dedent(BLOCKS[index]), flags=re.M)))


def test_the_readme_has_python_examples() -> None:
    assert BLOCKS
