"""Word sets the relation rules look for (the per-property triggers, titles and heads are
data: ontology/lexicon/)."""

from __future__ import annotations

TALENT = {"talent", "expert", "engineer", "researcher", "scientist", "staff", "employee",
          "people", "worker", "executive", "hire", "veteran", "alumnus", "alumni"}
FACILITY = {"team", "lab", "laboratory", "office", "operation", "unit", "hub", "center",
            "centre", "presence", "foothold", "branch", "subsidiary", "campus", "headquarters",
            "facility", "base", "division", "arm", "studio", "group"}
FORMER_CUES = {"résumé", "resume", "formerly", "previously", "former", "ex", "alumnus",
               "stint", "veteran", "onetime", "erstwhile"}
REPORTED = {"according", "reportedly", "reports", "report", "sources", "source", "insiders",
            "insider", "said", "says", "citing", "alleged", "allegedly"}
PLANNED = {"plan", "plans", "planned", "planning", "aim", "aims", "intend", "intends",
           "expected", "expects", "will", "could", "may", "might", "would", "seek", "seeks"}
PROPOSED = {"proposed", "propose", "proposes", "draft", "proposal"}
RESTRICT_VERBS = {"restrict", "limit", "ban", "curb", "block", "bar", "prohibit", "cut",
                  "tighten", "control", "sanction", "blacklist"}
CORPORATE_TITLES = {"ceo", "chief executive", "chief executive officer", "founder",
                    "co-founder", "cofounder", "chairman", "chairwoman", "cto", "cfo", "coo"}
ISSUE_VERBS = {"issue", "propose", "impose", "announce", "introduce", "adopt", "pass", "enact",
               "draft", "unveil", "publish", "sign", "approve", "release", "finalize",
               "finalise", "enforce"}
GOODS = {"chip", "gpu", "processor", "semiconductor", "accelerator", "battery", "server",
         "equipment", "component", "part", "memory", "wafer", "tool", "machine", "module",
         "product", "device", "system", "hardware", "software", "model", "service"}
WITH_PARTNER_VERBS = {"build", "develop", "work", "team", "partner", "collaborate", "launch",
                      "create", "design", "operate", "co-develop", "codevelop", "join", "ally"}
REG_ACTS = {"issue", "impose", "introduce", "announce", "scrap", "rescind", "repeal", "adopt",
            "propose", "unveil", "finalize", "finalise", "enforce", "tighten", "expand",
            "relax", "ease", "revise", "update", "pass", "enact", "draft", "publish"}
FUNDING = {"fund", "funding", "investment", "capital", "money", "financing", "round", "backing",
           "stake"}
LIST_VERBS = {"add", "include", "put", "place", "list", "blacklist", "designate"}
#: "the Dutch government", "Chinese authorities", "Japan's cabinet" act for the state that
#: modifies them: its Place (ANNOTATION: the acting state is a Place).
STATE_HEADS = {"government", "authorities", "administration", "regime", "cabinet"}
#: What a state does, and what a state has: a capital that is the subject of the one
#: ("Beijing imposed ...", "Tokyo urged ...") or the possessor of the other ("Beijing's
#: crackdown") stands for its country, as "Washington" does (kind=city; capital_of=...).
STATE_VERBS = RESTRICT_VERBS | REG_ACTS | ISSUE_VERBS | {
    "urge", "order", "require", "instruct", "tell", "warn", "retaliate", "accuse", "probe",
    "investigate", "summon", "subsidize", "subsidise", "pressure", "demand", "discourage",
    "encourage", "allow", "permit", "respond", "criticize", "criticise", "condemn", "protest",
    "punish", "fine", "reject", "negotiate", "say", "vow", "pledge", "push"}
STATE_NOUNS = {
    "government", "export", "control", "ban", "restriction", "rule", "regulation", "policy",
    "push", "crackdown", "guidance", "order", "regulator", "campaign", "retaliation",
    "response", "measure", "sanction", "subsidy", "support", "directive", "law", "tariff",
    "curb", "decision", "stance", "ambition", "drive", "move", "effort", "approval"}
