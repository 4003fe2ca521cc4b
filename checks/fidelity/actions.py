"""TSK009: outputs that claim to have done something no text model can do.

The instruction asks for an action in the world or on the user's screen
(increase the font size, send the e-mail, set an alarm, book a table, open
the website, turn on the lights, delete the file) and the output says it is
done ('The font size has been increased to 12 points.', 'I've sent the
e-mail.', 'Alarm set for 7 am.'). A model trained on it learns to claim
actions it never took.

Both halves must hold, so drafting is never flagged: 'Send an e-mail to Ann
...' answered with the e-mail's text is what a text model should do. Not
judged: role-play and stories ('Imagine you are ...', 'write a dialogue'),
instructions that give the model tools (a toolformer or function-calling
set, where the action is really taken), and instructions asking for code
(a script's 'echo "File deleted"' is its output, not a claim).
"""

from __future__ import annotations

import re

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.base import RuleResult, View

CODE = CodeInfo(
    code="TSK009",
    symbol="impossible-action",
    severity=Severity.WARNING,
    summary="Outputs that claim to have done what no text model can: changed a font, sent an e-mail, set an "
    "alarm, booked a table, opened a page.",
    why="The model learns to report actions it never took; deployed without those tools, it tells users their "
    "e-mail is sent when nothing happened.",
    fix="Rewrite the output to do what text can (draft the e-mail, give the steps to change the font), or drop "
    "the record; keep such records only in a tool-using set where the action is real.",
    threshold="any record whose instruction asks for such an action and whose output says it is done",
)

KINDS = {"claimed": "ask for an action outside the text (send, set, book, open, change the font ...) and claim it is done"}
ACTION = "rewrite these outputs to do what text can (draft it, give the steps) or drop the records"

# What is acted on, per action: the instruction names one, the claim another of the same family.
_THINGS = {
    "format": r"font(?:\s+size)?|text\s+size|font\s+colou?r|text\s+colou?r|background(?:\s+colou?r)?|margins?|"
    r"line\s+spacing|brightness|volume|screen|window|zoom|display",
    "message": r"e-?mails?|messages?|texts?|sms|letters?|invitations?|invites?|replies|reply|notes?|memo|tweets?|posts?",
    "time": r"alarms?|reminders?|timers?|appointments?|meetings?|calendar(?:\s+events?)?|events?|calls?",
    "booking": r"tables?|reservations?|rooms?|flights?|tickets?|taxi|cab|ride|uber|order|pizza|food|delivery|"
    r"hotel|seats?|payments?|transfer",
    "web": r"website|web\s*page|webpage|page|site|url|link|browser|app|application|tab",
    "device": r"lights?|lamp|tv|television|heater|thermostat|air\s+conditioner|ac|fan|music|song|playlist|radio|"
    r"podcast|video|door|camera|oven|washing\s+machine",
    "file": r"files?|documents?|folders?|photos?|pictures?|images?|attachments?|spreadsheets?|pdf|drive|disk|"
    r"desktop|recycle\s+bin|trash",
}
_ACTION_VERBS = {
    "format": r"increase|decrease|change|set|make|adjust|reduce|enlarge|raise|lower|turn\s+(?:up|down)|mute|maximi[sz]e|minimi[sz]e",
    "message": r"send|e-?mail|text|forward|post|tweet|reply\s+to|deliver|mail",
    "time": r"set|create|schedule|add|book|make|cancel|remind\s+me|wake\s+me|call|phone|dial",
    "booking": r"book|reserve|order|buy|purchase|pay|call|hail|get\s+me|cancel",
    "web": r"open|visit|browse|launch|go\s+to|navigate\s+to|load|close|bookmark|refresh|search\s+on",
    "device": r"turn\s+(?:on|off)|switch\s+(?:on|off)|dim|brighten|play|stop|pause|lock|unlock|start|record",
    "file": r"delete|remove|save|download|upload|print|rename|move|copy|open|attach|scan|share|back\s+up|empty|format",
}
# The instruction's imperative: its first words are the verb and, within a few words, the thing.
_ASKS = {
    family: re.compile(
        rf"^\s*(?:please\s+|can\s+you\s+|could\s+you\s+|now\s+|then\s+)?(?:{verbs})\b[^.?!\n]{{0,40}}?\b(?:{_THINGS[family]})\b",
        re.I,
    )
    for family, verbs in _ACTION_VERBS.items()
}
_DONE = (
    r"sent|e-?mailed|texted|forwarded|posted|tweeted|delivered|mailed|set|created|scheduled|added|booked|reserved|"
    r"ordered|bought|purchased|paid|called|placed|opened|visited|launched|loaded|closed|bookmarked|turned\s+(?:on|off|up|down)|"
    r"switched\s+(?:on|off)|dimmed|played|started|stopped|paused|locked|unlocked|recorded|deleted|removed|saved|"
    r"downloaded|uploaded|printed|renamed|moved|copied|attached|scanned|shared|backed\s+up|emptied|formatted|"
    r"increased|decreased|changed|adjusted|reduced|enlarged|raised|lowered|muted|maximi[sz]ed|minimi[sz]ed|"
    r"cancel+ed|updated|applied|done|completed"
)
# The claim: 'X has been <done>', 'I('ve) <done> X', 'X <done>.' standing alone, or 'Done.'
_CLAIM = re.compile(
    rf"\b(?:has|have)\s+(?:now\s+|just\s+|already\s+|successfully\s+)?been\s+(?:successfully\s+)?(?:{_DONE})\b|"
    rf"\bI(?:'ve|\s+have|'m|\s+am)?\s+(?:now\s+|just\s+|already\s+|successfully\s+)?(?:{_DONE}|going\s+ahead\s+and\s+\w+)\b|"
    rf"^\s*(?:[\w-]+\s+){{0,3}}(?:{_DONE})(?:\s+(?:for|to|at|on|successfully)\b[^.!\n]{{0,40}})?\s*[.!]?\s*$|"
    rf"^\s*(?:done|ok(?:ay)?,?\s+done|all\s+set|sure[,!]?\s+(?:done|it'?s\s+done))\b",
    re.I | re.M,
)
# Role-play, stories and tool use: the claim is fiction or real.
_NOT_JUDGED = re.compile(
    r"\b(?:imagine|pretend|role-?play|act\s+as|you\s+are\s+an?|in\s+character|story|stories|dialogue|conversation|"
    r"script|scene|narrat\w+|tool\w*|api|function|plugin|command|code|program|python|javascript|bash|shell|sql|"
    r"macro|automat\w+)\b",
    re.I,
)
#: Outputs longer than this are an essay or a how-to, not a report that the action is done.
MAX_OUTPUT_WORDS = 60


#: Instructions longer than this are not a one-line request for an action (a passage, a story prompt).
MAX_INSTRUCTION_CHARS = 300


def asked_action(instruction: str) -> str | None:
    """The family of outside action the instruction asks for ('message', 'time' ...), or None.

    The imperative patterns are anchored at the start, so they fail fast; the costlier
    role-play and tool test runs only on the few that match.
    """
    if len(instruction) > MAX_INSTRUCTION_CHARS:
        return None
    family = next((f for f, pattern in _ASKS.items() if pattern.match(instruction)), None)
    if family is None or _NOT_JUDGED.search(instruction):
        return None
    return family


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, instruction in enumerate(view.instructions):
        family = asked_action(instruction)
        if family is None:
            continue
        output = view.outputs[i]
        if "```" in output or len(output.split()) > MAX_OUTPUT_WORDS:
            continue
        result.checked["claimed"] += 1
        claim = _CLAIM.search(output)
        if claim is not None:
            result.flag(i, "claimed", f"asks to {family} and answers {claim.group(0).strip()[:60]!r}")
    return result
