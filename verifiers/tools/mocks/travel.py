"""Travel: flight search (prices from distance), bookings with confirmation codes, hotels, cars, status."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from verifiers.tools.mocks.places import COORDINATES, Place, distance_km, label, place, where
from verifiers.tools.mocks.registry import Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, Rand, clip, iso, parse_date

MOCKS: list[Mock] = []
mock = collector("travel", MOCKS, "travel trip")

_AIRLINES = (("AA", "American Airlines"), ("BA", "British Airways"), ("LH", "Lufthansa"), ("AF", "Air France"),
             ("DL", "Delta"), ("UA", "United"), ("EK", "Emirates"), ("SQ", "Singapore Airlines"),
             ("NH", "ANA"), ("QF", "Qantas"), ("KL", "KLM"), ("IB", "Iberia"))
_ORIGIN = "origin from departure from_city origin_city departure_city source depart_from from_airport origin_airport " \
          "fly_from"
_DEST = "destination to arrival to_city destination_city arrival_city dest fly_to to_airport destination_airport"
_HOTEL_WORDS = ("Grand", "Park", "City", "Royal", "Riverside", "Central")
_CLASS = {"economy": 1.0, "premium_economy": 1.6, "business": 3.2, "first": 5.0}


def _date(c: Call, name: str, default: date) -> date:
    raw = c.text(name, limit=64)
    if not raw:
        return default
    day = parse_date(raw)
    if day is None:
        raise MockError(f"could not read the date '{clip(raw, 40)}'")
    return day


def _route(c: Call) -> tuple[Place, Place]:
    a, b = place(c.need("origin", limit=120)), place(c.need("destination", limit=120))
    if a.name == b.name:
        raise MockError("origin and destination are the same")
    return a, b


@mock("flight_search", topic="flight flights airfare airline plane fly", extra="search find list look available cheap",
      anti="book reserve status cancel hotel", desc="search flights between two cities on a date with prices",
      params={"origin": _ORIGIN, "destination": _DEST, "date": "date departure_date depart_date outbound_date "
              "travel_date when", "return_date": "return_date return inbound_date", "passengers": "passengers adults "
              "travelers travellers num_passengers pax", "cabin": "cabin class cabin_class travel_class seat_class"},
      required=("origin", "destination"), example={"origin": "London", "destination": "New York",
                                                   "date": "2025-07-01", "passengers": 2}, summary="Search flights")
def flight_search(c: Call) -> dict[str, Any]:
    a, b = _route(c)
    day = _date(c, "date", TODAY + timedelta(days=14))
    if day < TODAY:
        raise MockError("departure date is in the past")
    passengers = c.integer("passengers", 1, 1, 9)
    cabin = c.text("cabin", "economy").lower().replace(" ", "_")
    factor = _CLASS.get(cabin, 1.0)
    km = distance_km(a, b)
    rand = Rand("flights", a.name, b.name, day.isoformat())
    flights = []
    for _ in range(rand.randint(3, 5)):
        code, airline = rand.choice(_AIRLINES)
        dep = datetime(day.year, day.month, day.day, rand.randint(6, 21), rand.choice((0, 15, 30, 45)))
        stops = 0 if km < 3000 or rand.random() < 0.5 else 1
        minutes = int(km / 820 * 60 + 40 + stops * rand.randint(60, 180))
        price = round((60 + km * 0.09 * rand.uniform(0.8, 1.5, 3)) * factor, 2)
        number = f"{code}{rand.randint(100, 9999)}"
        flights.append({"flight_id": f"{number}-{day.strftime('%m%d')}", "airline": airline, "flight_number": number,
                        "from": a.airport, "to": b.airport, "departure": dep.isoformat(timespec="minutes"),
                        "arrival": (dep + timedelta(minutes=minutes)).isoformat(timespec="minutes"),
                        "duration_minutes": minutes, "stops": stops, "cabin": cabin if cabin in _CLASS else "economy",
                        "price_per_person": price, "total_price": round(price * passengers, 2), "currency": "USD"})
    flights.sort(key=lambda f: f["price_per_person"])
    return {"origin": label(a), "destination": label(b), "date": day.isoformat(), "passengers": passengers,
            "flights": flights}


def _confirmation(c: Call, prefix: str, *parts: Any) -> str:
    return prefix + Rand("confirmation", c.state.key, len(c.state.bookings), *parts).code(6)


@mock("book_flight", topic="flight flights airline plane ticket", extra="book booking reserve reservation purchase buy",
      anti="search find status cancel hotel", desc="book a flight and return a confirmation code",
      params={"flight_id": "flight_id flight flight_number id offer_id", "passenger": "passenger passenger_name "
              "name traveler traveller passengers full_name", "email": "email contact_email", "seat": "seat seat_class "
              "cabin"}, required=("flight_id",), example={"flight_id": "BA117-0701", "passenger_name": "Ada Lovelace"},
      summary="Book a flight")
def book_flight(c: Call) -> dict[str, Any]:
    flight = c.need("flight_id", limit=60)
    code = _confirmation(c, "", flight)
    booking = {"confirmation_code": code, "type": "flight", "flight_id": flight, "passenger": c.text("passenger",
               "Guest", 120), "status": "confirmed", "booked_at": iso(NOW), "seat": c.seeded(flight).choice(
               ("12A", "14C", "21F", "7D", "30B"))}
    c.state.reserve("bookings", code, booking)
    c.state.bookings[code] = booking
    return booking


@mock("flight_status", topic="flight airline plane", extra="status track tracking delay delayed arrival departure "
      "gate live", anti="search book", desc="live status of a flight by flight number",
      params={"flight_number": "flight_number flight flight_id number flight_no code", "date": "date"},
      required=("flight_number",), example={"flight_number": "LH400"}, summary="Flight status")
def flight_status(c: Call) -> dict[str, Any]:
    number = c.need("flight_number", limit=20).upper().replace(" ", "")
    if not (2 <= len(number) <= 8 and number[:2].isalnum() and number[2:].isdigit()):
        raise MockError(f"invalid flight number '{clip(number, 20)}'")
    rand = Rand("flight-status", number)
    delay = rand.choice((0, 0, 0, 15, 35, 90))
    dep = NOW.replace(minute=0) + timedelta(hours=rand.randint(-3, 5))
    return {"flight_number": number, "status": "delayed" if delay else "on time", "delay_minutes": delay,
            "scheduled_departure": iso(dep), "estimated_departure": iso(dep + timedelta(minutes=delay)),
            "gate": f"{rand.choice('ABCDE')}{rand.randint(1, 40)}", "terminal": str(rand.randint(1, 5))}


_HOTEL = {"location": "location city destination place where q query area near", "check_in": "check_in checkin "
          "check_in_date arrival start_date from date", "check_out": "check_out checkout check_out_date departure "
          "end_date to", "guests": "guests adults people travelers num_guests occupancy", "rooms": "rooms num_rooms",
          "max_price": "max_price budget price_max max_rate", **COORDINATES}


@mock("hotel_search", topic="hotel hotels accommodation accommodations lodging stay motel hostel airbnb",
      extra="search find list available", anti="book reserve cancel flight", desc="search hotels in a city for dates",
      params=_HOTEL, required=("location",), alt={"location": ("lat", "lon")},
      example={"city": "Paris", "check_in": "2025-07-10", "check_out": "2025-07-13", "guests": 2},
      summary="Search hotels")
def hotel_search(c: Call) -> dict[str, Any]:
    p = where(c)
    check_in = _date(c, "check_in", TODAY + timedelta(days=14))
    check_out = _date(c, "check_out", check_in + timedelta(days=1))
    nights = (check_out - check_in).days
    if nights <= 0 or nights > 60:
        raise MockError("check-out must be 1 to 60 nights after check-in")
    budget = c.num("max_price")
    rand = Rand("hotels", p.name.lower(), check_in.isoformat())
    hotels = []
    for i in range(5):
        stars = rand.randint(2, 5)
        rate = round(40 + stars * rand.uniform(25, 60, 2), 2)
        if budget is not None and rate > budget:
            continue
        name = f"{rand.choice(_HOTEL_WORDS)} {rand.choice(('Hotel', 'Inn', 'Suites', 'Residence'))} {p.name}"
        hotels.append({"hotel_id": f"H{rand.randint(10000, 99999)}", "name": name, "stars": stars,
                       "rating": rand.uniform(6.8, 9.6, 1), "price_per_night": rate,
                       "total_price": round(rate * nights, 2), "currency": "USD", "rank": i + 1,
                       "distance_to_center_km": rand.uniform(0.2, 6, 1)})
    return {"location": label(p), "check_in": check_in.isoformat(), "check_out": check_out.isoformat(),
            "nights": nights, "guests": c.integer("guests", 1, 1, 20), "hotels": hotels}


@mock("book_hotel", topic="hotel room accommodation lodging stay", extra="book booking reserve reservation",
      anti="search find cancel flight", desc="book a hotel room and return a confirmation code",
      params={"hotel_id": "hotel_id hotel id hotel_name property_id property", "location": _HOTEL["location"],
              "check_in": _HOTEL["check_in"], "check_out": _HOTEL["check_out"],
              "guest": "guest guest_name name full_name customer_name", "guests": "guests adults num_guests",
              "rooms": _HOTEL["rooms"], "room_type": "room_type room type"},
      required=("hotel_id",), alt={"hotel_id": ("location",)},
      example={"hotel_id": "H12345", "check_in": "2025-07-10", "check_out": "2025-07-12"}, summary="Book a hotel")
def book_hotel(c: Call) -> dict[str, Any]:
    hotel = c.text("hotel_id", limit=120)
    city = place(c.text("location", limit=120)) if c.has("location") else None
    if not hotel and city is None:
        raise c.missing("hotel_id")
    check_in = _date(c, "check_in", TODAY + timedelta(days=14))
    check_out = _date(c, "check_out", check_in + timedelta(days=1))
    nights = (check_out - check_in).days
    if nights <= 0 or nights > 60:
        raise MockError("check-out must be 1 to 60 nights after check-in")
    if check_in < TODAY:
        raise MockError("check-in date is in the past")
    guests, rooms = c.integer("guests", 1, 1, 20), c.integer("rooms", 1, 1, 10)
    rand = Rand("hotel-booking", hotel.lower(), city.name if city else "")
    name = hotel or f"{rand.choice(_HOTEL_WORDS)} Hotel {city.name if city else ''}".strip()
    rate = round(40 + rand.randint(2, 5) * rand.uniform(25, 60, 2), 2)
    code = _confirmation(c, "HT", hotel or name, check_in.isoformat())
    booking = {"confirmation_code": code, "booking_id": code, "type": "hotel", "hotel_id": hotel or None,
               "hotel_name": name, "location": label(city) if city else None, "check_in": check_in.isoformat(),
               "check_out": check_out.isoformat(), "nights": nights, "guests": guests, "rooms": rooms,
               "room_type": c.text("room_type", "standard", 40), "guest": c.text("guest", "Guest", 120),
               "price_per_night": rate, "total_price": round(rate * nights * rooms, 2), "currency": "USD",
               "status": "confirmed", "booked_at": iso(NOW)}
    c.state.reserve("bookings", code, booking)
    c.state.bookings[code] = booking
    return booking


_CAR_PARAMS = {"location": _HOTEL["location"] + " pickup_location", "pickup": "pickup pickup_date start_date from",
               "dropoff": "dropoff dropoff_date return_date end_date to"}


@mock("car_rental", topic="car rental vehicle", extra="search find available list", anti="book reserve cancel",
      desc="search rental cars at a location for dates",
      params={**_CAR_PARAMS, **COORDINATES}, required=("location",),
      alt={"location": ("lat", "lon")},
      example={"pickup_location": "Miami", "pickup_date": "2025-07-01", "dropoff_date": "2025-07-05"},
      summary="Search rental cars")
def car_rental(c: Call) -> dict[str, Any]:
    p = where(c)
    start = _date(c, "pickup", TODAY + timedelta(days=7))
    days = (_date(c, "dropoff", start + timedelta(days=3)) - start).days
    if not 1 <= days <= 90:
        raise MockError("drop-off must be 1 to 90 days after pick-up")
    rand = Rand("cars", p.name.lower())
    cars = [{"car_id": f"CR{rand.randint(1000, 9999)}", "model": model, "category": cat, "seats": seats,
             "price_per_day": price, "total_price": round(price * days, 2), "currency": "USD",
             "company": rand.choice(("Hertz", "Avis", "Sixt", "Europcar", "Enterprise"))}
            for model, cat, seats, price in (("Toyota Yaris", "economy", 5, rand.uniform(28, 45)),
                                             ("VW Golf", "compact", 5, rand.uniform(38, 60)),
                                             ("Ford Explorer", "suv", 7, rand.uniform(65, 110)))]
    return {"location": label(p), "pickup": start.isoformat(), "days": days, "cars": cars}


@mock("book_car", topic="car rental vehicle", extra="book booking reserve reservation rent hire",
      anti="search find list available cancel", desc="book a rental car and return a confirmation code",
      params={"car_id": "car_id car vehicle_id offer_id id model", "location": _CAR_PARAMS["location"],
              "pickup": _CAR_PARAMS["pickup"], "dropoff": _CAR_PARAMS["dropoff"],
              "driver": "driver driver_name name full_name customer_name", **COORDINATES},
      required=("location",), alt={"location": ("car_id",)},
      example={"pickup_location": "Miami", "pickup_date": "2025-07-01", "dropoff_date": "2025-07-05"},
      summary="Book a rental car")
def book_car(c: Call) -> dict[str, Any]:
    car = c.text("car_id", limit=60)
    p = where(c) if not car or c.has("location") or c.has("lat") else None
    start = _date(c, "pickup", TODAY + timedelta(days=7))
    days = (_date(c, "dropoff", start + timedelta(days=3)) - start).days
    if not 1 <= days <= 90:
        raise MockError("drop-off must be 1 to 90 days after pick-up")
    if start < TODAY:
        raise MockError("pick-up date is in the past")
    rand = Rand("car-booking", car.lower(), p.name.lower() if p else "")
    model, category, price = rand.choice((("Toyota Yaris", "economy", 34.0), ("VW Golf", "compact", 47.0),
                                          ("Ford Explorer", "suv", 86.0)))
    code = _confirmation(c, "CR", car, p.name if p else "", start.isoformat())
    booking = {"confirmation_code": code, "booking_id": code, "type": "car", "car_id": car or None, "model": model,
               "category": category, "pickup_location": label(p) if p else None, "pickup_date": start.isoformat(),
               "dropoff_date": (start + timedelta(days=days)).isoformat(), "days": days,
               "driver": c.text("driver", "Guest", 120), "price_per_day": price,
               "total_price": round(price * days, 2), "currency": "USD", "status": "confirmed", "booked_at": iso(NOW)}
    c.state.reserve("bookings", code, booking)
    c.state.bookings[code] = booking
    return booking


@mock("cancel_booking", topic="booking reservation", extra="cancel cancellation delete void refund",
      desc="cancel a booking or reservation by confirmation code",
      params={"code": "code confirmation confirmation_code confirmation_number booking_id reservation_id id"},
      required=("code",), example={"confirmation_code": "ABC123"}, summary="Cancel a booking")
def cancel_booking(c: Call) -> dict[str, Any]:
    code = c.need("code", limit=40)
    booking = c.state.bookings.get(code) or c.state.bookings.get(code.upper())
    if booking is None:
        raise MockError(f"booking '{code}' not found")
    if booking["status"] == "cancelled":
        raise MockError(f"booking '{booking['confirmation_code']}' is already cancelled")
    cancelled = {**booking, "status": "cancelled", "cancelled_at": iso(NOW)}
    c.state.reserve("bookings", booking["confirmation_code"], cancelled)
    c.state.bookings[booking["confirmation_code"]] = cancelled
    return {"confirmation_code": booking["confirmation_code"], "type": booking["type"], "status": "cancelled",
            "cancelled_at": iso(NOW), "refund": "full refund to the original payment method"}
