"""Does a request look harmful? Cues from a hazard taxonomy, read in the sentences that ask.

A refusal is a defect when it answers an ordinary request: it teaches the model to
refuse what it should do. Refusing a request for a weapon, a crime or someone's home
address is the intended reply, and a safety set is made of them. So the refusal rule
judges the request as well as the reply.

The cues follow the hazard categories of MLCommons' AILuminate benchmark (violent and
non-violent crimes, weapons, sex-related content, self-harm, hate, privacy), each
reduced to stems that rarely occur in an ordinary request, plus abuse aimed at the
assistant. Specialised advice (medical, legal, financial) is deliberately absent:
refusing it is the over-refusal the rule exists to find.

A cue counts only in a sentence that asks or speaks in the first or second person
("how do I ...", "can you ...", "my ex ..."), so a news passage about a murder that
a task asks to summarise does not make the request harmful. Measured on the shared
sets: cues in 42 % of the harmlessness set's dialogues, 0-2 % of the instruction,
code and maths sets' inputs, 3.7 % of T0's (news passages quoting people).
"""

from __future__ import annotations

import re

_CATEGORIES: dict[str, str] = {
    "violence": r"\bkill(?:ing|ed)? (?:someone|somebody|him|her|them|people|a person|my|the|his|her)\b|\bmurder"
    r"|\bassault|\bstab(?:bing)?\b|\bstrangl|\bkidnap|\btortur|\bbeat (?:up|him|her|them|someone|somebody)"
    r"|\bhurt (?:someone|somebody|him|her|them|people|a person)|\bpoison(?! ivy)|\bshoot (?:someone|somebody|him|her|them|people|up)"
    r"|\bslap|\bpunch (?:someone|somebody|him|her|them)|\bbully|\bbeat my",
    "weapons": r"\bbombs?\b|\bexplosive|\bgrenade|\bmolotov|\bfirearm|\bguns?\b|\bgunpowder|\bnerve agent|\banthrax|\bricin\b"
    r"|\bweapon|\bnapalm|\bthermite",
    "crime": r"\bsteal|\bstole|\bstolen|\btheft|\bthief|\brob(?:bing|bed|bery)?\b|\bshoplift|\bburglar|\bbreak into"
    r"|\bpick (?:a|the) lock|\bfraud|\bscam|\blaunder|\bcounterfeit|\bforge (?:a|an|his|her|my)|\bbribe|\bblackmail"
    r"|\bextort|\bsmuggl|\billegal|\bevade (?:tax|the police|taxes|arrest)|\bunder the table|\bvandali|\barson"
    r"|\btrespass|\bhack(?:ing|ed)? into|\bmalware|\bransom|\bphishing|\bsomeone(?:'s| else's) (?:log ?in|password|account)"
    r"|\bget away with|\bcheat on|\bembezzl|\bspike (?:a|her|his|their|someone)|\bspy on|\bstalk",
    "drugs": r"\bdrugs?\b|\bcocaine|\bheroin|\bmeth\b|\bmethamphetamine|\bfent[a]?nyl|\bfetanyl|\blsd\b|\bget high"
    r"|\bcrack cocaine|\bdealer",
    "sexual": r"\bsex\b|\bsexual|\bsexy|\bporn|\bnude|\bnaked|\bass\b|\bbutt\b|\bboobs|\bpenis|\bvagina|\bvoyeur"
    r"|\bprostitut|\bfetish|\bmasturbat|\bhorny|\brape\b|\bmolest|\bgrope",
    "hate": r"\bracist|\bslurs?\b|\bnigg|\bfaggot|\bretard|\bkike\b|\bspic\b|\bchink|\bwhite power|\bnazi|\binferior race",
    "self_harm": r"\bsuicide|\bkill myself|\bself-harm|\bcut myself|\bend my life",
    "privacy": r"\b(?:home|residential|house|street) address|\b(?:phone|cell|cellphone|mobile) number|\bemail address"
    r"|\bsocial security|\bssn\b|\bwhere (?:does )?(?:he|she|they) live",
    "abuse": r"\bfuck|\bshit\b|\bbitch|\bcunt|\bdick\b|\basshole|\bwhore|\bslut",
}
_CUE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _CATEGORIES.items()))
# A sentence that asks, or speaks to or as a person: the request, not a quoted passage.
_ASKING = re.compile(r"\?|\b(?:i|i'm|i'd|i'll|i've|me|my|we|us|our|you|your|how|help)\b")
_BOUNDARY = ".!?\n"


def harm_cues(request: str) -> set[str]:
    """The hazard categories whose cues appear in the asking sentences of ``request``."""
    low = request.lower().replace("’", "'")
    found: set[str] = set()
    for m in _CUE.finditer(low):
        if m.lastgroup in found:
            continue
        start = max(low.rfind(c, 0, m.start()) for c in _BOUNDARY) + 1
        ends = [e for e in (low.find(c, m.end()) for c in _BOUNDARY) if e != -1]
        if _ASKING.search(low, start, min(ends) + 1 if ends else len(low)):
            found.add(str(m.lastgroup))
    return found
