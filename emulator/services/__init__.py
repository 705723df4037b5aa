"""Use-cases: each function takes a `Ctx` (tenant, now, open transaction) and plain values."""
