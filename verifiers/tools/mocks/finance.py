"""Finance: stock quotes and history, company profiles, crypto, market cap, exchange rates, conversion.

Prices are anchored on a built-in table and move back in time by a factor seeded by (symbol, date)
(history.py), so the same ticker on the same date always has the same price, whichever tool asks.
A quote, rate or conversion asked for a date answers for that date; a future date is an error.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from verifiers.tools.mocks.history import (
    COIN,
    COIN_START,
    CURRENCY,
    FX_START,
    LISTED,
    STABLE,
    STOCK,
    Drift,
    check_day,
    factor,
    last_trading_day,
)
from verifiers.tools.mocks.registry import DATE, LIMIT, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, Rand, iso

MOCKS: list[Mock] = []
mock = collector("finance", MOCKS, "finance financial market markets")

# ticker: (company, sector, exchange, reference price in USD, shares outstanding in millions)
STOCKS: dict[str, tuple[str, str, str, float, float]] = {
    "AAPL": ("Apple Inc.", "Technology", "NASDAQ", 196.45, 15_000), "MSFT": ("Microsoft Corporation", "Technology",
    "NASDAQ", 474.96, 7_430), "GOOGL": ("Alphabet Inc.", "Communication Services", "NASDAQ", 174.67, 12_200),
    "AMZN": ("Amazon.com, Inc.", "Consumer Discretionary", "NASDAQ", 212.10, 10_600), "META": ("Meta Platforms, Inc.",
    "Communication Services", "NASDAQ", 682.87, 2_520), "NVDA": ("NVIDIA Corporation", "Technology", "NASDAQ", 141.97,
    24_400), "TSLA": ("Tesla, Inc.", "Consumer Discretionary", "NASDAQ", 325.31, 3_220), "NFLX": ("Netflix, Inc.",
    "Communication Services", "NASDAQ", 1212.15, 428), "AMD": ("Advanced Micro Devices, Inc.", "Technology", "NASDAQ",
    116.16, 1_620), "INTC": ("Intel Corporation", "Technology", "NASDAQ", 20.21, 4_360), "IBM": ("International "
    "Business Machines", "Technology", "NYSE", 280.05, 930), "ORCL": ("Oracle Corporation", "Technology", "NYSE",
    176.38, 2_800), "JPM": ("JPMorgan Chase & Co.", "Financials", "NYSE", 265.73, 2_780), "V": ("Visa Inc.",
    "Financials", "NYSE", 355.50, 1_950), "WMT": ("Walmart Inc.", "Consumer Staples", "NYSE", 94.27, 8_010),
    "KO": ("The Coca-Cola Company", "Consumer Staples", "NYSE", 71.10, 4_300), "DIS": ("The Walt Disney Company",
    "Communication Services", "NYSE", 112.87, 1_810), "BA": ("The Boeing Company", "Industrials", "NYSE", 198.34,
    754), "XOM": ("Exxon Mobil Corporation", "Energy", "NYSE", 113.14, 4_310), "PFE": ("Pfizer Inc.", "Health Care",
    "NYSE", 24.30, 5_680), "BRK.B": ("Berkshire Hathaway Inc.", "Financials", "NYSE", 482.54, 2_160),
    "SAP": ("SAP SE", "Technology", "XETRA", 262.40, 1_170), "TM": ("Toyota Motor Corporation", "Consumer "
    "Discretionary", "NYSE", 176.02, 1_340), "BABA": ("Alibaba Group", "Consumer Discretionary", "NYSE", 113.52, 2_390),
}
COMPANY_TICKERS = {name.split()[0].lower().rstrip(",."): t for t, (name, *_rest) in STOCKS.items()}
COMPANY_TICKERS.update({"google": "GOOGL", "alphabet": "GOOGL", "facebook": "META", "amazon": "AMZN",
                        "berkshire": "BRK.B", "coca-cola": "KO", "disney": "DIS", "exxon": "XOM", "toyota": "TM"})
CRYPTO = {"BTC": ("Bitcoin", 105_420.0, 19.88), "ETH": ("Ethereum", 2_535.0, 120.7), "SOL": ("Solana", 152.3, 525.0),
          "BNB": ("BNB", 648.5, 145.9), "XRP": ("XRP", 2.17, 58_900.0), "ADA": ("Cardano", 0.64, 35_400.0),
          "DOGE": ("Dogecoin", 0.178, 149_300.0), "DOT": ("Polkadot", 3.85, 1_620.0),
          "USDT": ("Tether", 1.0, 155_000.0),
          "LTC": ("Litecoin", 87.4, 75.9), "AVAX": ("Avalanche", 19.6, 422.0), "LINK": ("Chainlink", 13.4, 657.0)}
CRYPTO_NAMES = {name.lower(): sym for sym, (name, *_rest) in CRYPTO.items()}
# Units of the currency per 1 USD, mid-June 2025.
RATES = {"USD": 1.0, "EUR": 0.8665, "GBP": 0.7372, "JPY": 144.1, "CHF": 0.8125, "CAD": 1.3585, "AUD": 1.5390,
         "NZD": 1.6560, "CNY": 7.1820, "HKD": 7.8495, "SGD": 1.2830, "INR": 86.07, "KRW": 1362.5, "MXN": 18.95,
         "BRL": 5.5430, "ZAR": 17.86, "SEK": 9.5310, "NOK": 9.9520, "DKK": 6.4650, "PLN": 3.6920, "TRY": 39.36,
         "AED": 3.6725, "THB": 32.45, "RUB": 78.90}
CURRENCY_NAMES = {"dollar": "USD", "us dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
                  "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "yen": "JPY", "franc": "CHF", "yuan": "CNY",
                  "renminbi": "CNY", "rupee": "INR", "rupees": "INR", "won": "KRW", "peso": "MXN", "real": "BRL",
                  "rand": "ZAR", "krona": "SEK", "krone": "NOK", "zloty": "PLN", "lira": "TRY", "dirham": "AED",
                  "baht": "THB", "ruble": "RUB", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_TICKER = re.compile(r"[A-Z]{1,5}(\.[A-Z]{1,2})?")
_TICKER_PARAMS = "symbol ticker stock ticker_symbol stock_symbol company name code instrument security equity"


def ticker(c: Call, name: str = "symbol") -> str:
    raw = c.need(name, limit=40).strip()
    if raw.lower() in COMPANY_TICKERS:
        return COMPANY_TICKERS[raw.lower()]
    sym = raw.upper().lstrip("$")
    if not _TICKER.fullmatch(sym):
        raise MockError(f"unknown ticker '{raw}'")
    return sym


def stock_row(sym: str) -> tuple[str, str, str, float, float]:
    """The table's row, or a stable invented one: markets list far more tickers than any table."""
    if sym in STOCKS:
        return STOCKS[sym]
    rand = Rand("stock", sym)
    return (f"{sym.title()} Holdings Inc.", rand.choice(("Technology", "Industrials", "Health Care", "Financials")),
            rand.choice(("NYSE", "NASDAQ")), rand.uniform(5, 400), float(rand.randint(50, 3000)))


def price_on(sym: str, base: float, day: date) -> float:
    """The ticker's close on a day; today's is the reference price."""
    return round(base * factor("stock", sym, day, STOCK), 2)


def listed(sym: str) -> date:
    return LISTED.get(sym, date(1990, 1, 1) if sym in STOCKS else date(2000, 1, 1))


def ohlc(sym: str, base: float, day: date) -> dict[str, Any]:
    close = price_on(sym, base, day)
    rand = Rand("ohlc", sym, day.isoformat())
    start = round(close * (1 + rand.uniform(-0.01, 0.01, 4)), 2)
    return {"date": day.isoformat(), "open": start,
            "high": round(max(start, close) * (1 + rand.uniform(0.001, 0.015, 4)), 2),
            "low": round(min(start, close) * (1 - rand.uniform(0.001, 0.015, 4)), 2), "close": close,
            "volume": rand.randint(2_000_000, 90_000_000)}


@mock("stock_quote", topic="stock stocks share shares equity ticker nasdaq nyse", extra="price quote current latest",
      anti="history historical chart news crypto bitcoin", desc="stock price quote for a ticker symbol",
      params={"symbol": _TICKER_PARAMS, "date": DATE + " as_of trading_date trade_date"}, required=("symbol",),
      example={"symbol": "AAPL"}, summary="Latest stock price quote")
def stock_quote(c: Call) -> dict[str, Any]:
    sym = ticker(c)
    name, _sector, exchange, base, _shares = stock_row(sym)
    day = c.day("date", TODAY) or TODAY
    check_day(day, listed(sym), sym)
    if day < TODAY:  # the close of that day (the Friday before for a weekend)
        traded = max(last_trading_day(day), listed(sym))
        row = ohlc(sym, base, traded)
        prev = price_on(sym, base, last_trading_day(traded - timedelta(days=1)))
        change = round(row["close"] - prev, 2)
        out = {"symbol": sym, "name": name, "exchange": exchange, "date": day.isoformat(), "price": row["close"],
               "currency": "USD", "change": change, "change_percent": round(change / prev * 100, 2),
               "previous_close": prev, "open": row["open"], "day_high": row["high"], "day_low": row["low"],
               "close": row["close"], "volume": row["volume"]}
        if traded != day:
            out["trading_date"] = traded.isoformat()
            out["note"] = f"markets were closed on {day.strftime('%A')}; close of {traded.isoformat()}"
        return out
    prev = price_on(sym, base, TODAY - timedelta(days=1))
    change = round(base - prev, 2)
    rand = Rand("quote", sym)
    return {"symbol": sym, "name": name, "exchange": exchange, "price": base, "currency": "USD",
            "change": change, "change_percent": round(change / prev * 100, 2), "previous_close": prev,
            "open": round(prev * (1 + rand.uniform(-0.01, 0.01, 4)), 2), "day_high": round(base * 1.012, 2),
            "day_low": round(base * 0.987, 2), "volume": rand.randint(2_000_000, 90_000_000),
            "date": TODAY.isoformat(), "as_of": iso(NOW)}


@mock("stock_history", topic="stock share ticker equity", extra="history historical past chart time series ohlc daily",
      anti="crypto", desc="historical daily stock prices open high low close between dates",
      params={"symbol": _TICKER_PARAMS, "start": "start start_date from from_date since begin",
              "end": "end end_date to to_date until", "days": "days period range n_days limit count interval"},
      required=("symbol",), example={"symbol": "MSFT", "start_date": "2025-06-02", "end_date": "2025-06-13"},
      summary="Historical daily stock prices")
def stock_history(c: Call) -> dict[str, Any]:
    sym = ticker(c)
    base = stock_row(sym)[3]
    end = c.day("end", TODAY) or TODAY
    start = c.day("start")
    if start is None:
        start = end - timedelta(days=c.integer("days", 7, 1, 365) - 1)
    if start > end:
        raise MockError("start date is after end date")
    if (end - start).days > 365:
        raise MockError("at most 365 days of history per request")
    check_day(end, listed(sym), sym)
    check_day(start, listed(sym), sym)
    rows = []
    day = start
    while day <= end:
        if day.weekday() < 5:  # markets close at weekends
            rows.append(ohlc(sym, base, day))
        day += timedelta(days=1)
    return {"symbol": sym, "currency": "USD", "start_date": start.isoformat(), "end_date": end.isoformat(),
            "prices": rows, "count": len(rows)}


@mock("company_profile", topic="company business corporation firm", extra="profile info information overview about",
      desc="company profile sector industry employees headquarters ceo",
      params={"symbol": _TICKER_PARAMS}, required=("symbol",), example={"ticker": "NVDA"},
      summary="Company profile for a ticker")
def company_profile(c: Call) -> dict[str, Any]:
    sym = ticker(c)
    name, sector, exchange, price, shares = stock_row(sym)
    rand = Rand("company", sym)
    return {"symbol": sym, "name": name, "sector": sector, "exchange": exchange,
            "employees": rand.randint(1_000, 300_000), "founded": rand.randint(1900, 2010),
            "headquarters": rand.choice(("Cupertino, CA", "Redmond, WA", "New York, NY", "Austin, TX", "Chicago, IL")),
            "market_cap": round(price * shares * 1e6), "description": f"{name} is a company in the {sector} sector."}


def crypto_symbol(c: Call, name: str = "symbol") -> str:
    raw = c.need(name, limit=40).strip()
    sym = CRYPTO_NAMES.get(raw.lower(), raw.upper())
    sym = sym.removesuffix("-USD").removesuffix("USDT") or sym
    if not re.fullmatch(r"[A-Z0-9]{2,10}", sym):
        raise MockError(f"unknown cryptocurrency '{raw}'")
    return sym


def _crypto_row(sym: str) -> tuple[str, float, float]:
    if sym in CRYPTO:
        return CRYPTO[sym]
    rand = Rand("crypto", sym)
    return sym.title(), rand.uniform(0.01, 50, 4), float(rand.randint(10, 5000))


@mock("crypto_price", topic="crypto cryptocurrency coin bitcoin btc ethereum eth token blockchain",
      extra="price quote current", desc="cryptocurrency price in a fiat currency",
      params={"symbol": "symbol coin crypto id coin_id currency ids name asset token cryptocurrency",
              "currency": "currency vs_currency fiat convert quote_currency vs_currencies in", "date": DATE + " as_of"},
      required=("symbol",), example={"coin": "bitcoin", "vs_currency": "eur"}, summary="Cryptocurrency price")
def crypto_price(c: Call) -> dict[str, Any]:
    sym = crypto_symbol(c)
    name, usd, supply = _crypto_row(sym)
    fiat = currency_code(c.text("currency", "USD"))
    day = c.day("date", TODAY) or TODAY
    check_day(day, COIN_START.get(sym, date(2018, 1, 1)), sym)
    usd *= factor("coin", sym, day, STABLE if sym == "USDT" else COIN)
    price = round(usd * usd_rate(fiat, day), 6 if usd < 1 else 2)
    rand = Rand("crypto-move", sym, day.isoformat() if day < TODAY else "")
    move = 0.1 if sym == "USDT" else 6
    return {"symbol": sym, "name": name, "price": price, "currency": fiat,
            "change_24h_percent": rand.uniform(-move, move), "market_cap": round(price * supply * 1e6),
            "volume_24h": round(price * supply * 1e6 * rand.uniform(0.01, 0.08, 4)), "date": day.isoformat()} | (
        {"as_of": iso(NOW)} if day == TODAY else {})


@mock("market_cap", topic="market cap capitalization capitalisation valuation", extra="market cap",
      desc="market capitalization of a company or coin", params={"symbol": _TICKER_PARAMS + " coin"},
      required=("symbol",), example={"symbol": "TSLA"}, summary="Market capitalization")
def market_cap(c: Call) -> dict[str, Any]:
    raw = c.need("symbol", limit=40)
    if raw.upper() in CRYPTO or raw.lower() in CRYPTO_NAMES:
        sym = CRYPTO_NAMES.get(raw.lower(), raw.upper())
        name, price, supply = CRYPTO[sym]
        return {"symbol": sym, "name": name, "market_cap": round(price * supply * 1e6), "currency": "USD"}
    sym = ticker(c)
    name, _s, _e, price, shares = stock_row(sym)
    cap = round(price * shares * 1e6)
    return {"symbol": sym, "name": name, "market_cap": cap, "market_cap_billions": round(cap / 1e9, 1),
            "currency": "USD", "as_of": iso(NOW)}


def currency_code(raw: str) -> str:
    text = raw.strip()
    code = CURRENCY_NAMES.get(text.lower(), text.upper())
    if code not in RATES:
        raise MockError(f"unknown currency '{text[:40]}'")
    return code


_PAIR = "pair currency_pair fx_pair pairs"
_PAIR_ALT = {"from": ("pair",), "to": ("pair",)}  # "EURUSD" names both currencies
_PAIR_TEXT = re.compile(r"([A-Z]{3})\s*[/_:-]?\s*([A-Z]{3})")


def currency_pair(c: Call) -> tuple[str, str]:
    """(from, to) currency codes: the two arguments, or one pair argument such as EURUSD or EUR/USD."""
    if c.has("from") or c.has("to") or not c.has("pair"):
        return currency_code(c.need("from")), currency_code(c.need("to"))
    raw = c.text("pair", limit=20)
    found = _PAIR_TEXT.fullmatch(raw.strip().upper())
    if not found:
        raise MockError(f"{c.arg('pair')} must name two currencies, like EURUSD or EUR/USD")
    return currency_code(found.group(1)), currency_code(found.group(2))


_FROM = "from from_currency base base_currency source source_currency currency_from have sell src"
_TO = "to to_currency target target_currency quote quote_currency currency_to want buy dest symbols"


_PEGGED = {"USD": Drift(0.0, 0.0, 0.0, 0.0), "AED": Drift(0.0, 0.0, 0.0, 0.0),
           "HKD": Drift(0.0, 0.0, 0.0, 0.002)}


def usd_rate(code: str, day: date) -> float:
    """Units of a currency per US dollar on a day (today: the table's rate)."""
    return RATES[code] * factor("fx", code, day, _PEGGED.get(code, CURRENCY))


def rate_day(c: Call) -> date:
    day = c.day("date", TODAY) or TODAY
    check_day(day, FX_START, "exchange rates")
    return day


@mock("exchange_rate", topic="exchange forex fx rate rates", extra="exchange rate currency",
      anti="convert conversion amount", desc="currency exchange rate between two currencies",
      params={"from": _FROM, "to": _TO, "date": DATE, "pair": _PAIR}, required=("from", "to"), alt=_PAIR_ALT,
      example={"base": "USD", "target": "JPY"}, summary="Exchange rate between two currencies")
def exchange_rate(c: Call) -> dict[str, Any]:
    src, dst = currency_pair(c)
    day = rate_day(c)
    rate = usd_rate(dst, day) / usd_rate(src, day)
    return {"base": src, "target": dst, "rate": round(rate, 6), "inverse_rate": round(1 / rate, 6),
            "date": day.isoformat()}


@mock("currency_conversion", topic="currency currencies money forex fx", extra="convert conversion converter exchange",
      anti="crypto bitcoin unit", desc="convert an amount from one currency to another",
      params={"amount": "amount value sum quantity money total", "from": _FROM, "to": _TO, "pair": _PAIR,
              "date": DATE}, required=("amount", "from", "to"), alt=_PAIR_ALT,
      example={"amount": 100, "from_currency": "USD", "to_currency": "EUR"}, summary="Convert money between currencies")
def convert_currency(c: Call) -> dict[str, Any]:
    amount = c.need_num("amount")
    src, dst = currency_pair(c)
    day = rate_day(c)
    rate = usd_rate(dst, day) / usd_rate(src, day)
    return {"amount": amount, "from": src, "to": dst, "rate": round(rate, 6),
            "converted_amount": round(amount * rate, 2), "result": f"{amount:g} {src} = {amount * rate:,.2f} {dst}",
            "date": day.isoformat()}


@mock("ticker_lookup", topic="ticker symbol", extra="search lookup find company", anti="price quote history",
      desc="find the stock ticker symbol for a company name",
      params={"query": QUERY + " company company_name name", "limit": LIMIT}, required=("query",),
      example={"company_name": "Microsoft"}, summary="Look up a ticker by company name")
def ticker_lookup(c: Call) -> dict[str, Any]:
    query = c.need("query", limit=80).lower()
    hits = [{"symbol": t, "name": row[0], "exchange": row[2]} for t, row in STOCKS.items()
            if query in row[0].lower() or query == t.lower()]
    return {"query": query, "results": hits[: c.integer("limit", 5, 1, 20)], "count": len(hits)}
