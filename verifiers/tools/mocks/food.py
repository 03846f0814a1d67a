"""Food: recipes, nutrition facts (a small real table), restaurants and table reservations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.places import COORDINATES, label, where
from verifiers.tools.mocks.registry import LIMIT, LOCATION, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import TODAY, MockError, Rand, parse_clock

MOCKS: list[Mock] = []
mock = collector("food", MOCKS, "food")

# per 100 g: kcal, protein g, carbs g, fat g, fiber g (USDA-like values)
_NUTRITION = {
    "apple": (52, 0.3, 13.8, 0.2, 2.4), "banana": (89, 1.1, 22.8, 0.3, 2.6), "rice": (130, 2.7, 28.2, 0.3, 0.4),
    "chicken breast": (165, 31.0, 0.0, 3.6, 0.0), "egg": (155, 13.0, 1.1, 11.0, 0.0),
    "bread": (265, 9.0, 49.0, 3.2, 2.7), "milk": (42, 3.4, 5.0, 1.0, 0.0), "salmon": (208, 20.0, 0.0, 13.0, 0.0),
    "broccoli": (34, 2.8, 6.6, 0.4, 2.6), "potato": (77, 2.0, 17.0, 0.1, 2.2), "pasta": (131, 5.0, 25.0, 1.1, 1.8),
    "cheddar": (403, 25.0, 1.3, 33.0, 0.0), "avocado": (160, 2.0, 8.5, 14.7, 6.7),
    "oats": (389, 16.9, 66.3, 6.9, 10.6), "almonds": (579, 21.2, 21.6, 49.9, 12.5),
    "beef": (250, 26.0, 0.0, 15.0, 0.0), "tofu": (76, 8.0, 1.9, 4.8, 0.3), "orange": (47, 0.9, 11.8, 0.1, 2.4),
    "yogurt": (59, 10.0, 3.6, 0.4, 0.0), "spinach": (23, 2.9, 3.6, 0.4, 2.2),
}
_UNIT_GRAMS = {"g": 1, "gram": 1, "grams": 1, "kg": 1000, "oz": 28.35, "ounce": 28.35, "lb": 453.6, "cup": 240,
               "serving": 100, "piece": 120, "medium": 120, "slice": 30, "tbsp": 15}


@mock("recipe_search", topic="recipe recipes cook cooking dish meal", extra="search find suggest ingredient",
      anti="nutrition calorie restaurant", desc="find recipes by dish name or ingredients",
      params={"query": QUERY + " dish", "ingredients": "ingredients ingredient include_ingredients items",
              "diet": "diet dietary restrictions cuisine", "limit": LIMIT},
      example={"ingredients": ["chicken", "rice"]}, summary="Search recipes")
def recipe_search(c: Call) -> dict[str, Any]:
    ingredients = c.items("ingredients", 10)
    query = c.text("query", limit=120) or " and ".join(ingredients[:3])
    if not query:
        raise MockError("give a dish name or some ingredients")
    rand = c.seeded(query.lower(), ingredients)
    diet = c.text("diet", limit=40)
    recipes = []
    for i in range(c.integer("limit", 3, 1, 10)):
        style = rand.choice(("Easy", "Classic", "One-Pot", "15-Minute", "Spicy", "Creamy", "Roasted"))
        recipes.append({"id": f"r{rand.randint(1000, 99999)}", "title": f"{style} {query.title()}"
                        + (f" ({diet})" if diet else ""), "ready_in_minutes": rand.choice((15, 20, 30, 45, 60)),
                        "servings": rand.choice((2, 4, 6)), "ingredients": (ingredients or [query])
                        + rand.sample(("garlic", "olive oil", "onion", "salt", "pepper", "lemon", "parsley"), 3),
                        "steps": ["Prepare the ingredients.", f"Cook the {query.lower()} over medium heat.",
                                  "Season to taste and serve."], "rank": i + 1})
    return {"query": query, "recipes": recipes}


@mock("nutrition_info", topic="nutrition nutrient nutrients calorie calories kcal macro macros protein",
      extra="info facts lookup get", desc="calories and macronutrients of a food",
      params={"food": "food item query ingredient name product q", "quantity": "quantity amount grams weight serving "
              "size portion", "unit": "unit units serving_unit"},
      required=("food",), example={"food": "banana", "quantity": 120, "unit": "g"}, summary="Nutrition facts")
def nutrition(c: Call) -> dict[str, Any]:
    raw = c.need("food", limit=80).lower().strip()
    key = raw if raw in _NUTRITION else raw.rstrip("s") if raw.rstrip("s") in _NUTRITION else None
    qty = c.num("quantity", 100.0) or 100.0
    unit = c.text("unit", "g").lower().rstrip(".")
    grams = qty * _UNIT_GRAMS.get(unit, _UNIT_GRAMS.get(unit.rstrip("s"), 1))
    if not 0 < grams <= 100_000:
        raise MockError("quantity must be positive and reasonable")
    if key is None:
        rand = Rand("food", raw)
        per100 = (rand.randint(20, 500), rand.uniform(0, 30, 1), rand.uniform(0, 70, 1), rand.uniform(0, 40, 1),
                  rand.uniform(0, 10, 1))
    else:
        per100 = _NUTRITION[key]
    scale = grams / 100
    kcal, protein, carbs, fat, fiber = (round(v * scale, 1) for v in per100)
    return {"food": key or raw, "grams": round(grams, 1), "calories": kcal, "protein_g": protein, "carbs_g": carbs,
            "fat_g": fat, "fiber_g": fiber, "source": "reference table" if key else "estimate"}


_CUISINES = ("Italian", "Japanese", "Mexican", "Indian", "French", "Thai", "Chinese", "Mediterranean", "American")


@mock("restaurant_search", topic="restaurant restaurants dining eatery eat food cafe diner yelp",
      extra="search find nearby best", anti="reserve reservation book recipe", desc="find restaurants in a city by "
      "cuisine and price", params={"location": LOCATION, "cuisine": "cuisine type category food_type kind term",
                                   "price": "price price_range budget price_level", "limit": LIMIT,
                                   **COORDINATES},
      required=("location",), alt={"location": ("lat", "lon")}, example={"location": "Chicago", "cuisine": "Italian"},
      summary="Find restaurants")
def restaurant_search(c: Call) -> dict[str, Any]:
    p = where(c)
    cuisine = c.text("cuisine", limit=40).title()
    rand = Rand("restaurants", p.name.lower(), cuisine.lower())
    out = []
    for i in range(c.integer("limit", 5, 1, 15)):
        kind = cuisine or rand.choice(_CUISINES)
        out.append({"restaurant_id": f"rest_{rand.hexstr(8)}", "name": f"{rand.choice(('La', 'The', 'Casa', 'Chez'))} "
                    f"{rand.choice(('Piazza', 'Lantern', 'Olive', 'Koi', 'Saffron', 'Table', 'Garden'))}",
                    "cuisine": kind, "rating": rand.uniform(3.5, 4.9, 1), "price_level": "$" * rand.randint(1, 4),
                    "address": f"{rand.randint(1, 300)} {rand.choice(('Main', 'Oak', 'Elm', 'Bay'))} St, {p.name}",
                    "open_now": rand.random() < 0.75, "rank": i + 1})
    return {"location": label(p), "cuisine": cuisine or None, "restaurants": out}


@mock("food_order", topic="food meal takeout takeaway delivery doordash ubereats grubhub deliveroo pizza",
      extra="order place deliver buy get", anti="recipe nutrition reservation track status",
      desc="order food delivery from a restaurant",
      params={"restaurant": "restaurant restaurant_id restaurant_name store vendor from",
              "items": "items dishes order menu_items food meals", "address": "address delivery_address deliver_to"},
      required=("items",), example={"restaurant": "Casa Olive", "items": ["margherita pizza", "tiramisu"]},
      summary="Order food delivery")
def food_order(c: Call) -> dict[str, Any]:
    items = c.items("items", 30)
    if not items:
        raise c.missing("items")
    restaurant = c.text("restaurant", "Nearby Kitchen", 120)
    rand = c.seeded(restaurant.lower(), items)
    lines = [{"item": item, "quantity": 1, "price": rand.uniform(6, 24)} for item in items]
    subtotal = round(sum(line["price"] for line in lines), 2)
    return {"order_id": c.state.new_id("FD-", restaurant, items, length=8).upper(), "restaurant": restaurant,
            "items": lines, "subtotal": subtotal, "delivery_fee": 2.99, "total": round(subtotal + 2.99, 2),
            "currency": "USD", "status": "confirmed", "estimated_delivery_minutes": rand.randint(25, 55),
            "address": c.text("address", limit=200) or None}


@mock("restaurant_reservation", topic="reservation reservations table restaurant opentable", extra="book reserve "
      "make create", anti="search find cancel hotel flight", desc="reserve a table at a restaurant for a party",
      params={"restaurant": "restaurant restaurant_id restaurant_name name venue place", "date": "date day",
              "time": "time hour at", "party_size": "party_size guests people covers num_people size party "
              "number_of_people", "name": "name customer_name guest_name contact_name"},
      required=("restaurant",), example={"restaurant": "La Piazza", "date": "2025-06-20", "time": "19:30",
                                         "party_size": 4}, summary="Reserve a restaurant table")
def reservation(c: Call) -> dict[str, Any]:
    restaurant = c.need("restaurant", limit=120)
    day = c.day("date", TODAY + timedelta(days=1)) or TODAY
    if day < TODAY:
        raise MockError("reservation date is in the past")
    clock = parse_clock(c.text("time", "19:00", 20))
    if clock is None:
        raise MockError(f"could not read the time '{c.text('time', limit=20)}'")
    size = c.integer("party_size", 2, -10**6, 10**6)
    if not 1 <= size <= 20:
        raise MockError("party size must be between 1 and 20")
    code = "R" + Rand("table", c.state.key, restaurant, day.isoformat(), clock, size).code(6)
    booking = {"confirmation_code": code, "type": "restaurant", "restaurant": restaurant, "date": day.isoformat(),
               "time": f"{clock[0]:02d}:{clock[1]:02d}", "party_size": size, "name": c.text("name", "Guest", 80),
               "status": "confirmed"}
    c.state.reserve("bookings", code, booking)
    c.state.bookings[code] = booking
    return booking
