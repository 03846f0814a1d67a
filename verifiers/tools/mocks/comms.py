"""Communication: email (seeded inbox, outbox), contacts, chat/SMS messages. State lives in the sandbox."""

from __future__ import annotations

import re
from typing import Any

from verifiers.tools.mocks.registry import LIMIT, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, MockError, clip, iso, words

MOCKS: list[Mock] = []
mock = collector("comms", MOCKS)

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_TO = "to recipient recipients to_email to_address email address send_to receiver emails"


def _addresses(c: Call, name: str) -> list[str]:
    found = []
    for item in c.items(name):
        for part in re.split(r"[\s;,]+", item):
            if not part:
                continue
            if not _EMAIL.fullmatch(part):
                raise MockError(f"invalid email address '{clip(part, 60)}'")
            found.append(part)
    return found


@mock("send_email", topic="email mail gmail outlook smtp", extra="send compose write reply forward draft",
      anti="list read search inbox get fetch check validate verify",
      desc="send an email message to a recipient with subject and body",
      params={"to": _TO, "subject": "subject title topic", "body": "body content message text html body_text",
              "cc": "cc", "bcc": "bcc", "attachments": "attachments attachment files"},
      required=("to",), example={"to": "alice@example.com", "subject": "Hello", "body": "See you soon."},
      summary="Send an email")
def send_email(c: Call) -> dict[str, Any]:
    to = _addresses(c, "to")
    if not to:
        raise c.missing("to")
    msg = {"id": c.state.new_id("msg_", to, c.raw), "from": "me@example.com", "to": to, "cc": _addresses(c, "cc"),
           "bcc": _addresses(c, "bcc"), "subject": c.text("subject", "(no subject)", 300),
           "body": c.text("body", limit=20_000), "attachments": c.items("attachments"), "date": iso(NOW),
           "folder": "sent", "status": "sent"}
    c.state.reserve("sent emails", msg["id"], msg)
    c.state.outbox.append(msg)
    return {"status": "sent", "message_id": msg["id"], "to": to, "subject": msg["subject"], "sent_at": msg["date"]}


def _summary(m: dict[str, Any]) -> dict[str, Any]:
    return {k: m[k] for k in ("id", "from", "to", "subject", "date", "folder") if k in m} | (
        {"unread": m["unread"]} if "unread" in m else {}) | {"snippet": clip(m.get("body", ""), 80)}


@mock("list_emails", topic="email emails mail inbox mailbox outbox sent", extra="list get fetch check read show recent",
      anti="send compose search", desc="list the messages in the inbox or sent folder",
      params={"folder": "folder mailbox box label category", "limit": LIMIT,
              "unread_only": "unread_only unread is_unread only_unread filter_unread"},
      example={"folder": "inbox", "limit": 5}, summary="List emails in a folder")
def list_emails(c: Call) -> dict[str, Any]:
    folder = c.text("folder", "inbox").lower()
    if folder in ("sent", "outbox", "sent items", "sent_mail", "sent mail"):
        mails, folder = list(reversed(c.state.outbox)), "sent"
    elif folder in ("inbox", "all", "primary", "unread", ""):
        mails, folder = c.state.inbox, "inbox"
    else:
        raise MockError(f"folder '{clip(folder, 40)}' not found")
    if c.flag("unread_only") or c.text("folder").lower() == "unread":
        mails = [m for m in mails if m.get("unread")]
    limit = c.integer("limit", 10, 1, 100)
    return {"folder": folder, "total": len(mails), "messages": [_summary(m) for m in mails[:limit]]}


@mock("search_emails", topic="email emails mail inbox mailbox", extra="search find query filter lookup",
      anti="send compose", desc="search emails by keyword sender or subject",
      params={"query": QUERY + " subject keyword", "sender": "sender from from_address from_email author",
              "limit": LIMIT}, example={"query": "invoice"}, summary="Search emails")
def search_emails(c: Call) -> dict[str, Any]:
    query, sender = c.text("query", limit=200).lower(), c.text("sender", limit=200).lower()
    pool = c.state.inbox + c.state.outbox
    hits = [m for m in pool if (not query or query in (m["subject"] + " " + m["body"]).lower())
            and (not sender or sender in (str(m["from"]) + " " + str(m.get("from_name", ""))).lower())]
    return {"query": query, "sender": sender or None, "total": len(hits),
            "messages": [_summary(m) for m in hits[: c.integer("limit", 10, 1, 100)]]}


@mock("validate_email", topic="email mail address", extra="validate validation verify check valid is",
      anti="send list read search", desc="check whether an email address is valid",
      params={"email": "email address email_address mail value input"}, required=("email",),
      example={"email": "alice@example.com"}, summary="Validate an email address")
def validate_email(c: Call) -> dict[str, Any]:
    raw = c.need("email", limit=320)
    valid = bool(_EMAIL.fullmatch(raw)) and ".." not in raw and not raw.startswith(".")
    domain = raw.rsplit("@", 1)[-1].lower() if "@" in raw else None
    return {"email": raw, "valid": valid, "domain": domain, "reason": None if valid else "malformed address",
            "disposable": bool(domain) and domain.split(".")[0] in ("mailinator", "tempmail", "10minutemail")}


@mock("read_email", topic="email mail message", extra="read open get view show detail content by id",
      anti="send list search compose", desc="read one email message by its id",
      params={"id": "id message_id email_id msg_id uid"}, required=("id",),
      example={"message_id": "msg_missing"}, summary="Read one email by id")
def read_email(c: Call) -> dict[str, Any]:
    wanted = c.need("id", limit=80)
    for m in c.state.inbox + c.state.outbox:
        if m["id"] == wanted:
            if "unread" in m:
                m["unread"] = False
            return dict(m)
    raise MockError(f"message '{wanted}' not found")


@mock("search_contacts", topic="contact contacts phonebook addressbook people", extra="search find lookup get list",
      anti="add create new save delete", desc="search the address book for a contact's email and phone",
      params={"query": QUERY + " name contact_name person who email", "limit": LIMIT},
      example={"name": "Alice"}, summary="Search contacts")
def search_contacts(c: Call) -> dict[str, Any]:
    query = c.text("query", limit=120).lower()
    hits = [p for p in c.state.contacts if not query or query in f"{p['name']} {p['email'] or ''}".lower()]
    return {"query": query, "total": len(hits), "contacts": hits[: c.integer("limit", 10, 1, 100)]}


@mock("add_contact", topic="contact contacts address book", extra="add create new save insert",
      anti="search find list delete", desc="add a new contact with name email and phone",
      params={"name": "name full_name contact_name display_name", "email": "email email_address mail",
              "phone": "phone phone_number mobile telephone tel", "company": "company organization org employer"},
      required=("name",), example={"name": "Zoe Park", "email": "zoe@example.com", "phone": "+1-555-0100"},
      summary="Add a contact")
def add_contact(c: Call) -> dict[str, Any]:
    name = c.need("name", limit=120)
    email = c.text("email", limit=200)
    if email and not _EMAIL.fullmatch(email):
        raise MockError(f"invalid email address '{clip(email, 60)}'")
    contact = {"id": c.state.new_id("c_", name), "name": name, "email": email or None,
               "phone": c.text("phone", limit=40) or None, "company": c.text("company", limit=120) or None}
    c.state.reserve("contacts", contact["id"], contact)
    c.state.added_contacts.append(contact)
    return {"status": "created", "contact": contact}


_PLATFORMS = ("slack", "teams", "discord", "whatsapp", "telegram", "signal", "sms", "imessage", "chat")
_CHANNEL = "channel platform service app via medium provider chat_id room conversation"


@mock("send_message", topic="message messages sms text chat slack whatsapp telegram teams discord im",
      extra="send post notify write", anti="email list read get history",
      desc="send a chat or text message to a person phone number or channel",
      params={"to": "to recipient recipient_id user phone phone_number number contact target user_id channel_id",
              "text": "text message body content msg", "channel": _CHANNEL},
      required=("to", "text"), alt={"to": ("channel",)},
      example={"to": "+15550100", "message": "Running 5 minutes late"},
      summary="Send a chat or SMS message")
def send_message(c: Call) -> dict[str, Any]:
    # send_slack_message(channel, text): the channel is where the message goes, the tool names the platform.
    to = c.text("to", limit=120) or c.text("channel", limit=120)
    if not to:
        raise c.missing("to")
    text = c.need("text", limit=4000)
    platform = next((w for w in words(c.tool) if w in _PLATFORMS), "sms")
    channel = c.text("channel", platform, 60) if c.has("to") else platform
    msg = {"id": c.state.new_id("m_", to, text), "to": to, "text": text, "channel": channel,
           "sent_at": iso(NOW), "status": "delivered"}
    c.state.reserve("messages", msg["id"], msg)
    c.state.messages.append(msg)
    return {"status": "delivered", "message_id": msg["id"], "to": to, "channel": msg["channel"],
            "sent_at": msg["sent_at"]}


@mock("list_messages", topic="message messages sms chat conversation", extra="list history get read fetch recent",
      anti="send post email", desc="list recent chat or text messages",
      params={"with": "with contact to from user peer recipient", "limit": LIMIT},
      example={"limit": 5}, summary="List chat or SMS messages")
def list_messages(c: Call) -> dict[str, Any]:
    peer = c.text("with", limit=120).lower()
    sent = [m for m in c.state.messages if not peer or peer in m["to"].lower()]
    first = c.state.contacts[0]
    received = [{"id": "m_in_1", "from": first["phone"], "from_name": first["name"], "text": "Are we still on for "
                 "tomorrow?", "received_at": "2025-06-15T09:12:00Z"}]
    if peer and peer not in (first["phone"] + first["name"]).lower():
        received = []
    return {"sent": sent[-c.integer("limit", 20, 1, 100):], "received": received, "total": len(sent) + len(received)}
