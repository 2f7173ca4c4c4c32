"""Whether a run of words reads as a person's name: the evidence a citation line's parser weighs before it reads
``Vorname Nachname:`` at the head of a German citation as the author rather than as a title's first half
(``Mozilla Firefox: …``, ``Statt Firefox: …``).

The given names are common ones across the languages the citation styles come from (German first, then other
European, English and some widespread others); a name not listed is not read as an author from this shape alone,
which leaves the line as it was read before (its head stays in the title).
"""

from __future__ import annotations

import re

_GIVEN_NAMES_TEXT = """
aaron abdul achim adam adrian agnes ahmed ahmet aki alain alan albert alberto albrecht aleksander alessandro alex
alexander alexandra alexandre alexis alfons alfred ali alice alina alois amanda amelie amy ana anatol anders andre
andrea andreas andrew andrzej andré andy angela angelika anja anke ann anna anne annette annika anton antonio
antje armin arne arnd arnold arthur astrid axel barbara bastian beat beate ben benedikt benjamin benno bernd
bernhard bert berthold bettina bianca birgit björn bob bodo boris brendan brian brigitte bruno burkhard carl
carla carlo carlos carmen carol caroline carsten caspar catherine cecilia charles charlotte chris christa
christian christiane christina christine christoph christopher clara claudia claus clemens colin conrad constanze
cornelia cornelius craig dagmar damian daniel daniela danny darin darren dave david dean denis dennis detlef
detlev diana diane dieter dietmar dietrich dirk dominik dominique donald doris dorothea dorothee douglas eberhard
edgar edith eduard edward egon elena elias elisabeth elizabeth elke ellen emil emily emma eric erich erik erika
ernst erwin esther eugen eva evelyn fabian falk felix ferdinand florian francesco francis frank franz françois
frederik friederike friedhelm friedrich fritz gabriel gabriele gary georg george gerald gerd gerhard gernot gert
gertrud gisela giuseppe gottfried greg gregor gudrun guido gunnar gunter gustav günter günther hanna hannah hannes
hanno hans harald harry hartmut heidi heike heiko hein heiner heinrich heinz helen helena helene helga helmut
helmuth henning henri henrik henry herbert hermann holger horst hubert hugo ian ignaz ilse ina ines inga inge
ingo ingrid irene iris isabel isabella ivan jacob jakob james jan jana jane janet janina jannik jason jean jens
jeremy jessica jim joachim jochen joe johann johanna johannes john jon jonas jonathan jordan jorge josef joseph
josh joshua judith julia julian juliane julius jurgen justin jutta jörg jürgen kai karin karina karl karla
karsten kaspar katarina katharina kathrin katja katrin kay kerstin kevin kilian kim klaus konrad konstantin
kristina kurt lars laura lea lena leo leon leonhard leopold linda lisa lorenz lothar louis lucas ludwig luis
lukas lutz magdalena maik manfred manuel manuela marc marcel marco marcus margarete margit maria marian marie
mario marion mark markus marta martin martina mary mathias matthew matthias max maximilian meike melanie michael
michaela michel miriam mirko monika moritz nadine nadja natalie nick nicolas niklas nikolai nikolaus nils nina
nora norbert olaf olga oliver oskar otto pascal patricia patrick paul paula peter petra philip philipp pierre
rainer ralf ralph raphael regina reinhard reinhold renate rené richard rita robert robin roger roland rolf roman
ronald rosa rudolf rudi ruth sabine sabrina sandra sara sarah sascha sebastian siegfried silke simon simone sonja
sophia sophie stefan stefanie steffen stephan stephanie steve steven susan susanne sven svenja sylvia tanja thea
theo theodor thilo thomas thorsten tilman tim timo tina tobias tom tony torsten udo ulf ulla ulrich ulrike ursula
uta ute uwe valentin vera veronika viktor vincent volker walter waltraud werner wilhelm willi william winfried
wolf wolfgang yvonne zoe
"""
GIVEN_NAMES = frozenset(_GIVEN_NAMES_TEXT.split())

# Lower-case words inside a name: "Ludwig van Beethoven", "Ursula von der Leyen".
_PARTICLES_TEXT = "von van der den de du di da dal della la le ten ter zu zur dos del y bin ibn al"
_PARTICLES = frozenset(_PARTICLES_TEXT.split())
_INITIALS_RE = re.compile(r"^(?:[A-ZÀ-Þ]\.(?:-[A-ZÀ-Þ]\.)?){1,3}$")  # "A.", "H.-J.", "J.R."
# A capitalised word with lower-case letters after its first (two such joined by a hyphen: "Müller-Lüdenscheidt";
# "McDonald"): not "CHIP", "iX", "Golem.de" or "Firefox 4".
_NAME_WORD_RE = re.compile(r"^(?:Mc|Mac|O['’]|D['’])?[A-ZÀ-Þ][a-zß-ÿ]+(?:-[A-ZÀ-Þ][a-zß-ÿ]+)?$")


def is_given_name(word: str) -> bool:
    """A listed given name (``Hans``, ``Hans-Jürgen``), or initials (``H.``, ``H.-J.``)."""
    if _INITIALS_RE.match(word):
        return True
    return bool(_NAME_WORD_RE.match(word)) and all(part.lower() in GIVEN_NAMES for part in word.split("-"))


def is_person_name(name: str) -> bool:
    """``Hans Meier``, ``H.-J. Schmidt``, ``Anna Maria von Weber``: given names first (listed, or initials), then a
    surname — capitalised words, with particles only between them.  ``Mozilla Firefox`` and one word are not."""
    words = name.split()
    if not 2 <= len(words) <= 5 or not is_given_name(words[0]):
        return False
    last = words[-1]
    if not _NAME_WORD_RE.match(last) or last.lower() in _PARTICLES:
        return False
    return all(is_given_name(word) or _NAME_WORD_RE.match(word) or word in _PARTICLES for word in words[1:-1])


def is_inverted_person_name(surname: str, given: str) -> bool:
    """``Meier``, ``Hans`` (from ``Meier, Hans``): a surname of capitalised words, then listed given names or
    initials."""
    surnames = surname.split()
    given_names = given.split()
    return (
        1 <= len(surnames) <= 3
        and 1 <= len(given_names) <= 3
        and all(_NAME_WORD_RE.match(word) or word in _PARTICLES for word in surnames)
        and bool(_NAME_WORD_RE.match(surnames[-1]))
        and all(is_given_name(word) for word in given_names)
    )
