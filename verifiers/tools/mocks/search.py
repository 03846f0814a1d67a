"""Search: web, news, images, videos, papers and encyclopedia summaries; every hit mentions the query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from verifiers.tools.mocks.registry import LIMIT, QUERY, Call, Mock, collector
from verifiers.tools.mocks.util import NOW, TODAY, MockError, iso, slug

MOCKS: list[Mock] = []
mock = collector("search", MOCKS)

_PARAMS = {"query": QUERY, "limit": LIMIT, "language": "language lang hl locale", "region": "region country gl market"}
_SITES = ("en.wikipedia.org", "www.britannica.com", "medium.com", "www.reddit.com", "stackoverflow.com",
          "www.nytimes.com", "www.theguardian.com", "github.com", "www.investopedia.com", "www.nationalgeographic.com")
_TITLES = ("{Q} - Wikipedia", "What Is {Q}? A Complete Guide", "{Q}: Everything You Need to Know",
           "10 Things to Know About {Q}", "{Q} Explained Simply", "The History of {Q}", "{Q} | Overview and Facts",
           "A Beginner's Guide to {Q}", "Understanding {Q} in 2025", "{Q} - Frequently Asked Questions")
_SNIPPETS = ("{q} is a widely discussed topic; this page covers its background, key facts and recent developments.",
             "Learn about {q}: definitions, examples and expert answers to common questions.",
             "An in-depth look at {q}, with sources and further reading.",
             "Discussion and community answers about {q} from people with hands-on experience.",
             "Latest information on {q}, updated June 2025.")


def _query(c: Call) -> str:
    query = c.need("query", limit=300)
    return " ".join(query.split())


def _count(c: Call, default: int = 5) -> int:
    return c.integer("limit", default, 1, 10)


@mock("web_search", topic="search web internet google bing duckduckgo lookup", extra="web query online internet",
      anti="news image images video videos paper scholar wikipedia email file product flight hotel restaurant "
           "contact note",
      desc="search the web and return result titles urls and snippets", params=_PARAMS, required=("query",),
      example={"query": "python asyncio tutorial", "num_results": 3}, summary="Web search")
def web_search(c: Call) -> dict[str, Any]:
    query = _query(c)
    rand = c.seeded(query.lower())
    titles = rand.sample(_TITLES, 10)
    results = []
    for i in range(_count(c, 5)):
        site = rand.choice(_SITES)
        results.append({"position": i + 1, "title": titles[i].format(Q=query.title()),
                        "url": f"https://{site}/{slug(query)}" + (f"-{i}" if i else ""),
                        "snippet": rand.choice(_SNIPPETS).format(q=query), "source": site})
    return {"query": query, "results": results, "total_results": rand.randint(10_000, 90_000_000)}


_OUTLETS = ("Reuters", "Associated Press", "BBC News", "The Guardian", "Bloomberg", "Al Jazeera", "CNN", "Le Monde")
_HEADLINES = ("{Q}: what we know so far", "Experts weigh in on {q}", "New developments in {q} this week",
              "How {q} is changing in 2025", "Analysis: the debate over {q}", "{Q} makes headlines again")


@mock("news_search", topic="news headline headlines article articles press", extra="search latest top breaking",
      anti="image video", desc="search recent news articles headlines",
      params={**_PARAMS, "category": "category topic section", "from_date": "from from_date since start_date"},
      example={"query": "electric vehicles", "limit": 3}, summary="News search")
def news_search(c: Call) -> dict[str, Any]:
    query = c.text("query", limit=300) or c.text("category") or "top stories"
    rand = c.seeded(query.lower())
    heads = rand.sample(_HEADLINES, len(_HEADLINES))
    articles = []
    for i in range(_count(c, 5)):
        outlet = rand.choice(_OUTLETS)
        when = NOW - timedelta(hours=rand.randint(1, 72))
        articles.append({"title": heads[i % len(heads)].format(Q=query.capitalize(), q=query), "source": outlet,
                         "published_at": iso(when), "url": f"https://news.example.com/{slug(outlet)}/{slug(query)}-{i}",
                         "summary": f"{outlet} reports on {query}, with reactions and context."})
    return {"query": query, "articles": articles, "total_results": len(articles) + rand.randint(5, 400)}


@mock("image_search", topic="image images photo photos picture pictures", extra="search find",
      anti="generate qr", desc="search images photos by query", params=_PARAMS, required=("query",),
      example={"query": "golden retriever puppy"}, summary="Image search")
def image_search(c: Call) -> dict[str, Any]:
    query = _query(c)
    rand = c.seeded(query.lower())
    images = []
    for i in range(_count(c, 4)):
        w, h = rand.choice(((1920, 1080), (1200, 800), (800, 800), (1080, 1350)))
        key = rand.hexstr(12)
        images.append({"title": f"{query.title()} photo {i + 1}", "url": f"https://images.example.com/{key}.jpg",
                       "thumbnail": f"https://images.example.com/{key}_thumb.jpg", "width": w, "height": h,
                       "source": rand.choice(("unsplash.com", "pexels.com", "flickr.com", "wikimedia.org"))})
    return {"query": query, "images": images}


@mock("video_search", topic="video videos youtube clip clips", extra="search find watch", anti="image",
      desc="search videos by query", params=_PARAMS, required=("query",), example={"query": "how to tie a tie"},
      summary="Video search")
def video_search(c: Call) -> dict[str, Any]:
    query = _query(c)
    rand = c.seeded(query.lower())
    videos = []
    for i in range(_count(c, 4)):
        vid = rand.code(11, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        videos.append({"title": f"{query.title()} - {rand.choice(('Tutorial', 'Explained', 'Full Guide', 'Tips'))}",
                       "url": f"https://www.youtube.com/watch?v={vid}",
                       "channel": f"{rand.choice(('Learn', 'Daily', 'Pro'))} "
                                  f"{rand.choice(('Hub', 'Channel', 'Academy'))}", "duration": f"{rand.randint(2, 40)}:"
                       f"{rand.randint(0, 59):02d}", "views": rand.randint(1_000, 5_000_000),
                       "published": (TODAY - timedelta(days=rand.randint(1, 900))).isoformat(), "rank": i + 1})
    return {"query": query, "videos": videos}


@mock("wikipedia_summary", topic="wikipedia wiki encyclopedia", extra="summary article page lookup search",
      desc="summary of the wikipedia article about a topic",
      params={"query": QUERY + " title page article subject", "language": "language lang",
              "sentences": "sentences length max_sentences"},
      required=("query",), example={"title": "Alan Turing"}, summary="Wikipedia article summary")
def wikipedia(c: Call) -> dict[str, Any]:
    title = _query(c)
    if not any(ch.isalnum() for ch in title):
        raise MockError("page not found")
    name = title.replace("_", " ").strip().title()
    text = [f"{name} is a subject covered in many encyclopedias and reference works.",
            f"The article on {name} describes its origins, its main characteristics and its significance.",
            f"{name} has been studied and discussed widely, and remains of interest today.",
            f"See also the related articles and references listed on the {name} page."]
    sentences = c.integer("sentences", 3, 1, 4)
    return {"title": name, "summary": " ".join(text[:sentences]), "language": c.text("language", "en")[:5],
            "url": f"https://en.wikipedia.org/wiki/{name.replace(' ', '_')}", "last_edited": "2025-06-10"}


@mock("scholar_search", topic="paper papers scholar academic research arxiv publication journal citation",
      extra="search find", desc="search academic papers publications",
      params={**_PARAMS, "year": "year from_year since"}, required=("query",),
      example={"query": "transformer attention"}, summary="Academic paper search")
def scholar(c: Call) -> dict[str, Any]:
    query = _query(c)
    rand = c.seeded(query.lower())
    papers = []
    for i in range(_count(c, 4)):
        year = rand.randint(2012, 2025)
        surnames = rand.sample(("Chen", "Smith", "Kumar", "Garcia", "Ito", "Okafor", "Novak"), rand.randint(1, 4))
        authors = [f"{rand.choice('ABCDEFGHJKLMNPRST')}. {name}" for name in surnames]
        papers.append({"title": f"{rand.choice(('On', 'Towards', 'Revisiting', 'A Study of'))} {query.title()}"
                                f"{rand.choice(('', ': A Survey', ' at Scale', ' in Practice'))}",
                       "authors": authors, "year": year, "venue": rand.choice(("NeurIPS", "ICML", "Nature", "ACL",
                                                                               "arXiv", "PLOS ONE")),
                       "citations": rand.randint(0, 5000), "url": f"https://arxiv.org/abs/{year % 100:02d}"
                       f"{rand.randint(1, 12):02d}.{rand.randint(10000, 29999)}", "rank": i + 1})
    return {"query": query, "papers": papers}
