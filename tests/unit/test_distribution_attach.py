"""attach-to-schedule's claim is a compare-and-set backed by unique indexes: whatever the
interleaving of reads (stale snapshots) and claims, no slot is claimed twice and no container
lands in two live rows of a layer. Runs the real store (migrations applied) in memory."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.context import Ctx
from emulator.emulator import Emulator
from emulator.services import distribution as dist
from emulator.services import scheduled_posts as sp
from emulator.settings import Settings

START = datetime(2026, 5, 11, tzinfo=UTC)
ACCOUNT = {"id": "sa_unit", "platform": "instagram"}
LAYER = {"id": "pl_unit", "projectId": "prj_unit", "config": {"postingMode": "automatic"}}


async def _world(n_slots: int) -> tuple[Emulator, Ctx, list[dict[str, Any]]]:
    emu = Emulator(Settings(db=":memory:", clock="virtual", start=START, scheduler=False))
    await emu.store.open()
    assert emu.store.direct is not None
    db = emu.store.direct
    tenant = await emu.tenants.create(db, "unit-attach", start=START)
    ctx = Ctx(emu, tenant, START, db)
    rows = []
    for i in range(n_slots):
        row = dist.empty_row(ctx, LAYER, ACCOUNT, START + timedelta(days=1 + i))
        await sp.insert(ctx, row)
        rows.append(row)
    return emu, ctx, rows


def _container(i: int) -> dict[str, Any]:
    return {"id": f"cnt_{i}", "status": "completed", "approvalStatus": "not_required"}


@st.composite
def interleavings(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[tuple[str, int]]]:
    n_slots = draw(st.integers(min_value=1, max_value=4))
    attempts = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, n_slots - 1)), min_size=1, max_size=10))
    events = [("read", i) for i in range(len(attempts))] + [("claim", i) for i in range(len(attempts))]
    order = draw(st.permutations(events))
    seen: set[int] = set()
    fixed: list[tuple[str, int]] = []
    for kind, i in order:  # a claim always follows its own read
        if kind == "claim" and i not in seen:
            fixed.append(("read", i))
            seen.add(i)
        elif kind == "read":
            if i in seen:
                continue
            seen.add(i)
        fixed.append((kind, i))
    return n_slots, attempts, fixed


async def _play(n_slots: int, attempts: list[tuple[int, int]], events: list[tuple[str, int]]) -> None:
    emu, ctx, rows = await _world(n_slots)
    try:
        snapshots: dict[int, dict[str, Any]] = {}
        won: list[tuple[int, str]] = []
        for kind, i in events:
            container_i, slot_i = attempts[i]
            if kind == "read":  # the slot as this attempt saw it (possibly stale by claim time)
                snapshots[i] = await sp.get_row(ctx, rows[slot_i]["id"])
            elif snapshots[i]["status"] == "pending" and snapshots[i]["containerId"] is None:
                if await dist.claim(ctx, snapshots[i], _container(container_i)):
                    won.append((container_i, snapshots[i]["id"]))
        live = await dist.layer_rows(ctx, LAYER["id"], "container_id IS NOT NULL")
        assert sorted(r["id"] for r in live) == sorted(slot for _, slot in won)  # one winner per slot
        holders = [r["containerId"] for r in live]
        assert len(holders) == len(set(holders))  # no container in two slots
        assert {c for c, _ in won} == {int(h.split("_")[1]) for h in holders}
    finally:
        await emu.store.close()


@settings(max_examples=60, deadline=None)
@given(interleavings())
def test_claims_never_double_book_under_any_interleaving(case: tuple[int, list[tuple[int, int]], list[tuple[str, int]]]) -> None:
    asyncio.run(_play(*case))


def test_the_indexes_refuse_what_the_claim_protocol_prevents() -> None:
    async def scenario() -> None:
        emu, ctx, rows = await _world(2)
        try:
            assert await dist.claim(ctx, rows[0], _container(1))
            assert not await dist.claim(ctx, rows[1], _container(1))  # already on the layer
            assert not await dist.claim(ctx, rows[0], _container(2))  # stale: the slot is taken
            twin = sp.new_row(ctx, project_id="prj_unit", container_id="cnt_1", account=ACCOUNT,
                              scheduled_at=START + timedelta(days=9), mode="publish", origin="layer",
                              layer_id=LAYER["id"], status="ready")
            with pytest.raises(sqlite3.IntegrityError):
                await sp.insert(ctx, twin)
            with pytest.raises(sqlite3.IntegrityError):
                await sp.insert(ctx, dist.empty_row(ctx, LAYER, ACCOUNT, START + timedelta(days=2)))
        finally:
            await emu.store.close()

    asyncio.run(scenario())
