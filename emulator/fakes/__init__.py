"""Deterministic fakes: pure functions from (seed, inputs) to plausible data drawn from the
fixtures in `fixtures/`. Nothing here touches the network, the clock or the store."""
