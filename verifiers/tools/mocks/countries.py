"""A table of countries: ISO code, capital and a rough population (2024 estimates, rounded).

It covers every country of the city table (places.py) and the other most asked-about ones. A
lookup accepts the name, common short names ("USA", "UK", "Holland") and the ISO code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POPULATION_YEAR = 2024

# name|ISO code|capital|population|other names
_ROWS = """
United States|US|Washington, D.C.|340000000|usa;u.s.;u.s.a.;united states of america;america
Canada|CA|Ottawa|41000000|
Mexico|MX|Mexico City|130000000|
Cuba|CU|Havana|11000000|
Brazil|BR|Brasília|212000000|brasil
Argentina|AR|Buenos Aires|46000000|
Chile|CL|Santiago|19700000|
Peru|PE|Lima|34000000|
Colombia|CO|Bogotá|52000000|
Venezuela|VE|Caracas|28000000|
Ecuador|EC|Quito|18000000|
Bolivia|BO|Sucre|12400000|
United Kingdom|GB|London|69000000|uk;u.k.;great britain;britain
Ireland|IE|Dublin|5300000|
France|FR|Paris|68500000|
Germany|DE|Berlin|84000000|deutschland
Spain|ES|Madrid|48500000|españa;espana
Portugal|PT|Lisbon|10600000|
Italy|IT|Rome|59000000|italia
Netherlands|NL|Amsterdam|18000000|holland
Belgium|BE|Brussels|11800000|
Luxembourg|LU|Luxembourg|670000|
Switzerland|CH|Bern|9000000|
Austria|AT|Vienna|9200000|
Sweden|SE|Stockholm|10600000|
Norway|NO|Oslo|5600000|
Denmark|DK|Copenhagen|6000000|
Finland|FI|Helsinki|5600000|
Iceland|IS|Reykjavík|390000|
Poland|PL|Warsaw|36600000|
Czech Republic|CZ|Prague|10900000|czechia
Hungary|HU|Budapest|9600000|
Romania|RO|Bucharest|19000000|
Croatia|HR|Zagreb|3900000|
Serbia|RS|Belgrade|6600000|
Greece|GR|Athens|10400000|
Turkey|TR|Ankara|85500000|türkiye;turkiye
Ukraine|UA|Kyiv|37000000|
Russia|RU|Moscow|144000000|russian federation
Egypt|EG|Cairo|114000000|
Morocco|MA|Rabat|37000000|
Algeria|DZ|Algiers|46000000|
Nigeria|NG|Abuja|230000000|
Ghana|GH|Accra|34000000|
Ethiopia|ET|Addis Ababa|130000000|
Kenya|KE|Nairobi|56000000|
Tanzania|TZ|Dodoma|68000000|
Democratic Republic of the Congo|CD|Kinshasa|110000000|dr congo;drc;congo-kinshasa
South Africa|ZA|Pretoria|63000000|
Saudi Arabia|SA|Riyadh|35000000|
United Arab Emirates|AE|Abu Dhabi|10000000|uae;u.a.e.;emirates
Qatar|QA|Doha|2900000|
Israel|IL|Jerusalem|9900000|
Iran|IR|Tehran|90000000|
Iraq|IQ|Baghdad|46000000|
Afghanistan|AF|Kabul|42000000|
Pakistan|PK|Islamabad|250000000|
India|IN|New Delhi|1440000000|bharat
Bangladesh|BD|Dhaka|173000000|
Nepal|NP|Kathmandu|30000000|
Sri Lanka|LK|Sri Jayawardenepura Kotte|22000000|
Kazakhstan|KZ|Astana|20000000|
China|CN|Beijing|1410000000|prc;people's republic of china
Japan|JP|Tokyo|124000000|nippon
South Korea|KR|Seoul|51700000|korea;republic of korea
North Korea|KP|Pyongyang|26000000|dprk
Taiwan|TW|Taipei|23400000|
Singapore|SG|Singapore|6000000|
Thailand|TH|Bangkok|71700000|
Vietnam|VN|Hanoi|100000000|viet nam
Malaysia|MY|Kuala Lumpur|35000000|
Indonesia|ID|Jakarta|280000000|
Philippines|PH|Manila|115000000|
Australia|AU|Canberra|27000000|
New Zealand|NZ|Wellington|5300000|aotearoa
"""
# Countries whose capital needs a word of explanation.
CAPITAL_NOTES = {
    "ZA": "Pretoria is the executive capital; Cape Town is the legislative and Bloemfontein the judicial capital.",
    "BO": "Sucre is the constitutional capital; La Paz is the seat of government.",
    "LK": "Sri Jayawardenepura Kotte is the legislative capital; Colombo is the commercial capital.",
    "NL": "Amsterdam is the constitutional capital; the government sits in The Hague.",
}


@dataclass(frozen=True)
class Country:
    name: str
    code: str
    capital: str
    population: int


def _load() -> dict[str, Country]:
    table: dict[str, Country] = {}
    for line in _ROWS.strip().splitlines():
        name, code, capital, population, others = line.split("|")
        country = Country(name, code, capital, int(population))
        for key in (name, code, *others.split(";")):
            if key:
                table[_key(key)] = country
    return table


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower()).removeprefix("the ")


COUNTRIES = _load()


def find_country(text: str) -> Country | None:
    """The table's country for a name, a common short name or an ISO code; None when unknown."""
    if not isinstance(text, str) or len(text) > 80:
        return None
    return COUNTRIES.get(_key(text))
