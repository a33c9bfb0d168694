"""helpers.client.session.make_retry: which statuses urllib3 retries, and how long it waits.

urllib3 2.x (``src/urllib3/util/retry.py``): a status in ``status_forcelist`` is retried; a
status in ``Retry.RETRY_AFTER_STATUS_CODES`` (413, 429, 503) also when it carries
``Retry-After``; when retrying, ``Retry.sleep`` waits for the response's ``Retry-After`` if it
has one, else for the backoff. Nothing here sleeps: ``time.sleep`` is replaced by a recorder.
"""

from __future__ import annotations

import pytest
from urllib3 import HTTPResponse
from urllib3.util import retry as urllib3_retry

from helpers.client.session import RETRY_STATUSES, make_retry


@pytest.fixture
def slept(monkeypatch):
    """The seconds urllib3 would have slept, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(urllib3_retry.time, "sleep", waits.append)
    return waits


@pytest.mark.parametrize("status", RETRY_STATUSES)
def test_transient_statuses_are_retried_for_post(status):
    assert make_retry().is_retry("POST", status)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 410, 413, 422])
def test_failures_that_a_retry_cannot_cure_are_not_retried(status):
    # bug caught: a 402 (credits spent) or 401 retried, costing time and, live, money
    assert not make_retry().is_retry("POST", status, has_retry_after=False)


def test_urllib3_honours_retry_after_only_for_413_429_503():
    assert frozenset({413, 429, 503}) == urllib3_retry.Retry.RETRY_AFTER_STATUS_CODES
    retry = make_retry()
    assert retry.is_retry("POST", 413, has_retry_after=True)  # urllib3's rule, not ours
    assert not retry.is_retry("POST", 402, has_retry_after=True)


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_waits_as_long_as_retry_after_asks(slept, status):
    response = HTTPResponse(status=status, headers={"Retry-After": "7"})
    make_retry().sleep(response)
    assert slept == [7.0]


def test_without_retry_after_the_wait_is_the_backoff(slept):
    retry = make_retry(backoff_factor=0.5).increment(
        "POST", "/x", response=HTTPResponse(status=500)
    )
    retry = retry.increment("POST", "/x", response=HTTPResponse(status=500))
    retry.sleep(HTTPResponse(status=500))
    assert len(slept) == 1 and 0.5 <= slept[0] <= 1.0 + 0.25  # 0.5 * 2**1, plus jitter


def test_read_failures_are_never_resent():
    # the server may have done (and billed) the work before the read failed
    assert make_retry().read == 0
