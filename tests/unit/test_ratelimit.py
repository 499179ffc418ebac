"""core.ratelimit: counting per scope and caller, refusing past the limit with Retry-After, and reset."""

import pytest

from coachway.core import ratelimit
from coachway.core.errors import TooManyRequests


@pytest.fixture(autouse=True)
def fresh_counts():
    ratelimit.reset()
    yield
    ratelimit.reset()


def test_requests_within_the_limit_pass():
    for _ in range(3):
        ratelimit.hit("test", "10.0.0.1", "3/minute")


def test_the_request_over_the_limit_is_refused_with_retry_after():
    for _ in range(3):
        ratelimit.hit("test", "10.0.0.1", "3/minute")
    with pytest.raises(TooManyRequests) as caught:
        ratelimit.hit("test", "10.0.0.1", "3/minute")
    assert caught.value.status == 429
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 60


def test_each_address_has_its_own_count():
    for _ in range(2):
        ratelimit.hit("test", "10.0.0.1", "2/minute")
    ratelimit.hit("test", "10.0.0.2", "2/minute")
    with pytest.raises(TooManyRequests):
        ratelimit.hit("test", "10.0.0.1", "2/minute")


def test_each_scope_has_its_own_count():
    ratelimit.hit("estimates", "10.0.0.1", "1/minute")
    ratelimit.hit("leads", "10.0.0.1", "1/minute")
    with pytest.raises(TooManyRequests):
        ratelimit.hit("estimates", "10.0.0.1", "1/minute")


def test_the_longer_window_of_several_limits_also_counts():
    for _ in range(3):
        ratelimit.hit("test", "10.0.0.1", "10/minute;3/day")
    with pytest.raises(TooManyRequests) as caught:
        ratelimit.hit("test", "10.0.0.1", "10/minute;3/day")
    assert int(caught.value.headers["Retry-After"]) > 60


def test_an_unknown_address_is_counted_under_one_key():
    ratelimit.hit("test", None, "1/minute")
    with pytest.raises(TooManyRequests):
        ratelimit.hit("test", None, "1/minute")


def test_reset_forgets_the_counts():
    ratelimit.hit("test", "10.0.0.1", "1/minute")
    ratelimit.reset()
    ratelimit.hit("test", "10.0.0.1", "1/minute")


def test_a_limit_string_that_is_not_in_the_notation_is_an_error():
    with pytest.raises(ValueError):
        ratelimit.hit("test", "10.0.0.1", "lots please")


def test_the_default_settings_parse():
    from coachway.config import Settings

    settings = Settings()
    assert [str(i) for i in ratelimit.parse_limits(settings.public_quote_rate_limit)]
    assert len(ratelimit.parse_limits(settings.public_lead_rate_limit)) == 2
