"""YAML with line numbers: every mapping is a `LineDict` and every sequence a `LineList` that
remember the 1-based line of the node and of each key or item. Timestamps stay strings."""
from __future__ import annotations

from typing import Any

import yaml


class DuplicateKey(ValueError):
    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(message)


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping from the file: `.line` (1-based) and `.key_lines[key]`."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):  # type: ignore[type-arg]
    line: int = 0
    item_lines: list[int]


class Loader(yaml.SafeLoader):
    pass


# Timestamps stay strings (the runner parses them); YAML 1.1 would turn them into datetimes.
Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader: Loader, node: yaml.MappingNode) -> LineDict:
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise DuplicateKey(key_node.start_mark.line + 1, f"key {key!r} appears twice in one mapping")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader: Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
