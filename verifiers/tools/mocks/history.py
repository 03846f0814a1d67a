"""Values on past dates: stock, coin and currency prices for a date, anchored on today's table value.

A past value is today's value times a factor computed from the symbol and the date alone, so a
date's price is the same whichever tool asks and needs no walk over the days in between: a yearly
drift (prices were lower in the past), slow cycles whose periods and phases come from the symbol,
and a small day-to-day wobble seeded by (symbol, date). Dates after today (NOW) have no data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from verifiers.tools.mocks.util import TODAY, MockError, Rand


@dataclass(frozen=True)
class Drift:
    """How a kind of asset moved over the years: yearly log-drift range, cycle size, daily wobble."""
    lo: float
    hi: float
    swing: float
    wobble: float


STOCK = Drift(0.04, 0.16, 0.22, 0.012)
COIN = Drift(0.35, 0.6, 0.45, 0.03)
CURRENCY = Drift(-0.01, 0.03, 0.07, 0.003)
STABLE = Drift(0.0, 0.0, 0.0, 0.001)

# First trading days; a ticker not listed here has data from 1990 (2000 for an invented one).
LISTED = {"AAPL": date(1980, 12, 12), "MSFT": date(1986, 3, 13), "GOOGL": date(2004, 8, 19),
          "AMZN": date(1997, 5, 15), "META": date(2012, 5, 18), "NVDA": date(1999, 1, 22),
          "TSLA": date(2010, 6, 29), "NFLX": date(2002, 5, 23), "V": date(2008, 3, 19), "BABA": date(2014, 9, 19),
          "BRK.B": date(1996, 5, 9)}
COIN_START = {"BTC": date(2010, 7, 17), "ETH": date(2015, 8, 7), "SOL": date(2020, 4, 10), "BNB": date(2017, 7, 25),
              "XRP": date(2013, 8, 4), "ADA": date(2017, 10, 1), "DOGE": date(2013, 12, 15), "DOT": date(2020, 8, 19),
              "USDT": date(2015, 2, 25), "LTC": date(2013, 4, 28), "AVAX": date(2020, 9, 22), "LINK": date(2017, 9, 20)}
FX_START = date(1999, 1, 4)  # the euro's first fixing; the rate table's history starts there


def check_day(day: date, first: date, what: str) -> None:
    """A date with data: not after today, not before `first` (what: "AAPL", "exchange rates")."""
    if day > TODAY:
        raise MockError(f"no data for a future date: {day.isoformat()} is after today ({TODAY.isoformat()})")
    if day < first:
        raise MockError(f"no data for {what} before {first.isoformat()}")


@lru_cache(maxsize=512)
def _shape(kind: str, symbol: str, drift: Drift) -> tuple[float, tuple[tuple[float, float, float], ...]]:
    rand = Rand("history-shape", kind, symbol)
    rate = rand.uniform(drift.lo, drift.hi, 4)
    waves = tuple((drift.swing * share, rand.uniform(period * 0.7, period * 1.3, 1), rand.uniform(0, 2 * math.pi, 4))
                  for share, period in ((0.15, 45), (0.3, 180), (0.55, 700)))
    return rate, waves


def factor(kind: str, symbol: str, day: date, drift: Drift) -> float:
    """Multiplier of today's value on `day` (1.0 today): deterministic in (kind, symbol, day)."""
    ago = (TODAY - day).days
    if ago <= 0:
        return 1.0
    rate, waves = _shape(kind, symbol, drift)

    def cycles(t: int) -> float:
        return sum(a * math.sin(2 * math.pi * t / period + phase) for a, period, phase in waves)

    wobble = Rand("history-day", kind, symbol, day.isoformat()).uniform(-drift.wobble, drift.wobble, 6)
    return math.exp(-rate * ago / 365.25 + cycles(ago) - cycles(0) + wobble)


def last_trading_day(day: date) -> date:
    """The day itself on a weekday, else the Friday before: markets close at weekends."""
    return day - timedelta(days=max(0, day.weekday() - 4))
