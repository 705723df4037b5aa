"""Pure webhook rules: the catalogue, URL rules, the retry ladder, metadata merge."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from emulator.domain import webhook_catalog as cat


def test_catalogue_has_the_twenty_names() -> None:
    assert len(cat.EVENTS) == len(cat.CATALOG) == 20
    for name in ("project.ready", "ads.decision", "lease_request.assigned", "test.ping", "post.canceled"):
        assert name in cat.CATALOG
    assert "project.created" not in cat.CATALOG


def test_event_issues() -> None:
    assert cat.event_issues(["job.completed"]) == []
    assert [i["path"] for i in cat.event_issues(["job.completed", "x", 3])] == ["events[1]", "events[2]"]
    assert [i["path"] for i in cat.event_issues([])] == ["events"]
    assert cat.event_issues("job.completed")[0]["path"] == "events"
    assert cat.dedupe(["a", "b", "a"]) == ["a", "b"]


def test_url_rules() -> None:
    ok = ("https://x.example.com/h", "http://localhost/h", "http://api.localhost:8/h", "http://127.0.0.2:9/h",
          "http://[::1]:80/h", "https://127.0.0.1/h")
    for url in ok:
        assert cat.url_problem(url) is None, url
    for url in ("http://example.com/h", "ftp://x/h", "https:///nohost", "", None, "https://x/" + "a" * 3000,
                "https://x:99999/h", "https://x.example.com/a b"):
        assert cat.url_problem(url) is not None, url
    assert cat.url_problem("http://example.com/h", allow_http=True) is None


def test_ladder_is_eight_attempts_over_about_31_hours() -> None:
    delays = [cat.retry_delay(n) for n in range(9)]
    assert delays[:8] == [timedelta(seconds=s) for s in (0, 30, 60, 300, 900, 3600, 21600, 86400)]
    assert delays[8] is None
    assert sum(d.total_seconds() for d in delays[:8] if d) == 112890


def test_integrations_policy() -> None:
    assert cat.retry_delay(1, policy="integrations", status=404) is None
    assert cat.retry_delay(1, policy="integrations", status=429) == timedelta(seconds=30)
    assert cat.retry_delay(1, policy="integrations", status=None) == timedelta(seconds=30)
    assert cat.retry_delay(5, policy="integrations", status=500) is None


def test_success_is_2xx_only() -> None:
    assert cat.is_success(200) and cat.is_success(299)
    assert not any(cat.is_success(s) for s in (None, 199, 301, 404, 500))


def test_metadata_merge() -> None:
    assert cat.merge_metadata({"a": "1", "b": "2"}, {"a": "", "c": "3"}) == {"b": "2", "c": "3"}
    assert cat.merge_metadata({"a": "1"}, None) == {}


@given(st.integers(min_value=0, max_value=20))
def test_retry_delays_never_shrink(n: int) -> None:
    now, later = cat.retry_delay(n), cat.retry_delay(n + 1)
    if later is not None:
        assert now is not None and later >= now


answers = st.one_of(st.none(), st.integers(min_value=100, max_value=599))


@given(st.lists(answers, min_size=1, max_size=12), st.sampled_from(["ladder", "integrations"]))
def test_delivery_state_machine(statuses: list[int | None], policy: str) -> None:
    """Run a delivery against scripted answers: it ends delivered exactly when an answer was
    2xx, never makes more than the policy's attempts, and waits the ladder's delays between."""
    elapsed, state, made = timedelta(0), "pending", 0
    for status in statuses:
        made += 1
        state, delay = cat.outcome(made, status, policy=policy)
        if state != "pending":
            break
        assert delay is not None
        elapsed += delay
    cap = 5 if policy == "integrations" else 8
    assert made <= cap
    assert (state == "delivered") == cat.is_success(statuses[made - 1])
    if state == "pending":  # answers ran out first: waiting for attempt made + 1
        assert made == len(statuses) and made < cap
        assert elapsed == sum(cat.LADDER[1 : made + 1], timedelta(0))
    else:
        assert state in ("delivered", "failed" if policy == "ladder" else "abandoned")
        assert elapsed == sum(cat.LADDER[1:made], timedelta(0))
