"""Given-name groups: which first names may stand for one another (Bill and William, Pepe and José).

Two names are related when one is a nickname of the other (a direct link in any source below) or both are
nicknames of one formal name (through the cleaned links only). The relation is built from three sources:

- the `nicknames` package (carltonnorthern's CSV, 1,600 formal names), cleaned: its file also lists the relation
  backwards ("bill has_nickname robert", "bob has_nickname robert"), which would make Robert and William
  related through Bill, so an edge is kept only when the nickname is no longer than the formal name;
- `SPANISH`: the hypocorisms of Mexican and other Latino given names, which the package lacks (Pepe, Paco,
  Pancho, Chuy, Memo, Nacho, Beto, Lalo...), curated by hand;
- `ENGLISH`: common English nicknames the package lacks or drops with the cleaning above.

Descriptive monikers (Gordo, Flaco, Güero, Chato, Nena) are deliberately absent: they are not names and relate
to nobody in particular.

Everything here is lower case and accent-folded (the keys of `canonical_names` are normalised words).
"""

from __future__ import annotations

from functools import cache

from nicknames import NickNamer

# hypocorism -> the formal names it stands for (accent-folded).
SPANISH: dict[str, tuple[str, ...]] = {
    "pepe": ("jose",),
    "pepito": ("jose",),
    "chepe": ("jose",),
    "cheo": ("jose",),
    "chema": ("jose",),  # José María
    "pepa": ("josefa", "josefina"),
    "pepita": ("josefa", "josefina"),
    "paco": ("francisco",),
    "pancho": ("francisco",),
    "curro": ("francisco",),
    "kiko": ("francisco", "enrique"),
    "paca": ("francisca",),
    "pancha": ("francisca",),
    "lupe": ("guadalupe",),
    "lupita": ("guadalupe",),
    "chuy": ("jesus",),
    "chucho": ("jesus",),
    "chuya": ("jesusa",),
    "memo": ("guillermo",),
    "guille": ("guillermo",),
    "nacho": ("ignacio",),
    "beto": ("alberto", "roberto", "humberto", "heriberto", "norberto", "gilberto"),
    "tito": ("alberto", "roberto", "humberto", "ernesto"),
    "lalo": ("eduardo",),
    "edu": ("eduardo",),
    "tono": ("antonio",),
    "tonio": ("antonio",),
    "tona": ("antonia",),
    "quique": ("enrique",),
    "kike": ("enrique",),
    "concha": ("concepcion",),
    "conchita": ("concepcion",),
    "conchi": ("concepcion",),
    "lola": ("dolores",),
    "lolita": ("dolores",),
    "pili": ("pilar",),
    "pily": ("pilar",),
    "rafa": ("rafael",),
    "rafita": ("rafael",),
    "chelo": ("consuelo", "marcelo"),
    "chayo": ("rosario",),
    "charo": ("rosario",),
    "chabela": ("isabel",),
    "chabelo": ("isabel",),
    "chela": ("graciela", "marcela"),
    "chente": ("vicente",),
    "fito": ("adolfo", "rodolfo"),
    "goyo": ("gregorio",),
    "javi": ("javier",),
    "juanjo": ("juan",),
    "juancho": ("juan",),
    "lencho": ("lorenzo",),
    "licha": ("alicia",),
    "lulu": ("lourdes", "luisa", "lucia"),
    "manolo": ("manuel",),
    "manu": ("manuel",),
    "meche": ("mercedes",),
    "nando": ("fernando",),
    "fer": ("fernando", "fernanda"),
    "neto": ("ernesto",),
    "pato": ("patricio",),
    "poncho": ("alfonso",),
    "rulo": ("raul",),
    "tere": ("teresa",),
    "techa": ("teresa",),
    "trini": ("trinidad",),
    "yoli": ("yolanda",),
    "chava": ("salvador",),
    "chavo": ("salvador",),
    "cuca": ("refugio",),
    "cuco": ("refugio",),
    "cholo": ("soledad",),
    "chole": ("soledad",),
    "checo": ("sergio",),
    "tavo": ("gustavo", "octavio"),
    "moncho": ("ramon",),
    "mague": ("margarita",),
    "maggie": ("margarita",),
    "marisa": ("maria",),
    "maru": ("maria",),
    "mayte": ("maria",),
    "mari": ("maria",),
    "maruca": ("maria",),
    "migue": ("miguel",),
    "santi": ("santiago",),
    "sofi": ("sofia",),
    "vero": ("veronica",),
    "caro": ("carolina",),
    "clau": ("claudia",),
    "gaby": ("gabriela",),
    "gabi": ("gabriela",),
    "ale": ("alejandro", "alejandra"),
    "alex": ("alejandro", "alejandra"),
    "adri": ("adriana", "adrian"),
    "dani": ("daniel", "daniela"),
    "isa": ("isabel",),
    "susi": ("susana",),
    "beti": ("beatriz",),
    "bety": ("beatriz",),
    "lucho": ("luis",),
    "pablito": ("pablo",),
    "pau": ("paula", "paulina"),
    "nati": ("natividad", "natalia"),
    "mela": ("carmela", "carmen"),
    "carmelita": ("carmen",),
    "toni": ("antonio",),
    "leo": ("leonardo", "leonel"),
    "nico": ("nicolas",),
    "rigo": ("rigoberto",),
    "chuyito": ("jesus",),
}

# Common English nicknames the package lacks (or loses to the cleaning: it lists them backwards).
ENGLISH: dict[str, tuple[str, ...]] = {
    "bill": ("william",),
    "billy": ("william",),
    "will": ("william",),
    "willie": ("william",),
    "liam": ("william",),
    "bob": ("robert",),
    "bobby": ("robert",),
    "rob": ("robert",),
    "robbie": ("robert",),
    "bert": ("robert", "albert", "herbert", "hubert", "gilbert"),
    "chuck": ("charles",),
    "chas": ("charles",),
    "charlie": ("charles",),
    "hank": ("henry",),
    "hal": ("henry", "harold"),
    "harry": ("henry", "harold"),
    "jack": ("john", "jackson"),
    "johnny": ("john",),
    "jon": ("john", "jonathan"),
    "ted": ("edward", "theodore"),
    "ned": ("edward",),
    "eddie": ("edward", "edwin"),
    "ed": ("edward", "edwin", "edgar"),
    "dick": ("richard",),
    "rick": ("richard", "frederick", "eric"),
    "rich": ("richard",),
    "ricky": ("richard",),
    "peggy": ("margaret",),
    "maggie": ("margaret",),
    "meg": ("margaret", "megan"),
    "polly": ("mary",),
    "molly": ("mary",),
    "mamie": ("mary",),
    "sally": ("sarah",),
    "sadie": ("sarah",),
    "patsy": ("patricia",),
    "trish": ("patricia",),
    "patty": ("patricia",),
    "tricia": ("patricia",),
    "kate": ("katherine", "catherine", "kathryn"),
    "katie": ("katherine", "catherine", "kathryn"),
    "kathy": ("katherine", "catherine", "kathryn", "kathleen"),
    "cathy": ("catherine", "cathleen"),
    "jenny": ("jennifer",),
    "jen": ("jennifer",),
    "jake": ("jacob",),
    "josh": ("joshua",),
    "zach": ("zachary",),
    "zack": ("zachary",),
    "matt": ("matthew",),
    "nate": ("nathan", "nathaniel"),
    "drew": ("andrew",),
    "andy": ("andrew",),
    "tom": ("thomas",),
    "tommy": ("thomas",),
    "becky": ("rebecca",),
    "becca": ("rebecca",),
    "abby": ("abigail",),
    "kim": ("kimberly",),
    "tina": ("christina", "kristina", "martina"),
    "sandy": ("sandra",),
    "debbie": ("deborah", "debra"),
    "deb": ("deborah", "debra"),
    "pam": ("pamela",),
    "vicky": ("victoria",),
    "ray": ("raymond",),
    "ron": ("ronald",),
    "ronnie": ("ronald",),
    "don": ("donald",),
    "donnie": ("donald",),
    "larry": ("lawrence", "laurence"),
    "jerry": ("gerald", "jerome", "jeremiah"),
    "terry": ("terrence", "terence", "theresa"),
    "greg": ("gregory",),
    "steve": ("steven", "stephen"),
    "tim": ("timothy",),
    "jeff": ("jeffrey", "geoffrey"),
    "ken": ("kenneth",),
    "kenny": ("kenneth",),
    "chris": ("christopher", "christian", "christina", "christine"),
    "danny": ("daniel",),
    "dan": ("daniel",),
    "tony": ("anthony", "antonio"),
    "frank": ("francis", "franklin", "francisco"),
    "frankie": ("francis", "franklin"),
    "fred": ("frederick", "alfred"),
    "freddy": ("frederick", "alfred"),
    "gene": ("eugene",),
    "lenny": ("leonard",),
    "len": ("leonard",),
    "lou": ("louis", "louise"),
    "mitch": ("mitchell",),
    "sam": ("samuel", "samantha"),
    "sammy": ("samuel",),
    "stan": ("stanley",),
    "vince": ("vincent",),
    "walt": ("walter",),
    "wally": ("walter",),
    "mike": ("michael",),
    "mikey": ("michael",),
    "mick": ("michael",),
    "jim": ("james",),
    "jimmy": ("james",),
    "jamie": ("james",),
    "joe": ("joseph",),
    "joey": ("joseph",),
    "dave": ("david",),
    "davey": ("david",),
    "pete": ("peter",),
    "phil": ("phillip", "philip"),
    "russ": ("russell",),
    "doug": ("douglas",),
    "al": ("albert", "alan", "allen", "alfred", "alexander"),
    "alex": ("alexander", "alexandra"),
    "ben": ("benjamin",),
    "benny": ("benjamin",),
    "beth": ("elizabeth",),
    "liz": ("elizabeth",),
    "betty": ("elizabeth",),
    "lisa": ("elizabeth",),
    "sue": ("susan",),
    "susie": ("susan",),
    "cindy": ("cynthia",),
    "barb": ("barbara",),
    "nancy": ("ann", "anne"),
    "annie": ("ann", "anne", "anna"),
    "nick": ("nicholas",),
}


@cache
def _package_edges() -> dict[str, frozenset[str]]:
    """nickname -> formal names from the `nicknames` package, keeping only edges whose nickname is not longer."""
    canonicals: dict[str, set[str]] = {}
    for formal, nicks in NickNamer.default_lookup().items():
        for nick in nicks:
            if len(nick) <= len(formal) and nick != formal:
                canonicals.setdefault(nick, set()).add(formal)
    return {nick: frozenset(formals) for nick, formals in canonicals.items()}


@cache
def _package_formals() -> dict[str, frozenset[str]]:
    """nickname -> formal names, every edge of the package as it is (some backwards)."""
    namer = NickNamer()
    return {nick: frozenset(formals) for nick, formals in namer.canonical_lookup.items()}


def direct_formals(word: str) -> frozenset[str]:
    """Every name that lists `word` as its nickname, in the package as published or in the curated tables.

    Used only for a direct link between two names (Susan / Hannah, as the package has it), never chained: chaining
    the package's backward edges would relate Robert and William through Bill."""
    found = set(_package_formals().get(word, frozenset()))
    found |= set(SPANISH.get(word, ()))
    found |= set(ENGLISH.get(word, ()))
    found.discard(word)
    return frozenset(found)


def canonical_names(word: str) -> frozenset[str]:
    """The formal names `word` may be a nickname of, plus `word` itself (lower case, accent-folded input).

    Two given names are related when their sets intersect.

    >>> sorted(canonical_names("pepe"))
    ['jose', 'pepe']
    """
    found = {word}
    found |= _package_edges().get(word, frozenset())
    found |= set(SPANISH.get(word, ()))
    found |= set(ENGLISH.get(word, ()))
    return frozenset(found)


def are_related(a: str, b: str) -> bool:
    """Whether two normalised given names may stand for one person (the relation the comparison applies)."""
    return (
        a == b
        or a in direct_formals(b)
        or b in direct_formals(a)
        or not canonical_names(a).isdisjoint(canonical_names(b))
    )
