"""Value pools the synthetic registry draws from.

Codes and descriptions marked "seen" appear on real captured pages (tests/fixtures,
reference/ttb_codes/observed_codes.csv); the rest follow the registry's conventions (class/type code
ranges per commodity, two-character origin codes) but are plausible inventions, good enough for a
simulator whose job is to exercise the pipeline, not to be a code list.
"""

from __future__ import annotations

WINE = "WINE"
SPIRITS = "DISTILLED SPIRITS"
MALT = "MALT BEVERAGE"

# (class/type code, description, product type, relative weight)
CLASS_TYPES: list[tuple[str, str, str, int]] = [
    # wine (seen: 80, 81, 82M, 88)
    ("80", "TABLE RED WINE", WINE, 30),
    ("81", "TABLE WHITE WINE", WINE, 24),
    ("80A", "ROSE WINE", WINE, 6),
    ("84", "SPARKLING WINE/CHAMPAGNE", WINE, 5),
    ("82M", "HONEY BASED TABLE WINE", WINE, 1),
    ("83", "TABLE FRUIT WINE", WINE, 2),
    ("86", "DESSERT FLAVORED WINE", WINE, 1),
    ("88", "DESSERT /PORT/SHERRY/(COOKING) WINE", WINE, 2),
    # distilled spirits (seen: 101, 102, 109, 140, 142, 149, 153, 641, 699, 720, 983)
    ("101", "STRAIGHT BOURBON WHISKY", SPIRITS, 8),
    ("102", "STRAIGHT RYE WHISKY", SPIRITS, 3),
    ("109", "OTHER STRAIGHT WHISKY", SPIRITS, 1),
    ("140", "WHISKY", SPIRITS, 3),
    ("142", "RYE WHISKY", SPIRITS, 2),
    ("149", "OTHER WHISKY (FLAVORED)", SPIRITS, 1),
    ("153", "SINGLE MALT SCOTCH WHISKY", SPIRITS, 3),
    ("641", "WHISKY SPECIALTIES", SPIRITS, 2),
    ("260", "DISTILLED GIN", SPIRITS, 3),
    ("325", "VODKA", SPIRITS, 5),
    ("420", "RUM", SPIRITS, 3),
    ("515", "BRANDY", SPIRITS, 2),
    ("699", "OTHER SPECIALTIES & PROPRIETARIES", SPIRITS, 3),
    ("720", "COCKTAILS UNDER 48 PROOF", SPIRITS, 3),
    ("983", "AGAVE SPIRITS", SPIRITS, 4),
    # malt beverages (seen: 901, 904, 956)
    ("901", "BEER", MALT, 14),
    ("904", "STOUT", MALT, 3),
    ("906", "ALE", MALT, 8),
    ("956", "MALT BEVERAGES SPECIALITIES", MALT, 5),
]

# Domestic origin: (origin code, description, state abbreviation). Seen: 01, 02, 07, 22, 38.
DOMESTIC_ORIGINS: list[tuple[str, str, str, int]] = [
    ("01", "CALIFORNIA", "CA", 30),
    ("02", "NEW YORK", "NY", 6),
    ("07", "WASHINGTON", "WA", 6),
    ("22", "KENTUCKY", "KY", 5),
    ("38", "OREGON", "OR", 5),
    ("11", "TEXAS", "TX", 4),
    ("12", "COLORADO", "CO", 3),
    ("14", "MICHIGAN", "MI", 3),
    ("16", "PENNSYLVANIA", "PA", 3),
    ("17", "OHIO", "OH", 3),
    ("18", "ILLINOIS", "IL", 3),
    ("19", "FLORIDA", "FL", 3),
    ("24", "TENNESSEE", "TN", 2),
    ("26", "VIRGINIA", "VA", 3),
    ("27", "NORTH CAROLINA", "NC", 2),
    ("31", "MASSACHUSETTS", "MA", 2),
    ("33", "WISCONSIN", "WI", 2),
    ("35", "MINNESOTA", "MN", 1),
    ("43", "VERMONT", "VT", 1),
]
# Imported origin: (origin code, country, relative weight). Seen: 51, 5B, 5K, 81.
FOREIGN_ORIGINS: list[tuple[str, str, int]] = [
    ("51", "FRANCE", 20),
    ("54", "ITALY", 18),
    ("5K", "SCOTLAND", 6),
    ("81", "MEXICO", 10),
    ("5B", "SWEDEN", 1),
    ("55", "SPAIN", 8),
    ("52", "GERMANY", 5),
    ("56", "PORTUGAL", 4),
    ("61", "AUSTRALIA", 4),
    ("62", "NEW ZEALAND", 3),
    ("71", "ARGENTINA", 4),
    ("72", "CHILE", 3),
    ("5J", "IRELAND", 3),
    ("5L", "BELGIUM", 3),
    ("91", "JAPAN", 3),
    ("5D", "NETHERLANDS", 1),
]

# State abbreviation -> (cities, zip prefix) for applicant addresses.
STATE_CITIES: dict[str, tuple[list[str], str]] = {
    "CA": (["San Francisco", "NAPA", "Healdsburg", "SONOMA", "Paso Robles", "Los Angeles", "San Diego",
            "American Canyon", "Lodi", "SANTA ROSA", "Fresno", "Temecula"], "94"),
    "NY": (["NEW YORK", "Brooklyn", "PIERMONT", "MT VERNON", "Hammondsport", "Geneva", "Buffalo"], "10"),
    "WA": (["Seattle", "Walla Walla", "Woodinville", "Spokane", "Yakima", "Tacoma"], "98"),
    "KY": (["Frankfort", "Louisville", "Bardstown", "Lexington", "Lawrenceburg"], "40"),
    "OR": (["Portland", "Bend", "Newberg", "Dundee", "Eugene", "McMinnville"], "97"),
    "TX": (["Austin", "Houston", "Dallas", "Fredericksburg", "San Antonio"], "78"),
    "CO": (["Denver", "Boulder", "Fort Collins", "Golden"], "80"),
    "MI": (["Detroit", "Grand Rapids", "Traverse City", "Kalamazoo"], "49"),
    "PA": (["Philadelphia", "Pittsburgh", "Lancaster", "Erie"], "19"),
    "OH": (["SOLON", "Cleveland", "Columbus", "Cincinnati"], "44"),
    "IL": (["CHICAGO", "Evanston", "Peoria", "Naperville"], "60"),
    "FL": (["Miami", "Tampa", "Orlando", "Jacksonville"], "33"),
    "TN": (["Nashville", "Lynchburg", "Memphis", "Knoxville"], "37"),
    "VA": (["Richmond", "Charlottesville", "Leesburg", "Norfolk"], "22"),
    "NC": (["Asheville", "Charlotte", "Raleigh", "Durham"], "28"),
    "MA": (["Boston", "NEEDHAM", "Worcester", "Springfield"], "02"),
    "WI": (["Milwaukee", "Madison", "Green Bay"], "53"),
    "MN": (["Minneapolis", "Saint Paul", "Duluth"], "55"),
    "VT": (["Burlington", "Montpelier", "Waterbury"], "05"),
    "NJ": (["Newark", "Jersey City", "Hoboken", "Secaucus"], "07"),
    "DE": (["WILMINGTON", "Dover"], "19"),
}
# Importers are mostly in these states.
IMPORTER_STATES = ["NY", "NJ", "CA", "FL", "IL", "DE", "TX", "MA", "WA"]

STREET_NAMES = [
    "MAIN ST", "MARKET ST", "CRAB ORCHARD RD", "PARADISE AVE", "LOMBARD RD", "AIRPORT WAY S",
    "BAINBRIDGE RD", "MERCHANDISE MART PLZ", "SE 26TH AVE", "S THIRD AVE", "INDUSTRIAL BLVD",
    "COMMERCE DR", "RIVER RD", "VINEYARD LN", "WINERY RD", "DISTILLERY WAY", "OAK ST", "HIGHWAY 29",
    "SILVERADO TRL", "PARK AVE", "BROADWAY", "WATER ST", "MILL ST", "HARBOR BLVD", "CENTRAL AVE",
    "N MARKET ST", "BREWERY LN", "CELLAR DR", "ORCHARD AVE", "LAKE SHORE DR",
]
STREET_SUFFIXES = ["", "", "", "", " STE B", " UNIT C", " STE 806", ", BLDG 2", " UNIT 3", ", SHED B"]

NAME_WORDS = [
    "OLD", "POTRERO", "QUILCEDA", "CREEK", "LEONETTI", "CELLAR", "WHISKEY", "THIEF", "GIGANTIC",
    "NORTH", "COAST", "RAMONET", "OMNIPOLLO", "NETA", "HOTALING", "SILVER", "OAK", "IRON", "HORSE",
    "BLUE", "RIDGE", "RIVER", "STONE", "HOLLOW", "EAGLE", "ROCK", "COPPER", "KETTLE", "RED", "BARN",
    "GOLDEN", "STATE", "PACIFIC", "HIGHLAND", "VALLEY", "SUMMIT", "CEDAR", "MILL", "FOX", "HOUND",
    "BLACK", "BEAR", "WILD", "TURKEY", "LONE", "STAR", "HARBOR", "LIGHT", "SUN", "MOON", "CASTLE",
    "ROSE", "HILL", "WILLOW", "BROOK", "LAUREL", "CANYON", "MESA", "PRAIRIE", "FIELD", "ORCHARD",
    "DOMAINE", "CHATEAU", "BODEGA", "TENUTA", "CASA", "VILLA", "MONTE", "SAN", "SANTA", "LA", "LE",
]
OWNER_NAMES = [
    "B'S", "O'NEILL", "SMITH", "GARCIA", "MILLER", "JOHNSON", "ROSSI", "DUPONT", "MULLER", "SATO",
    "LOPEZ", "KOWALSKI", "NGUYEN", "MURPHY", "SCHMIDT", "MARTIN", "BERNARD", "FERRARI", "SILVA",
]
COMPANY_SUFFIX = {
    WINE: ["WINERY", "VINEYARDS", "CELLARS", "WINE COMPANY", "WINE CLUB", "ESTATE"],
    SPIRITS: ["DISTILLING COMPANY", "DISTILLERY", "SPIRITS", "DISTILLERS", "BRANDS CO."],
    MALT: ["BREWING COMPANY", "BREWERY", "BREWING CO.", "ALE WORKS", "BEER COMPANY"],
}
IMPORTER_SUFFIX = ["IMPORTS", "WINE SELECTIONS", "IMPORT CO.", "TRADING", "SELECTIONS", "BEVERAGE GROUP"]
LEGAL_SUFFIX = ["LLC", "INC.", "LLC", "CO., LLC", "CORP.", "LTD", "& CO., LLC", "LLC"]

FANCIFUL_WORDS = {
    WINE: ["RESERVE", "ESTATE", "OLD VINE", "SINGLE VINEYARD", "BLANC DE BLANCS", "BRUT", "PROPRIETARY RED",
           "LATE HARVEST", "UNOAKED", "BARREL SELECT", "CUVEE", "GRAND CRU", "CLARET", "ROSE"],
    SPIRITS: ["SMALL BATCH", "SINGLE BARREL", "CASK STRENGTH", "BOTTLED IN BOND", "6 YO", "12 YEARS OLD",
              "PORT CASK", "TRADITIONAL", "SILVER", "REPOSADO", "ANEJO", "LONDON DRY", "SPICED", "TEQUILANA",
              "HOTALING'S", "18TH CENTURY", "TOASTED BARREL"],
    MALT: ["IPA", "IMPERIAL IPA", "PALE ALE", "HAZY IPA", "PILSNER", "LAGER", "PORTER", "STOUT",
           "BARREL AGED STOUT", "SOUR ALE", "HEFEWEIZEN", "SEASONAL", "DOUBLE IPA", "AMBER"],
}

VARIETALS = [
    "Chardonnay", "Cabernet Sauvignon", "Pinot Noir", "Merlot", "Sauvignon Blanc", "Zinfandel", "Syrah",
    "Pinot Grigio", "Riesling", "Malbec", "Tempranillo", "Sangiovese", "Grenache", "Cabernet Franc",
    "Petite Sirah", "Viognier", "Chenin Blanc", "Gewurztraminer", "Nebbiolo", "Barbera",
]
DOMESTIC_APPELLATIONS = {
    "CA": ["NAPA VALLEY", "SONOMA COAST", "RUSSIAN RIVER VALLEY", "PASO ROBLES", "LODI", "CALIFORNIA",
           "CENTRAL COAST", "ALEXANDER VALLEY", "SANTA BARBARA COUNTY"],
    "WA": ["COLUMBIA VALLEY", "WALLA WALLA VALLEY", "YAKIMA VALLEY", "RED MOUNTAIN", "WASHINGTON"],
    "OR": ["WILLAMETTE VALLEY", "DUNDEE HILLS", "ROGUE VALLEY", "OREGON"],
    "NY": ["FINGER LAKES", "LONG ISLAND", "NEW YORK"],
}
FOREIGN_APPELLATIONS = {
    "FRANCE": ["BOURGOGNE", "BORDEAUX", "VIN DE FRANCE", "COTES DU RHONE", "CHAMPAGNE", "ALSACE", "SANCERRE"],
    "ITALY": ["CHIANTI CLASSICO", "BAROLO", "PROSECCO", "TOSCANA", "SICILIA", "VALPOLICELLA"],
    "SPAIN": ["RIOJA", "RIBERA DEL DUERO", "CAVA", "RIAS BAIXAS"],
    "GERMANY": ["MOSEL", "RHEINHESSEN", "PFALZ"],
    "PORTUGAL": ["DOURO", "VINHO VERDE", "ALENTEJO"],
    "AUSTRALIA": ["BAROSSA VALLEY", "MCLAREN VALE", "SOUTH EASTERN AUSTRALIA"],
    "NEW ZEALAND": ["MARLBOROUGH", "CENTRAL OTAGO", "HAWKES BAY"],
    "ARGENTINA": ["MENDOZA", "SALTA", "PATAGONIA"],
    "CHILE": ["MAIPO VALLEY", "COLCHAGUA VALLEY", "CASABLANCA VALLEY"],
}

FIRST_NAMES = [
    "Benjamin", "Allison", "David", "Nicolas", "Brandon", "Cristofer", "BRIAN", "Maria", "Jennifer",
    "Michael", "Sarah", "James", "Linda", "Robert", "Patricia", "John", "Elizabeth", "Carlos", "Emily",
    "Daniel", "Laura", "Kevin", "Anna", "Thomas", "Karen", "Jose", "Megan", "Steven", "Rachel", "Paul",
]
LAST_NAMES = [
    "Royer", "Motley Purcell", "Sabo", "Palazzi", "Eller", "Van Treese", "EWING", "Love", "Smith",
    "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "O'Brien", "Lee", "Clark",
]
AREA_CODES = ["502", "503", "206", "216", "347", "707", "212", "415", "312", "305", "512", "303", "617"]

# The qualification every current COLA carries, and the conditional ones (all seen on real pages).
STANDARD_QUALIFICATION = (
    "TTB has not reviewed this label for type size, characters per inch or contrasting background.  "
    "The responsible industry member must continue to ensure that the mandatory information on the "
    "actual labels is displayed in the correct type size, number of characters per inch, and on a "
    "contrasting background in accordance with the TTB labeling regulations, 27 CFR parts 4, 5, 7, and "
    "16, as applicable."
)
EXTRA_QUALIFICATIONS = [
    "This COLA is conditioned upon compliance with TTB Ruling 2015-1",
    "It is the responsibility of the COLA holder to ensure that the appropriate authorization is "
    "obtained for the use of the person and/or organization depicted on the label.  The authorization "
    "must be kept at the permittee's address and made available for review upon request.",
    'When new labels are printed, the alcohol content statement must be\r\nchanged to one of the '
    'following:  "Alc. ___% by Vol.."," Alc. by Vol.. __%", ___% Alc. by Vol.." or "___% Alc. / Vol".  '
    "See 27 CFR 7.65(b)(3).",
]

IMAGE_TYPES = ["Brand (front) or keg collar", "Back", "Other", "Neck", "Strip"]
IMAGE_FILE_STEMS = [
    "{brand} FRONT", "{brand} BACK", "{brand} brand label NEW", "{brand}_front_label", "BKL{n} L0{n}",
    "BTL {n} B00{n}", "WARNING LABEL copy", "{brand} {fanciful} 750ml", "{brand}-neck", "label_{n} ",
]
IMAGE_EXTENSIONS = [".jpg", ".jpg", ".jpg", ".jpeg", ".png"]
BOTTLE_CAPACITIES = ["750 ML", "1 L", "375 ML", "1.75 L", "50 ML", "700 ML"]
STATE_ABBREVIATIONS = sorted({abbr for _, _, abbr, _ in DOMESTIC_ORIGINS} | set(STATE_CITIES))
