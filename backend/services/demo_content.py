"""The demo's content: fictional examples on real City of London sites.

Every proposal, comment, opportunity and organisation here is invented to show the platform; the
sites and the existing buildings around them are real (OpenStreetMap, ODbL). Dates are relative
to the day the demo is seeded, so the open consultation stays open.
"""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "civictwin-demo"  # noqa: S105 - printed by `make demo` on purpose
FICTIONAL = "Fictional example on a real site, for the CivicTwin demo."

ACCOUNTS: list[dict[str, Any]] = [
    {
        "key": "admin",
        "email": "admin@demo.civictwin.org",
        "name": "Ada Admin",
        "roles": ["citizen", "admin"],
    },
    {
        "key": "planner",
        "email": "planner@demo.civictwin.org",
        "name": "Priya Patel (planner)",
        "roles": ["citizen", "planner"],
    },
    {
        "key": "moderator",
        "email": "moderator@demo.civictwin.org",
        "name": "Marek Nowak (moderator)",
        "roles": ["citizen", "moderator"],
    },
    {
        "key": "citizen1",
        "email": "citizen1@demo.civictwin.org",
        "name": "Grace (Barbican resident)",
        "roles": ["citizen"],
    },
    {
        "key": "citizen2",
        "email": "citizen2@demo.civictwin.org",
        "name": "Tomás (Clerkenwell)",
        "roles": ["citizen"],
    },
    {
        "key": "sme1",
        "email": "sme1@demo.civictwin.org",
        "name": "Barbican Joinery Ltd",
        "roles": ["citizen", "sme"],
        "organisation": "joinery",
    },
    {
        "key": "sme2",
        "email": "sme2@demo.civictwin.org",
        "name": "Clerkenwell Solar & Electrical",
        "roles": ["citizen", "sme"],
        "organisation": "solar",
    },
]

ORGANISATIONS: dict[str, dict[str, Any]] = {
    "joinery": {
        "name": "Barbican Joinery Ltd (fictional)",
        "size": "small",
        "description": "Bespoke joinery and interior fit-out. " + FICTIONAL,
        "sectors": ["4542", "4543"],
        "location": (-0.0962, 51.5236),
        "service_radius_km": 15.0,
    },
    "solar": {
        "name": "Clerkenwell Solar & Electrical (fictional)",
        "size": "micro",
        "description": "Electrical installation and rooftop solar. " + FICTIONAL,
        "sectors": ["4531", "45261215", "0933"],
        "location": (-0.1052, 51.5246),
        "service_radius_km": 25.0,
    },
}


def _ring(*lonlat: tuple[float, float]) -> list[list[float]]:
    pts = [list(p) for p in lonlat]
    return [*pts, pts[0]]


def rect(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    return [_ring((west, south), (east, south), (east, north), (west, north))]


PROPOSALS: list[dict[str, Any]] = [
    {
        "key": "tower",
        "reference": "DEMO/2026/0001",
        "title": "Charterhouse Street Tower (fictional example)",
        "description": (
            "A 34-storey office and residential tower on a 4-storey podium with a public roof "
            "garden, replacing two low-rise buildings. " + FICTIONAL
        ),
        "application_type": "full",
        "site_address": "Charterhouse Street, London EC1M (fictional scheme)",
        "site_boundary": {
            "type": "MultiPolygon",
            "coordinates": [rect(-0.10436, 51.51900, -0.10360, 51.51958)],
        },
        "use_classes_existing": ["E(g)(i)"],
        "use_classes_proposed": ["E(g)(i)", "C3"],
        "dwellings": 120,
        "floor_area_existing_m2": 4200.0,
        "floor_area_proposed_m2": 38500.0,
        "stage": "consultation",
        "consultation_days": (-7, 21),
        "massing": [
            {
                "name": "Podium",
                "footprint": rect(-0.10434, 51.51902, -0.10362, 51.51956),
                "height_m": 16.0,
                "storeys": 4,
            },
            {
                "name": "Tower",
                "footprint": rect(-0.10428, 51.51908, -0.10392, 51.51938),
                "base_height_m": 16.0,
                "height_m": 119.0,
                "storeys": 34,
            },
        ],
    },
    {
        "key": "carpark",
        "reference": "DEMO/2026/0002",
        "title": "Saffron Hill Car Park homes (fictional example)",
        "description": (
            "Replaces the multi-storey car park with two blocks of affordable homes around a "
            "courtyard. " + FICTIONAL
        ),
        "application_type": "full",
        "site_address": "Saffron Hill, London EC1N (fictional scheme)",
        "site_boundary": {
            "type": "MultiPolygon",
            "coordinates": [rect(-0.10729, 51.52096, -0.10668, 51.52143)],
        },
        "use_classes_existing": ["sui generis (car park)"],
        "use_classes_proposed": ["C3"],
        "dwellings": 64,
        "floor_area_existing_m2": 9800.0,
        "floor_area_proposed_m2": 6100.0,
        "stage": "assessment",
        "consultation_days": (-60, -10),
        "massing": [
            {
                "name": "North block",
                "footprint": rect(-0.10727, 51.52122, -0.10670, 51.52141),
                "height_m": 24.0,
                "storeys": 8,
            },
            {
                "name": "South block",
                "footprint": rect(-0.10727, 51.52098, -0.10690, 51.52114),
                "height_m": 18.0,
                "storeys": 6,
            },
        ],
    },
    {
        "key": "stbride",
        "reference": "DEMO/2025/0003",
        "title": "St Bride Street workspace extension (fictional example)",
        "description": "Three additional storeys of flexible workspace. " + FICTIONAL,
        "application_type": "householder",
        "site_address": "St Bride Street, London EC4A (fictional scheme)",
        "site_boundary": {
            "type": "MultiPolygon",
            "coordinates": [rect(-0.10520, 51.51428, -0.10464, 51.51479)],
        },
        "use_classes_existing": ["E(g)(i)"],
        "use_classes_proposed": ["E(g)(i)"],
        "dwellings": 0,
        "floor_area_existing_m2": 5200.0,
        "floor_area_proposed_m2": 7400.0,
        "stage": "decided",
        "decision": "approved",
        "consultation_days": (-200, -170),
        "massing": [
            {
                "name": "Extension",
                "footprint": rect(-0.10518, 51.51430, -0.10466, 51.51477),
                "height_m": 30.0,
                "storeys": 9,
            },
        ],
    },
]

# A camera south-west of the tower site, looking north-east at it.
_CAM_SW = {
    "position": {"lon": -0.1068, "lat": 51.5172, "height": 260.0},
    "heading": 35.0,
    "pitch": -28.0,
    "roll": 0.0,
}
_CAM_STREET = {
    "position": {"lon": -0.1049, "lat": 51.5186, "height": 40.0},
    "heading": 40.0,
    "pitch": 8.0,
    "roll": 0.0,
}
_CAM_NORTH = {
    "position": {"lon": -0.1030, "lat": 51.5215, "height": 180.0},
    "heading": 200.0,
    "pitch": -25.0,
    "roll": 0.0,
}

COMMENTS: list[dict[str, Any]] = [
    {
        "key": "c1",
        "author": "citizen1",
        "sentiment": "objection",
        "topics": ["light"],
        "body": "The tower will overshadow the Charterhouse Square gardens in winter afternoons. "
        "Has a sunlight study been done for December?",
        "building": "tower:Tower",
        "point": (-0.10410, 51.51925, 110.0),
        "camera": _CAM_SW,
    },
    {
        "key": "c2",
        "author": "citizen2",
        "sentiment": "supportive",
        "topics": ["use"],
        "body": "120 new homes this close to Farringdon station is exactly what the area needs.",
        "building": "tower:Podium",
        "camera": _CAM_STREET,
    },
    {
        "key": "c3",
        "author": "citizen1",
        "sentiment": "objection",
        "topics": ["design"],
        "body": "Too tall for the Smithfield conservation area; 15 storeys would sit better.",
        "point": (-0.10395, 51.51930, 80.0),
        "camera": _CAM_NORTH,
    },
    {
        "key": "c4",
        "author": "citizen2",
        "sentiment": "neutral",
        "topics": ["traffic", "access"],
        "body": "Where do deliveries go? Charterhouse Street is already blocked every morning.",
        "point": (-0.10380, 51.51962, 2.0),
        "camera": _CAM_STREET,
    },
    {
        "key": "c5",
        "author": "sme1",
        "sentiment": "supportive",
        "topics": ["use"],
        "body": "Local trades would welcome the fit-out work; please publish the packages early.",
        "building": "tower:Podium",
    },
    {
        "key": "c6",
        "author": "citizen1",
        "sentiment": "objection",
        "topics": ["noise"],
        "body": "Construction noise next to the market's night shift: what hours are proposed?",
        "existing": "w42935883",
        "camera": _CAM_STREET,
    },
    {
        "key": "c7",
        "author": "citizen2",
        "sentiment": "supportive",
        "topics": ["design"],
        "body": "The public roof garden on the podium is a great idea.",
        "point": (-0.10400, 51.51950, 16.5),
        "camera": _CAM_SW,
    },
    {
        "key": "c8",
        "author": "moderator",
        "sentiment": "neutral",
        "topics": ["other"],
        "body": "Reminder: the planning documents include a daylight report (section 7).",
        "parent": "c1",
    },
    {
        "key": "c9",
        "author": "citizen2",
        "sentiment": "neutral",
        "topics": ["light"],
        "body": "Use the sun slider at 3 pm in December: the shadow reaches the square.",
        "parent": "c1",
        "camera": _CAM_NORTH,
    },
    {
        "key": "c10",
        "author": "citizen1",
        "sentiment": "objection",
        "topics": ["privacy"],
        "body": "Flats on the west side would look straight into the homes on Charterhouse Street.",
        "existing": "w42931536",
        "point": (-0.10330, 51.51932, 12.0),
        "camera": _CAM_STREET,
    },
    {
        "key": "c11",
        "author": "sme2",
        "sentiment": "supportive",
        "topics": ["design"],
        "body": "The roof could carry solar panels; happy to advise on yield.",
        "building": "tower:Tower",
        "point": (-0.10410, 51.51922, 119.0),
    },
    {
        "key": "c12",
        "author": "citizen2",
        "sentiment": "objection",
        "topics": ["other"],
        "body": "BUY CHEAP WATCHES AT my-shop example dot com",
        "reported_by": ["citizen1"],
        "report_reason": "spam",
    },
]

REACTIONS: list[tuple[str, str, str]] = [
    ("c1", "citizen2", "agree"),
    ("c1", "sme1", "agree"),
    ("c1", "sme2", "disagree"),
    ("c2", "citizen1", "disagree"),
    ("c2", "sme1", "agree"),
    ("c3", "citizen2", "disagree"),
    ("c7", "citizen1", "agree"),
    ("c11", "citizen2", "agree"),
]

OPPORTUNITIES: list[dict[str, Any]] = [
    {
        "proposal": "tower",
        "title": "Foundation and piling works",
        # where the work happens on the site (real coordinates inside its boundary)
        "delivery_location": {"type": "Point", "coordinates": [-0.10398, 51.51929]},
        "cpv": ["45262210"],
        "value_min": 1_200_000,
        "value_max": 1_800_000,
        "sme_suitable": False,
        "status": "planned",
        "tender_days": (5, 40),
        "social_value": ["local_employment"],
    },
    {
        "proposal": "tower",
        "title": "Curtain wall glazing",
        "delivery_location": {"type": "Point", "coordinates": [-0.10366, 51.51945]},
        "cpv": ["45441000"],
        "value_min": 2_500_000,
        "value_max": 3_200_000,
        "sme_suitable": False,
        "status": "planning",
        "tender_days": (30, 75),
        "social_value": ["green"],
    },
    {
        "proposal": "tower",
        "title": "Joinery and interior fit-out of the podium",
        "delivery_location": {"type": "Point", "coordinates": [-0.10425, 51.51908]},
        "cpv": ["45421000"],
        "value_amount": 340_000,
        "sme_suitable": True,
        "status": "active",
        "tender_days": (-3, 25),
        "social_value": ["buy_local", "local_employment"],
    },
    {
        "proposal": "tower",
        "title": "Rooftop solar panels",
        "delivery_location": {"type": "Point", "coordinates": [-0.104, 51.51936]},
        "cpv": ["45261215"],
        "value_amount": 95_000,
        "sme_suitable": True,
        "status": "active",
        "tender_days": (-1, 30),
        "social_value": ["green"],
    },
    {
        "proposal": "carpark",
        "title": "Electrical installation of 64 homes",
        "delivery_location": {"type": "Point", "coordinates": [-0.10698, 51.52122]},
        "cpv": ["45310000"],
        "value_min": 400_000,
        "value_max": 550_000,
        "sme_suitable": True,
        "status": "planned",
        "tender_days": (20, 60),
        "social_value": ["local_employment"],
    },
    {
        "proposal": "carpark",
        "title": "Site security during demolition",
        "delivery_location": {"type": "Point", "coordinates": [-0.10724, 51.521]},
        "cpv": ["79713000"],
        "value_amount": 60_000,
        "sme_suitable": True,
        "status": "active",
        "tender_days": (-10, 12),
        "social_value": ["local_employment"],
    },
]

# --- the SME one-stop shop (issue 15): schemes (fictional) and a guide (real UK procedures) -----


def _t(en: str, et: str, hu: str, it: str, sv: str, summary: str = "") -> dict[str, Any]:
    texts = {"en": en, "et": et, "hu": hu, "it": it, "sv": sv}
    return {
        lang: {"title": title, "summary": summary if lang == "en" else ""}
        for lang, title in texts.items()
    }


SCHEMES: list[dict[str, Any]] = [
    {
        "kind": "guarantee",
        "provider": "City Growth Fund (fictional)",
        "translations": _t(
            "Contract bond guarantee for SMEs",
            "Lepingutagatise garantii VKE-dele",
            "Szerződéses garancia kkv-knak",
            "Garanzia sulla cauzione contrattuale per PMI",
            "Kontraktsgaranti för småföretag",
            "Covers up to 80% of the performance bond a public contract asks for. " + FICTIONAL,
        ),
        "amount_min": 10_000,
        "amount_max": 250_000,
        "sizes": ["micro", "small", "medium"],
        "sectors": [{"scheme": "CPV", "code": "45"}],
        "stages": ["growth", "established"],
        "rolling": True,
        "how_to_apply": "Send the tender's bond requirement and last year's accounts.",
        "apply_url": "https://demo.civictwin.org/funding/bond-guarantee",
        "link": "Joinery and interior fit-out of the podium",
    },
    {
        "kind": "grant",
        "provider": "City Growth Fund (fictional)",
        "translations": _t(
            "Green fit-out grant",
            "Rohelise sisustuse toetus",
            "Zöld belsőépítészeti támogatás",
            "Contributo per allestimenti sostenibili",
            "Bidrag för grön inredning",
            "Up to £15,000 towards low-carbon materials and training. " + FICTIONAL,
        ),
        "amount_min": 2_000,
        "amount_max": 15_000,
        "sizes": ["micro", "small"],
        "sectors": [{"scheme": "CPV", "code": "454"}, {"scheme": "CPV", "code": "4526"}],
        "stages": ["startup", "growth"],
        "closes_in_days": 90,
        "how_to_apply": "A two-page application; decisions within four weeks.",
        "link": "Rooftop solar panels",
    },
    {
        "kind": "advice",
        "provider": "City Business Library",
        "translations": _t(
            "Free advice on bidding for public contracts",
            "Tasuta nõustamine riigihangetes osalemiseks",
            "Ingyenes tanácsadás közbeszerzési ajánlattételhez",
            "Consulenza gratuita per partecipare agli appalti pubblici",
            "Kostnadsfri rådgivning om offentlig upphandling",
            "One-to-one sessions on reading a tender and writing a bid.",
        ),
        "rolling": True,
        "how_to_apply": "Book a session online.",
    },
    {
        "kind": "training",
        "provider": "Chamber of Commerce (fictional)",
        "translations": _t(
            "Export readiness training",
            "Ekspordivalmiduse koolitus",
            "Exportfelkészítő képzés",
            "Formazione per l'export",
            "Utbildning i exportberedskap",
            "Six evening sessions for firms selling abroad for the first time. " + FICTIONAL,
        ),
        "sizes": ["micro", "small", "medium"],
        "stages": ["growth"],
        "closes_in_days": 60,
        "how_to_apply": "Register with the chamber.",
    },
]


def _step(
    journey: str,
    titles: tuple[str, str, str, str, str],
    description: str,
    provider: str,
    cost: str,
    duration: str,
    url: str,
) -> dict[str, Any]:
    texts = dict(zip(("en", "et", "hu", "it", "sv"), titles, strict=True))
    return {
        "journey": journey,
        "translations": {
            lang: {"title": t, "description": description if lang == "en" else ""}
            for lang, t in texts.items()
        },
        "provider": provider,
        "cost": cost,
        "duration": duration,
        "url": url,
    }


GUIDE: list[dict[str, Any]] = [
    _step(
        "start",
        (
            "Register a limited company",
            "Registreeri osaühing",
            "Kft. bejegyzése",
            "Registra una società a responsabilità limitata",
            "Registrera ett aktiebolag",
        ),
        "Online registration with Companies House gives a company number.",
        "Companies House",
        "£50",
        "about 24 hours",
        "https://www.gov.uk/limited-company-formation",
    ),
    _step(
        "start",
        (
            "Register for Corporation Tax and VAT",
            "Registreeru maksukohustuslaseks",
            "Adóregisztráció",
            "Registrazione fiscale e IVA",
            "Registrera dig för skatt och moms",
        ),
        "Register for Corporation Tax within 3 months of starting; VAT above the threshold.",
        "HM Revenue & Customs",
        "free",
        "1-2 weeks",
        "https://www.gov.uk/register-for-vat",
    ),
    _step(
        "grow",
        (
            "Get free business advice",
            "Saa tasuta ärinõu",
            "Ingyenes üzleti tanácsadás",
            "Consulenza gratuita per le imprese",
            "Få kostnadsfri affärsrådgivning",
        ),
        "Your local Growth Hub offers advice on finance, staff and premises.",
        "Growth Hub",
        "free",
        "a first meeting within 2 weeks",
        "https://www.gov.uk/business-support-helpline",
    ),
    _step(
        "bid",
        (
            "Register on Find a Tender and Contracts Finder",
            "Registreeru hankeportaalis",
            "Regisztráció a közbeszerzési portálon",
            "Registrati sui portali degli appalti",
            "Registrera dig i upphandlingsportalen",
        ),
        "Free alerts for public contracts above and below the thresholds.",
        "Cabinet Office",
        "free",
        "15 minutes",
        "https://www.find-tender.service.gov.uk",
    ),
    _step(
        "bid",
        (
            "Get Cyber Essentials certified",
            "Hangi Cyber Essentials sertifikaat",
            "Cyber Essentials tanúsítvány",
            "Ottieni la certificazione Cyber Essentials",
            "Skaffa Cyber Essentials-certifiering",
        ),
        "Many public contracts ask for it; a self-assessment checked by a certification body.",
        "IASME",
        "from £320",
        "about 2 weeks",
        "https://www.ncsc.gov.uk/cyberessentials/overview",
    ),
    _step(
        "abroad",
        (
            "Talk to an international trade adviser",
            "Räägi väliskaubanduse nõustajaga",
            "Nemzetközi kereskedelmi tanácsadó",
            "Parla con un consulente per il commercio estero",
            "Tala med en rådgivare för internationell handel",
        ),
        "Free help to research markets and find buyers abroad.",
        "Department for Business and Trade",
        "free",
        "a first call within a week",
        "https://www.great.gov.uk/",
    ),
]
