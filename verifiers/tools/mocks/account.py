"""Users and accounts: profiles, updates, balances, transactions, support tickets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.registry import LIMIT, Call, Mock, collector
from verifiers.tools.mocks.state import FIRST, LAST
from verifiers.tools.mocks.util import NOW, TODAY, MockError, Rand, clip, iso

MOCKS: list[Mock] = []
mock = collector("account", MOCKS, "account")

_USER = "user_id user id username user_name email login account_id customer_id handle member_id uid name"


def profile(c: Call, who: str) -> dict[str, Any]:
    """A user record invented from the identifier; updates made in this sandbox are applied on top."""
    rand = Rand("user", who.lower())
    first, last = rand.choice(FIRST), rand.choice(LAST)
    user = {"user_id": who if who.isdigit() or who.startswith("u") else f"u_{rand.hexstr(8)}",
            "username": who if not who.isdigit() and "@" not in who else f"{first.lower()}{rand.randint(1, 99)}",
            "name": f"{first} {last}", "email": who if "@" in who else f"{first.lower()}.{last.lower()}@example.com",
            "created_at": (TODAY - timedelta(days=rand.randint(30, 2000))).isoformat(),
            "plan": rand.choice(("free", "pro", "team")), "status": "active", "country": rand.choice(("US", "GB", "DE",
                                                                                                     "FR", "JP", "IN"))}
    user.update(c.state.profiles.get(who, {}))
    return user


@mock("user_profile", topic="user users profile account member customer", extra="get info details lookup fetch find "
      "show", anti="update edit change delete balance transaction", desc="look up a user's profile by id username "
      "or email", params={"user": _USER}, required=("user",), example={"user_id": "12345"}, summary="User profile")
def user_profile(c: Call) -> dict[str, Any]:
    who = c.need("user", limit=120)
    if who.lower() in ("0", "null", "none", "-1"):
        raise MockError(f"user '{who}' not found")
    return profile(c, who)


@mock("update_profile", topic="user profile account settings member", extra="update edit change modify set patch",
      anti="get delete", desc="update fields of a user's profile such as name email or plan",
      params={"user": _USER, "name": "name full_name display_name", "email": "email new_email",
              "plan": "plan tier subscription", "fields": "fields updates data changes"},
      required=("user",), example={"user_id": "12345", "email": "new@example.com"}, summary="Update a profile")
def update_profile(c: Call) -> dict[str, Any]:
    who = c.need("user", limit=120)
    changes = {k: c.text(k, limit=200) for k in ("name", "email", "plan") if c.has(k)}
    fields = c.mapping("fields")
    if len(fields) > 20 or any(len(str(k)) > 40 for k in fields):
        raise MockError(f"{c.arg('fields')} may hold at most 20 fields with names of at most 40 characters")
    changes |= {str(k): v for k, v in fields.items() if isinstance(v, str | int | float)}
    if not changes:
        raise MockError("no fields to update")
    if "email" in changes and "@" not in str(changes["email"]):
        raise MockError(f"invalid email address '{clip(str(changes['email']), 60)}'")
    stored = {**c.state.profiles.get(who, {}), **changes}
    c.state.reserve("profiles", who, stored)
    c.state.profiles[who] = stored
    return {"status": "updated", "updated_fields": sorted(changes), "user": profile(c, who)}


@mock("account_balance", topic="balance account bank wallet funds", extra="get check current available show",
      anti="transfer send transaction", desc="current balance of a bank or wallet account",
      params={"account": "account account_id account_number user_id id iban wallet_id", "currency": "currency"},
      example={"account_id": "ACC-001"}, summary="Account balance")
def balance(c: Call) -> dict[str, Any]:
    account = c.text("account", "ACC-001", 60)
    rand = Rand("balance", account)
    value = rand.uniform(50, 25_000)
    return {"account_id": account, "balance": value, "available_balance": round(value - rand.uniform(0, 40), 2),
            "currency": c.text("currency", "USD", 3).upper(), "as_of": iso(NOW)}


@mock("transactions", topic="transaction transactions payment payments statement purchases history spending",
      extra="list get recent history show", anti="send transfer create", desc="recent transactions of an account",
      params={"account": "account account_id user_id id", "limit": LIMIT, "start": "start start_date from since",
              "category": "category type"}, example={"account_id": "ACC-001", "limit": 5},
      summary="List transactions")
def transactions(c: Call) -> dict[str, Any]:
    account = c.text("account", "ACC-001", 60)
    rand = Rand("transactions", account)
    merchants = (("Grocery Mart", "groceries"), ("City Transit", "transport"), ("Coffee House", "dining"),
                 ("Online Books", "shopping"), ("Power & Light", "utilities"), ("Salary", "income"))
    out = []
    for i in range(c.integer("limit", 10, 1, 100)):
        merchant, cat = rand.choice(merchants)
        amount = rand.uniform(2000, 4000) if cat == "income" else -rand.uniform(3, 180)
        out.append({"id": f"txn_{rand.hexstr(10)}", "date": (TODAY - timedelta(days=i * 2 + rand.randint(0, 1)))
                    .isoformat(), "description": merchant, "category": cat, "amount": amount, "currency": "USD"})
    wanted = c.text("category").lower()
    return {"account_id": account, "transactions": [t for t in out if not wanted or t["category"] == wanted]}


@mock("money_transfer", topic="transfer payment pay send money wire venmo paypal zelle", extra="send transfer pay make",
      anti="list history balance", desc="send money to another account or person",
      params={"to": "to recipient payee to_account destination_account beneficiary", "amount": "amount value sum",
              "currency": "currency", "note": "note memo description message reference"},
      required=("to", "amount"), example={"to": "bob@example.com", "amount": 25, "currency": "USD"},
      summary="Send money")
def transfer(c: Call) -> dict[str, Any]:
    to, amount = c.need("to", limit=120), c.need_num("amount")
    if not 0 < amount <= 10_000:
        raise MockError("amount must be positive and at most 10,000 per transfer")
    tid = c.state.new_id("tr_", to, amount)
    return {"transfer_id": tid, "status": "completed", "to": to, "amount": round(amount, 2),
            "currency": c.text("currency", "USD", 3).upper(), "fee": 0.0, "created_at": iso(NOW)}


@mock("support_ticket", topic="ticket support helpdesk issue complaint case zendesk jira", extra="create open submit "
      "file new report raise", desc="open a customer support ticket",
      params={"subject": "subject title summary", "description": "description body details message text content",
              "priority": "priority severity urgency", "email": "email customer_email requester"},
      required=("subject",), example={"subject": "Cannot log in", "description": "Reset link expired"},
      summary="Open a support ticket")
def support_ticket(c: Call) -> dict[str, Any]:
    subject = c.need("subject", limit=200)
    tid = "TCK-" + c.state.new_id("", subject, length=6).upper()
    return {"ticket_id": tid, "status": "open", "subject": subject, "priority": c.text("priority", "normal", 20),
            "created_at": iso(NOW), "expected_response": "within 24 hours"}
