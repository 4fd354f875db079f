"""Being a polite, resilient API client: rate limits, retries and the run's time budget.

Shared by every social connector. A connector translates its client library's exceptions into the
few kinds below (``classify``); ``Politeness.call`` then decides, with tenacity:

- ``RateLimited`` with a known reset time: wait until the reset if that is within ``max_wait_seconds``
  and within what is left of the time budget, logging what it waits for and how long; otherwise stop
  the run cleanly (``StopRun``) so the cursor saved so far is kept and the next run resumes.
- ``RateLimited`` without a reset time: bounded exponential backoff, then ``StopRun`` (never spins).
- ``Transient`` (5xx, timeouts, dropped connections): bounded exponential backoff, then ``SourceError``.
- ``AuthFailed``: one clear ``SourceError`` at once, no retry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar

from pydantic import Field
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from connectors.base import SourceBase, SourceError
from rete.secrets import redact

log = logging.getLogger(__name__)
T = TypeVar("T")


class RateLimited(Exception):
    def __init__(self, reset_at: float | None):
        super().__init__("rate limited")
        self.reset_at = reset_at  # epoch seconds when the limit resets, if the API said


class Transient(Exception):
    """A failure worth retrying; the message is ours (status, reason), never the library's text."""


class AuthFailed(Exception):
    """Credentials refused; the message is ours and says where the credentials come from."""


class StopRun(Exception):
    """End this run early but cleanly: what was yielded stands and the next run resumes from it."""


class PoliteSource(SourceBase):
    """Fields every social source block takes on top of ``name``, ``type``, ``time_budget_seconds``."""

    api_base: str | None = Field(
        default=None, pattern=r"^https?://", description="base URL of a compatible API (default: the platform's)"
    )
    credentials: str | None = Field(
        default=None, description="Airflow connection id holding the credentials (default: rete_<type>)"
    )
    page_size: int = Field(default=100, ge=1, le=100, description="posts requested per API call")
    request_timeout_seconds: float = Field(default=30, gt=0)
    retries: int = Field(default=4, ge=0, description="retries of a failed call (5xx, timeout, 429 without reset)")
    backoff_seconds: float = Field(default=2, ge=0, description="first backoff wait; doubles on each retry")
    max_backoff_seconds: float = Field(default=120, ge=0)
    max_wait_seconds: float = Field(
        default=900, ge=0, description="longest wait for a rate-limit reset; a later reset ends the run cleanly"
    )


class Deadline:
    """The end of a run's time budget."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._end = clock() + seconds
        self.seconds = seconds

    def remaining(self) -> float:
        return max(0.0, self._end - self._clock())

    def passed(self) -> bool:
        return self.remaining() <= 0


class Politeness:
    """Runs one API call at a time with the source's retry and rate-limit policy."""

    def __init__(
        self,
        config: PoliteSource,
        platform: str,
        classify: Callable[[BaseException], Exception | None],
        deadline: Deadline,
    ):
        self.config = config
        self.platform = platform
        self.classify = classify
        self.deadline = deadline

    def call(self, what: str, fn: Callable[..., T], *args, **kwargs) -> T:
        """``fn(*args, **kwargs)``, retried per policy. ``what`` names the call in logs and errors."""

        def attempt() -> T:
            try:
                return fn(*args, **kwargs)
            except (RateLimited, Transient, AuthFailed, StopRun, SourceError):
                raise
            except Exception as exc:
                mapped = self.classify(exc)
                if mapped is None:
                    raise
                raise mapped from None

        retrying = Retrying(
            retry=retry_if_exception_type((RateLimited, Transient)),
            stop=self._stop,
            wait=self._wait,
            before_sleep=lambda state: self._log_wait(state, what),
            reraise=True,
        )
        name = self.config.name
        try:
            return retrying(attempt)
        except RateLimited as exc:
            if exc.reset_at is None:
                raise StopRun(f"{self.platform} API rate limit on {what} persisted after {self.config.retries} "
                              "backoff retries; stopping this run, the next one resumes") from None
            raise StopRun(f"{self.platform} API rate limit on {what} resets at {_clock(exc.reset_at)}, beyond "
                          f"max_wait_seconds={self.config.max_wait_seconds:g}, the time budget left or the "
                          f"{self.config.retries} retries; stopping this run, the next one resumes") from None
        except Transient as exc:
            raise SourceError(name, f"{what} failed after {self.config.retries} retries: {exc}") from None
        except AuthFailed as exc:
            raise SourceError(name, f"{self.platform} refused the credentials ({exc})") from None
        except (StopRun, SourceError):
            raise
        except Exception as exc:
            # Unexpected library error: keep its words (they help) but scrub any secret from them.
            raise SourceError(name, f"{what} failed: {type(exc).__name__}: {redact(str(exc))}") from None

    def _reset_wait(self, exc: RateLimited) -> float:
        assert exc.reset_at is not None
        return max(0.0, exc.reset_at - time.time())

    def _stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            wait = self._reset_wait(exc)
            if wait > self.config.max_wait_seconds or wait >= self.deadline.remaining():
                return True
        return state.attempt_number > self.config.retries

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            return self._reset_wait(exc)
        backoff = self.config.backoff_seconds * 2 ** (state.attempt_number - 1)
        return min(backoff, self.config.max_backoff_seconds, self.deadline.remaining())

    def _log_wait(self, state: RetryCallState, what: str) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        source = self.config.name
        if isinstance(exc, RateLimited) and exc.reset_at is not None:
            log.warning("source %r: %s API rate limit hit on %s; waiting %.1fs until it resets at %s",
                        source, self.platform, what, wait, _clock(exc.reset_at))
        elif isinstance(exc, RateLimited):
            log.warning("source %r: %s API rate limit hit on %s without a reset time; backing off %.1fs "
                        "(retry %d of %d)", source, self.platform, what, wait, state.attempt_number,
                        self.config.retries)
        else:
            log.warning("source %r: %s on %s; retrying in %.1fs (retry %d of %d)",
                        source, exc, what, wait, state.attempt_number, self.config.retries)


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M:%S UTC")
