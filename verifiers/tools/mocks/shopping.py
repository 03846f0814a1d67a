"""Shopping: a product catalogue invented from the query, a cart and checkout in the sandbox, order tracking."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.registry import LIMIT, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, Rand, clip, iso

MOCKS: list[Mock] = []
mock = collector("shopping", MOCKS, "shop store ecommerce")

_BRANDS = ("Acme", "Nordic", "Zenith", "Apex", "Lumen", "Orbit", "Vertex", "Nova")
_ADJ = ("Pro", "Lite", "Plus", "Max", "Mini", "Classic", "Eco", "Ultra")
_PRODUCT_ID = "product_id id item_id sku product asin item product_code"


def product(pid: str) -> dict[str, Any]:
    """The catalogue entry for an id; stable for the same id everywhere."""
    rand = Rand("product", pid)
    base = pid.split("-")[1] if pid.count("-") >= 2 else "item"
    return {"product_id": pid, "name": f"{rand.choice(_BRANDS)} {base.replace('_', ' ').title()} "
            f"{rand.choice(_ADJ)}", "price": rand.uniform(9, 480), "currency": "USD",
            "rating": rand.uniform(3.2, 4.9, 1), "reviews": rand.randint(3, 12_000),
            "in_stock": rand.random() < 0.85, "seller": rand.choice(("Official Store", "BestDeals", "ShopCo"))}


def _pid(query: str, i: int) -> str:
    key = "_".join(query.lower().split())[:24] or "item"
    return f"P-{key}-{Rand('pid', query.lower(), i).hexstr(6)}"


@mock("product_search", topic="product products shop shopping store catalog catalogue item items amazon",
      extra="search find browse list look", anti="cart checkout order track review",
      desc="search products in the store catalog by keyword with price filters",
      params={"query": QUERY + " product name", "min_price": "min_price price_min minimum_price",
              "max_price": "max_price price_max maximum_price budget", "category": "category department",
              "limit": LIMIT, "sort": "sort sort_by order_by"},
      required=("query",), example={"query": "wireless headphones", "max_price": 200},
      summary="Search products")
def product_search(c: Call) -> dict[str, Any]:
    query = c.need("query", limit=120)
    lo, hi = c.num("min_price", 0.0) or 0.0, c.num("max_price")
    items = [product(_pid(query, i)) for i in range(8)]
    items = [p for p in items if p["price"] >= lo and (hi is None or p["price"] <= hi)]
    sort = c.text("sort").lower()
    if "price" in sort:
        items.sort(key=lambda p: p["price"], reverse="desc" in sort or "high" in sort)
    elif "rating" in sort:
        items.sort(key=lambda p: -p["rating"])
    return {"query": query, "results": items[: c.integer("limit", 5, 1, 20)], "total": len(items)}


@mock("product_details", topic="product item sku", extra="details detail info information get lookup describe "
      "specs", anti="search cart order", desc="details of one product by id",
      params={"product_id": _PRODUCT_ID}, required=("product_id",), example={"product_id": "P-mouse-a1b2c3"},
      summary="Product details")
def product_details(c: Call) -> dict[str, Any]:
    pid = c.need("product_id", limit=80)
    out = product(pid)
    rand = Rand("specs", pid)
    out |= {"description": f"{out['name']}: durable, well reviewed and backed by a 2-year warranty.",
            "specifications": {"weight_g": rand.randint(80, 4000), "color": rand.choice(("black", "white", "blue")),
                               "warranty_years": 2},
            "shipping": {"free": out["price"] > 35, "days": rand.randint(1, 5)}}
    return out


def _wanted(c: Call) -> tuple[str, int, dict[str, Any]]:
    """(product id, quantity, product) of a call that adds or buys, checked: 1-99 of a product in stock."""
    pid = c.need("product_id", limit=80)
    qty = c.integer("quantity", 1, -10**6, 10**6)
    if not 1 <= qty <= 99:
        raise MockError("quantity must be between 1 and 99")
    item = product(pid)
    if not item["in_stock"]:
        raise MockError(f"product '{pid}' is out of stock")
    return pid, qty, item


@mock("cart_add", topic="cart basket bag", extra="add put insert", anti="view list show remove delete checkout",
      desc="add a product to the shopping cart", params={"product_id": _PRODUCT_ID, "quantity": "quantity qty count "
                                                         "amount number units"},
      required=("product_id",), example={"product_id": "P-mouse-a1b2c4", "quantity": 2}, summary="Add to cart")
def cart_add(c: Call) -> dict[str, Any]:
    pid, qty, item = _wanted(c)
    line = next((line for line in c.state.cart if line["product_id"] == pid), None)
    if line is not None and line["quantity"] + qty > 99:
        raise MockError(f"the cart already holds {line['quantity']} of '{pid}': at most 99 per product")
    new = {"product_id": pid, "name": item["name"], "unit_price": item["price"],
           "quantity": qty + (line["quantity"] if line else 0)}
    c.state.reserve("cart items", pid, new)
    if line is None:
        c.state.cart.append(new)
    else:
        line.update(new)
    return _cart(c) | {"added": {"product_id": pid, "quantity": qty}}


def _cart(c: Call) -> dict[str, Any]:
    lines = [dict(line, line_total=round(line["unit_price"] * line["quantity"], 2)) for line in c.state.cart]
    subtotal = round(sum(line["line_total"] for line in lines), 2)
    return {"items": lines, "item_count": sum(line["quantity"] for line in lines), "subtotal": subtotal,
            "currency": "USD"}


@mock("cart_view", topic="cart basket bag", extra="view show get list contents total", anti="add remove checkout",
      desc="show the shopping cart contents and total", params={}, example={}, summary="View the cart")
def cart_view(c: Call) -> dict[str, Any]:
    return _cart(c)


@mock("cart_remove", topic="cart basket bag", extra="remove delete drop clear", anti="add view checkout",
      desc="remove a product from the shopping cart", params={"product_id": _PRODUCT_ID}, required=("product_id",),
      example={"product_id": "P-missing-000000"}, summary="Remove from cart")
def cart_remove(c: Call) -> dict[str, Any]:
    pid = c.need("product_id", limit=80)
    before = len(c.state.cart)
    c.state.cart[:] = [line for line in c.state.cart if line["product_id"] != pid]
    if len(c.state.cart) == before:
        raise MockError(f"product '{pid}' is not in the cart")
    c.state.release("cart items", pid)
    return _cart(c) | {"removed": pid}


@mock("checkout", topic="checkout purchase buy order pay payment", extra="place submit complete confirm cart",
      anti="track status search refund cancel food meal pizza stock share",
      desc="check out the cart and place the order",
      params={"address": "address shipping_address delivery_address ship_to", "payment": "payment payment_method "
              "card method"}, example={"shipping_address": "1 Main St, Springfield", "payment_method": "card"},
      summary="Check out the cart")
def checkout(c: Call) -> dict[str, Any]:
    cart = _cart(c)
    if not cart["items"]:
        raise MockError("the cart is empty")
    order = _place(c, cart["items"], cart["subtotal"])
    for line in c.state.cart:
        c.state.release("cart items", line["product_id"])
    c.state.cart.clear()
    return order


def _place(c: Call, items: list[dict[str, Any]], subtotal: float) -> dict[str, Any]:
    """A new order in the sandbox: totals, shipping, an id, an estimated delivery."""
    order_id = c.state.new_id("ORD-", items, length=8).upper()
    shipping = 0.0 if subtotal >= 35 else 4.99
    tax = round(subtotal * 0.08, 2)
    order = {"order_id": order_id, "status": "confirmed", "items": items, "subtotal": subtotal,
             "shipping": shipping, "tax": tax, "total": round(subtotal + shipping + tax, 2), "currency": "USD",
             "shipping_address": c.text("address", limit=300) or None, "placed_at": iso(NOW),
             "estimated_delivery": (TODAY + timedelta(days=4)).isoformat()}
    c.state.reserve("orders", order_id, order)
    c.state.orders[order_id] = order
    return order


@mock("buy_product", topic="product item sku", extra="buy purchase order now", anti="search cart track tracking "
      "status history cancel list detail details", desc="buy one product directly and place the order",
      params={"product_id": _PRODUCT_ID, "quantity": "quantity qty count units number",
              "address": "address shipping_address delivery_address ship_to", "payment": "payment payment_method card "
              "method"}, required=("product_id",), example={"product_id": "P-mouse-a1b2c4", "quantity": 1},
      summary="Buy a product")
def buy_product(c: Call) -> dict[str, Any]:
    pid, qty, item = _wanted(c)
    line = {"product_id": pid, "name": item["name"], "unit_price": item["price"], "quantity": qty,
            "line_total": round(item["price"] * qty, 2)}
    return _place(c, [line], line["line_total"]) | {"payment_method": c.text("payment", "card on file", 40)}


@mock("order_history", topic="order orders purchase purchases", extra="history list past recent previous my user "
      "customer get all", anti="track tracking status place checkout cart food",
      desc="list a customer's past orders", params={"user": "user_id user customer_id customer account_id email",
                                                     "limit": LIMIT, "status": "status state filter"},
      example={"user_id": "12345", "limit": 3}, summary="List a customer's orders")
def order_history(c: Call) -> dict[str, Any]:
    who = c.text("user", "me", 120)
    own = [{"order_id": o["order_id"], "status": _status(o), "total": o["total"], "placed_at": o["placed_at"]}
           for o in c.state.orders.values()]
    rand = Rand("orders", who.lower())
    past = [{"order_id": f"ORD-{rand.hexstr(8).upper()}",
             "status": rand.choice(("delivered", "delivered", "shipped", "cancelled")), "total": rand.uniform(12, 350),
             "placed_at": iso(NOW - timedelta(days=rand.randint(5, 200)))} for _ in range(4)]
    orders = sorted(own + past, key=lambda o: o["placed_at"], reverse=True)
    wanted = c.text("status").lower()
    orders = [o for o in orders if not wanted or o["status"] == wanted]
    return {"user": who, "orders": orders[: c.integer("limit", 10, 1, 100)], "count": len(orders)}


@mock("track_order", topic="order orders shipment package parcel delivery tracking", extra="track tracking status "
      "where check get", anti="place checkout cart", desc="track the status and delivery of an order",
      params={"order_id": "order_id order id order_number tracking_number tracking_id number"},
      required=("order_id",), example={"order_id": "ORD-12345"}, summary="Track an order")
def track_order(c: Call) -> dict[str, Any]:
    oid = c.need("order_id", limit=60)
    order = _own(c, oid)
    if order is not None:
        events = [{"time": order["placed_at"], "status": "order placed"}]
        if order["status"] == "cancelled":
            events.append({"time": order["cancelled_at"], "status": "cancelled"})
        return {"order_id": order["order_id"], "status": _status(order),
                "estimated_delivery": order["estimated_delivery"], "events": events}
    return _tracked(oid)


def _own(c: Call, oid: str) -> dict[str, Any] | None:
    """An order this sandbox placed or cancelled, by its id in any case."""
    return c.state.orders.get(oid) or c.state.orders.get(oid.upper())


def _status(order: dict[str, Any]) -> str:
    return "processing" if order["status"] == "confirmed" else order["status"]


def _tracked(oid: str) -> dict[str, Any]:
    """An order placed before the conversation: its state derives from the id alone."""
    if len(oid) < 3:
        raise MockError(f"order '{clip(oid, 40)}' not found")
    rand = Rand("order", oid)
    status = rand.choice(("processing", "shipped", "in transit", "out for delivery", "delivered"))
    placed = NOW - timedelta(days=rand.randint(2, 9))
    events = [{"time": iso(placed), "status": "order placed"}]
    if status != "processing":
        events.append({"time": iso(placed + timedelta(days=1)), "status": "shipped"})
    return {"order_id": oid, "status": status, "carrier": rand.choice(("UPS", "FedEx", "DHL", "USPS")),
            "tracking_number": "1Z" + rand.code(16, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"), "events": events,
            "estimated_delivery": (TODAY + timedelta(days=rand.randint(0, 4))).isoformat()}


@mock("cancel_order", topic="order orders purchase", extra="cancel cancellation void abort", anti="track tracking "
      "status history list place checkout cart food booking reservation",
      desc="cancel an order that has not been delivered and refund it",
      params={"order_id": "order_id order id order_number number", "reason": "reason cancellation_reason note "
              "comment message"}, required=("order_id",),
      example={"order_id": "ORD-12345", "reason": "ordered by mistake"}, summary="Cancel an order")
def cancel_order(c: Call) -> dict[str, Any]:
    oid = c.need("order_id", limit=60)
    order = _own(c, oid)
    if order is None:  # placed before the conversation: cancellable until it is delivered
        tracked = _tracked(oid)
        if tracked["status"] == "delivered":
            raise MockError(f"order '{oid}' was already delivered and cannot be cancelled; request a return instead")
        order = {"order_id": oid, "status": tracked["status"], "total": Rand("order-total", oid).uniform(12, 350),
                 "currency": "USD", "placed_at": tracked["events"][0]["time"], "estimated_delivery": None}
    if order["status"] == "cancelled":
        raise MockError(f"order '{order['order_id']}' is already cancelled")
    previous = _status(order)
    reason = c.text("reason", limit=300) or None
    cancelled = {**order, "status": "cancelled", "cancelled_at": iso(NOW), "reason": reason}
    c.state.reserve("orders", order["order_id"], cancelled)
    c.state.orders[order["order_id"]] = cancelled
    return {"order_id": order["order_id"], "status": "cancelled", "previous_status": previous,
            "cancellation_id": c.state.new_id("CXL-", order["order_id"], length=8).upper(),
            "reason": cancelled["reason"], "refund_amount": order["total"], "currency": order["currency"],
            "refund_method": "original payment method", "refund_eta_days": 5, "cancelled_at": iso(NOW)}
