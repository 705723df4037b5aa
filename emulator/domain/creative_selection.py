"""Creative selection for an ad set: pure (spec measurement.md §9.3).

Candidates are the eligible creatives (best first). Each pool (`generated`, `ugc`, `manual`)
gets its slot count; slots a pool cannot fill are handed out in turn to the pools that still
have candidates; then one wildcard slot takes the single best leftover from any pool.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

POOLS = ("generated", "ugc", "manual")


def select(candidates: Sequence[dict[str, Any]], slots: dict[str, int],
           rank: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    pools = {pool: [r for r in candidates if r["scoringPool"] == pool] for pool in POOLS}
    chosen: list[dict[str, Any]] = []
    spare = 0
    for pool in POOLS:
        n = slots.get(pool, 0)
        take = pools[pool][:n]
        chosen += take
        pools[pool] = pools[pool][len(take):]
        spare += n - len(take)
    while spare > 0 and any(pools.values()):
        for pool in POOLS:
            if spare > 0 and pools[pool]:
                chosen.append(pools[pool].pop(0))
                spare -= 1
    leftovers = sorted((r for rows in pools.values() for r in rows), key=rank)
    if leftovers:
        chosen.append(leftovers[0])
    return chosen
