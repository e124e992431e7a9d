"""The words the demo lyrics are made of, as data (``lyrics`` strings them into songs).

Each language maps a category letter to its words. Line templates (``TEMPLATES``) are strings
of those letters, so a line reads roughly like a lyric: "I hold your broken heart". English
has what a lyrics model's preprocessing must cope with: plural nouns (regular and irregular,
for the noun lemmatiser), inflected verbs, contractions, stopwords and words of two letters.

Within a language the forms of one word sit at the same position of their categories (``N``
and ``M``; ``B``, ``S``, ``G`` and ``D``), so that an artist who favours a noun or a verb uses
all its forms. Common words come first: ``lyrics`` draws the start of each list more often.
An underscore joins two words that fill one slot.
"""

from __future__ import annotations

CATEGORIES = {
    "P": "subject (I, we)",
    "T": "third-person subject (she)",
    "Q": "subject with a form of 'to be' (I'm)",
    "Y": "auxiliary before a verb (can't)",
    "B": "verb, base form",
    "S": "verb, third person",
    "G": "verb, -ing form",
    "D": "verb, past tense",
    "N": "noun, singular",
    "M": "noun, plural",
    "A": "adjective",
    "E": "determiner before a singular noun",
    "F": "determiner before a plural noun",
    "R": "preposition",
    "C": "conjunction",
    "O": "object pronoun",
    "V": "adverb",
    "X": "interjection",
}
# Categories an artist has favourites in, by the word class whose forms share positions.
THEMED = {"N": 0, "M": 0, "B": 1, "S": 1, "G": 1, "D": 1, "A": 2}

TEMPLATES = """
PBEAN PDRFAM TSEN XPYBO PYBOV EANGREN CPDVREN FAMD QGREN ENSAV XPBO CTDOREN PDEANCPDFM
TSRFAM PBVCPBV RFAMPD VPBEN FMBREN ENSRFM QGCQGV XXPBO PYBEANRFM YBOV BOREN BEAN TDFAM
QGOV CVPDEN EANCEAN TYBOREN XQGRFM PYBEANCPYBO RENPDCFAMD EANSOCPYBO PDFAMRENV
CTYBRFAMCEAN XPBEANCPBEAN QGRFAMRFM FAMDRENCPDV RENPYBOV TSOREANCTSOV
""".split()


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.replace("_", " ") for word in text.split())


def _forms(text: str, count: int) -> list[tuple[str, ...]]:
    """The columns of a table written row by row: each word's ``count`` forms side by side."""
    words = _words(text)
    if len(words) % count:
        raise ValueError(f"a row lacks one of its {count} forms")
    return [words[i::count] for i in range(count)]


_NOUNS = _forms(
    """
    heart hearts night nights love loves eye eyes hand hands dream dreams fire fires
    light lights day days song songs friend friends girl girls boy boys road roads
    baby babies woman women man men child children life lives city cities sky skies
    star stars street streets tear tears kiss kisses memory memories shadow shadows
    leaf leaves wolf wolves knife knives thief thieves foot feet tooth teeth mouse mice
    story stories party parties lady ladies body bodies enemy enemies church churches
    glass glasses box boxes wish wishes hero heroes echo echoes river rivers car cars
    train trains bridge bridges door doors window windows wall walls room rooms house houses
    town towns sea seas wave waves ocean oceans mountain mountains tree trees flower flowers
    rose roses bird birds horse horses angel angels ghost ghosts king kings queen queens
    soldier soldiers gun guns war wars bell bells flame flames storm storms cloud clouds
    moon moons sun suns summer summers winter winters lip lips word words name names
    face faces voice voices bone bones mile miles hour hours year years secret secrets
    promise promises diamond diamonds coin coins dollar dollars letter letters field fields
    island islands wing wings chain chains key keys lie lies prayer prayers saint saints
    sinner sinners ship ships sailor sailors mother mothers brother brothers sister sisters
    stranger strangers lover lovers dancer dancers highway highways valley valleys
    """,
    2,
)
_VERBS = _forms(
    """
    love loves loving loved go goes going went feel feels feeling felt run runs running ran
    know knows knowing knew come comes coming came say says saying said see sees seeing saw
    hold holds holding held fall falls falling fell cry cries crying cried
    walk walks walking walked dance dances dancing danced burn burns burning burned
    break breaks breaking broke dream dreams dreaming dreamed sing sings singing sang
    drive drives driving drove fly flies flying flew leave leaves leaving left
    take takes taking took give gives giving gave find finds finding found
    lose loses losing lost wait waits waiting waited call calls calling called
    shine shines shining shone hide hides hiding hid kiss kisses kissing kissed
    touch touches touching touched pray prays praying prayed fight fights fighting fought
    hurt hurts hurting hurt stay stays staying stayed turn turns turning turned
    shake shakes shaking shook bleed bleeds bleeding bled swim swims swimming swam
    ride rides riding rode write writes writing wrote build builds building built
    forget forgets forgetting forgot remember remembers remembering remembered
    believe believes believing believed need needs needing needed want wants wanting wanted
    chase chases chasing chased follow follows following followed
    carry carries carrying carried watch watches watching watched
    scream screams screaming screamed whisper whispers whispering whispered
    breathe breathes breathing breathed die dies dying died rise rises rising rose
    sleep sleeps sleeping slept wake wakes waking woke steal steals stealing stole
    """,
    4,
)
ENGLISH = {
    "P": _words("I you we they"),
    "T": _words("she he nobody everybody somebody"),
    "Q": _words("I'm you're we're they're"),
    "Y": _words("can't won't don't will could would gonna wanna"),
    "B": _VERBS[0],
    "S": _VERBS[1],
    "G": _VERBS[2],
    "D": _VERBS[3],
    "N": _NOUNS[0],
    "M": _NOUNS[1],
    "A": _words(
        """
        cold little blue wild young old broken lonely sweet dark bright empty heavy slow
        golden lost free gentle bitter silver holy crazy quiet loud endless restless sacred
        silent electric velvet neon hollow tender fragile shallow deep long strange pretty
        dirty lucky wicked brave tired hungry warm red green black white grey purple high
        low fast lazy naked true final"""
    ),
    "E": _words("the my your a this our that every no her his"),
    "F": _words("the my your these our those all her his no"),
    "R": _words("in on to under through into across from with without over like behind at"),
    "C": _words("and but so 'cause when while till if as"),
    "O": _words("me you us them her him it"),
    "V": _words("again tonight now forever away down back too"),
    "X": _words("oh yeah hey ooh whoa baby darling"),
}

_SPANISH_VERBS = _forms(
    """
    canto canta cantando canté bailo baila bailando bailé quiero quiere queriendo quise
    busco busca buscando busqué siento siente sintiendo sentí pierdo pierde perdiendo perdí
    espero espera esperando esperé vuelo vuela volando volé corro corre corriendo corrí
    lloro llora llorando lloré beso besa besando besé grito grita gritando grité
    """,
    4,
)
_SPANISH_NOUNS = _forms(
    """
    corazón corazones noche noches luna lunas mar mares fuego fuegos cielo cielos
    camino caminos sueño sueños amor amores vida vidas ciudad ciudades calle calles
    estrella estrellas lluvia lluvias sol soles río ríos flor flores alma almas
    mano manos beso besos boca bocas
    """,
    2,
)
SPANISH = {
    "P": _words("yo tú nosotros"),
    "T": _words("ella él nadie"),
    "Q": _words("estoy estamos sigo"),
    "Y": _words("no ya_no nunca"),
    "B": _SPANISH_VERBS[0],
    "S": _SPANISH_VERBS[1],
    "G": _SPANISH_VERBS[2],
    "D": _SPANISH_VERBS[3],
    "N": _SPANISH_NOUNS[0],
    "M": _SPANISH_NOUNS[1],
    "A": _words("frío azul solo oscuro dulce triste loco perdido viejo nuevo lento roto eterno"),
    "E": _words("el la mi tu un este nuestro"),
    "F": _words("los las mis tus unos estos"),
    "R": _words("en con sin bajo por desde hasta contra sobre entre"),
    "C": _words("y pero cuando porque si mientras"),
    "O": _words("me te nos"),
    "V": _words("nunca siempre hoy ahora otra_vez ya más aquí lejos"),
    "X": _words("ay oh eh mi_amor"),
}

# Kana only: the preprocessing keeps [a-zA-Z ], so these lyrics clean to nothing.
_JAPANESE_VERBS = _words("はしる なく うたう おどる とぶ ねむる まつ わすれる")
_JAPANESE_NOUNS = _words(
    "よる ゆめ こころ そら あめ ひかり なみだ ほし うみ かぜ はな さくら まち みち こえ キス ハート"
)
_JAPANESE_DETERMINERS = _words("この あの きみの ぼくの")
JAPANESE = {
    "P": _words("わたしは ぼくは きみは ぼくらは"),
    "T": _words("かのじょは かれは だれも"),
    "Q": _words("いまも まだ"),
    "Y": _words("もう まだ きっと"),
    "B": _JAPANESE_VERBS,
    "S": _JAPANESE_VERBS,
    "G": _words("はしって ないて うたって おどって とんで ねむって まって わすれて"),
    "D": _words("はしった ないた うたった おどった とんだ ねむった まった わすれた"),
    "N": _JAPANESE_NOUNS,
    "M": _JAPANESE_NOUNS,
    "A": _words("あおい さみしい あかい しろい やさしい つめたい あたらしい とおい"),
    "E": _JAPANESE_DETERMINERS,
    "F": _JAPANESE_DETERMINERS,
    "R": _words("のなかで のそばで へ から まで"),
    "C": _words("そして でも だから"),
    "O": _words("きみを わたしを あなたを"),
    "V": _words("いつも もう ずっと いま"),
    "X": _words("ああ ねえ オー イェー"),
}

# In the order of ``lyrics.LANGUAGE_SHARES``.
LANGUAGES = (ENGLISH, SPANISH, JAPANESE)
