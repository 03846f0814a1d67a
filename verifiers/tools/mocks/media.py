"""Media and entertainment: movies, showtimes, music search and playback, sports, books, TV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.places import COORDINATES, label, where
from verifiers.tools.mocks.registry import LIMIT, LOCATION, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, Rand, iso

MOCKS: list[Mock] = []
mock = collector("media", MOCKS)

_GENRES = ("Drama", "Comedy", "Thriller", "Science Fiction", "Animation", "Documentary", "Action", "Romance")


@mock("movie_search", topic="movie movies film films cinema imdb tmdb", extra="search find info details lookup",
      anti="showtime showtimes ticket", desc="search movies by title and get year rating plot",
      params={"query": QUERY + " title movie name film movie_title", "year": "year release_year",
              "limit": LIMIT}, required=("query",), example={"title": "Inception"}, summary="Search movies")
def movie_search(c: Call) -> dict[str, Any]:
    title = c.need("query", limit=120)
    rand = c.seeded(title.lower())
    year = c.integer("year", rand.randint(1975, 2024), 1890, 2030)
    return {"query": title, "results": [{"title": title.title(), "year": year, "genre": rand.sample(_GENRES, 2),
                                         "rating": rand.uniform(5.5, 9.0, 1), "runtime_minutes": rand.randint(85, 170),
                                         "director": f"{rand.choice(('J.', 'M.', 'S.', 'A.'))} "
                                         f"{rand.choice(('Nolan', 'Lee', 'Kim', 'Varda', 'Scott'))}",
                                         "plot": f"The story of {title.title()}, following its characters through "
                                         "a turning point in their lives.",
                                         "movie_id": f"tt{rand.randint(10**6, 10**7)}"}]}


@mock("movie_showtimes", topic="showtime showtimes screening screenings cinema theater theatre movie",
      extra="times ticket tickets playing now", desc="cinema showtimes for a movie in a city on a date",
      params={"movie": "movie title film movie_title name query", "location": LOCATION, "date": "date day",
              **COORDINATES}, required=("location",), alt={"location": ("lat", "lon")},
      example={"movie": "Dune", "location": "Boston"}, summary="Cinema showtimes")
def showtimes(c: Call) -> dict[str, Any]:
    p = where(c)
    movie = c.text("movie", "All movies", 120)
    day = c.day("date", TODAY) or TODAY
    rand = Rand("showtimes", p.name.lower(), movie.lower(), day.isoformat())
    cinemas = []
    for _ in range(2):
        slots = {(rand.randint(11, 22), rand.choice((0, 15, 30, 45))) for _ in range(4)}
        cinemas.append({"cinema": f"{rand.choice(('Regal', 'AMC', 'Odeon', 'Cineworld', 'Pathé'))} {p.name} "
                        f"{rand.choice(('Central', 'Plaza', 'Downtown'))}",
                        "times": sorted(f"{h:02d}:{m:02d}" for h, m in slots), "price": rand.uniform(9, 18)})
    return {"movie": movie, "location": label(p), "date": day.isoformat(), "showtimes": cinemas}


@mock("music_search", topic="music song songs track tracks artist album spotify lyrics", extra="search find lookup",
      anti="play pause skip", desc="search songs artists and albums",
      params={"query": QUERY + " song track title artist album", "type": "type kind search_type", "limit": LIMIT},
      required=("query",), example={"query": "Bohemian Rhapsody"}, summary="Search music")
def music_search(c: Call) -> dict[str, Any]:
    query = c.need("query", limit=120)
    rand = c.seeded(query.lower())
    tracks = [{"track_id": f"trk_{rand.hexstr(10)}", "title": query.title() if i == 0 else
               f"{query.title()} ({rand.choice(('Live', 'Remastered', 'Acoustic', 'Remix'))})",
               "artist": rand.choice(("The Wanderers", "Luna Park", "Maya Reyes", "Northbound", "Echo Valley")),
               "album": f"{rand.choice(('Greatest Hits', 'Blue Hours', 'Horizons', 'Live in Berlin'))}",
               "duration": f"{rand.randint(2, 6)}:{rand.randint(0, 59):02d}", "year": rand.randint(1965, 2025)}
              for i in range(c.integer("limit", 3, 1, 10))]
    return {"query": query, "tracks": tracks}


@mock("music_playback", topic="music song track playlist spotify player playback audio", extra="play pause resume "
      "skip next previous stop volume control start", anti="search find lyrics",
      desc="play pause or skip music on the user's player",
      params={"action": "action command operation control", "query": "query song track playlist uri item title",
              "volume": "volume level"}, example={"action": "play", "query": "lofi beats"},
      summary="Control music playback")
def playback(c: Call) -> dict[str, Any]:
    action = c.text("action", "play", 20).lower()
    if action not in ("play", "pause", "resume", "stop", "next", "skip", "previous", "volume"):
        raise MockError(f"unsupported playback action '{action}'")
    out: dict[str, Any] = {"action": action, "status": "paused" if action in ("pause", "stop") else "playing",
                           "device": "Living Room Speaker"}
    if c.has("query"):
        out["now_playing"] = {"title": c.text("query", limit=120).title(), "artist": "Various Artists"}
    if c.has("volume"):
        out["volume"] = c.integer("volume", 50, 0, 100)
    return out


_TEAM = "team team_name club name query q"


@mock("sports_scores", topic="sport sports score scores game games match matches result results nba nfl mlb nhl "
      "soccer football basketball league fixture", extra="live latest get today sports",
      anti="standing standings table",
      desc="latest scores and results of games for a team or league",
      params={"team": _TEAM, "league": "league competition sport tournament", "date": "date day"},
      example={"team": "Lakers"}, summary="Sports scores")
def scores(c: Call) -> dict[str, Any]:
    team, league = c.text("team", limit=80), c.text("league", limit=40)
    if not team and not league:
        raise MockError("give a team or a league")
    day = c.day("date", TODAY - timedelta(days=1)) or TODAY
    rand = Rand("scores", team.lower(), league.lower(), day.isoformat())
    opponents = ("Rivals FC", "City United", "Wolves", "Hawks", "Tigers", "Sharks", "Giants", "Royals")
    games = []
    for _ in range(1 if team else 3):
        home = team.title() if team else rand.choice(opponents)
        away = rand.choice([o for o in opponents if o != home])
        big = "basket" in (league + c.tool).lower() or league.upper() in ("NBA", "WNBA")
        hi = 130 if big else 5
        games.append({"home_team": home, "away_team": away, "home_score": rand.randint(hi // 4, hi),
                      "away_score": rand.randint(hi // 4, hi), "status": "final", "date": day.isoformat(),
                      "league": league.upper() or None})
    return {"games": games, "as_of": iso(NOW)}


@mock("team_standings", topic="standing standings table ranking rankings league leaderboard",
      extra="get current season team sport sports", desc="league table standings",
      params={"league": "league competition sport division conference", "season": "season year"},
      required=("league",), example={"league": "Premier League"}, summary="League standings")
def standings(c: Call) -> dict[str, Any]:
    league = c.need("league", limit=60)
    rand = Rand("standings", league.lower())
    teams = rand.sample(("Rivals FC", "City United", "Wolves", "Hawks", "Tigers", "Sharks", "Giants", "Royals"), 8)
    rows, points = [], 90
    for i, name in enumerate(teams, 1):
        points -= rand.randint(1, 8)
        rows.append({"position": i, "team": name, "points": points, "played": 38})
    return {"league": league, "season": c.text("season", "2024-25", 20), "standings": rows}


@mock("book_search", topic="book books novel author isbn library goodreads", extra="search find lookup",
      anti="flight hotel restaurant table", desc="search books by title author or isbn",
      params={"query": QUERY + " title author isbn", "limit": LIMIT}, required=("query",),
      example={"query": "Dune Frank Herbert"}, summary="Search books")
def book_search(c: Call) -> dict[str, Any]:
    query = c.need("query", limit=120)
    rand = c.seeded(query.lower())
    books = [{"title": query.title() if i == 0
              else f"{query.title()}: {rand.choice(('A Novel', 'Revisited', 'Part II'))}",
              "author": f"{rand.choice(('Anne', 'Frank', 'Toni', 'Haruki', 'Chimamanda'))} "
              f"{rand.choice(('Herbert', 'Morrison', 'Murakami', 'Adichie', 'Tyler'))}",
              "year": rand.randint(1950, 2025), "isbn": f"978{rand.randint(10**9, 10**10 - 1)}",
              "pages": rand.randint(120, 900), "rating": rand.uniform(3.2, 4.8, 1)}
             for i in range(c.integer("limit", 3, 1, 10))]
    return {"query": query, "books": books}


@mock("tv_schedule", topic="tv television channel broadcast episode series show", extra="schedule guide listings "
      "tonight airing", desc="TV listings for a channel or show",
      params={"channel": "channel network station", "show": "show series title query", "date": "date day"},
      example={"channel": "BBC One"}, summary="TV schedule")
def tv_schedule(c: Call) -> dict[str, Any]:
    channel, show = c.text("channel", "Channel 1", 60), c.text("show", limit=80)
    day = c.day("date", TODAY) or TODAY
    rand = Rand("tv", channel.lower(), show.lower(), day.isoformat())
    listings = [{"time": f"{18 + i}:00", "title": show.title() if show and i == 1 else rand.choice(
        ("Evening News", "Nature Today", "Quiz Night", "The Detective", "Cooking Live", "Late Show")),
                 "duration_minutes": 60} for i in range(5)]
    return {"channel": channel, "date": day.isoformat(), "listings": listings}
