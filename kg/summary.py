"""Summary triples: shortcuts through the graph, materialised in the store's own named graph.

Whole-graph questions ("beneficiaries per township", "figures by district") walk the
administrative hierarchy with ``fp:partOf*`` from every case or statistic: at 1,000
articles Oxigraph spends most of such a query evaluating that path again for each of
thousands of starting places. The path's answers change only when the graph does, so
the build writes them once, as plain triples any pattern can join through its indexes:

* ``?place fp:within ?ancestor`` — the place itself and every place above it
  (``fp:partOf*``, reflexive and transitive);
* ``?case fp:caseWithin ?ancestor`` — a case's places and every place above them, so
  "the cases of one township" is one index lookup;
* ``?case fp:caseCategory ?category`` — the categories of a case's programs.

And counts and figures per entity, which whole-graph summaries would otherwise compute
from every case, income or mention at each query:

* per program category: ``fp:programCount``, ``fp:caseCount`` (cases taking part in one of
  its programs), and ``fp:monthlyIncomeCount``/``Min``/``Mean``/``Max`` over the monthly
  incomes of its cases not stated as "before the program", by the one rule of the report
  (:mod:`kg.analytics`, ``queries/README.md``: a person's own earnings, a month as stated,
  a year / 12, a range at its midpoint; mean, min and max rounded to the yuan);
* per organization: ``fp:personCount`` (persons whose case names it or takes part in a
  program it organizes), ``fp:articleCount`` (articles mentioning it);
* per place: ``fp:beneficiaryCount`` and ``fp:caseCount`` (persons and cases placed in it
  or below it).

Each is defined by a SPARQL Update in :data:`RULES`, written as the question it answers,
so what a query reads from the summary is what it would have computed (tests compare the
example queries with their originals, ``queries/portable/``).

They live in the named graph :data:`SUMMARY_GRAPH`, apart from the extracted facts:
``kg.nt``/``kg.ttl`` (and SHACL) never see them, and a query reads them with
``GRAPH <https://w3id.org/fupin-kg/summary> { … }``. :func:`materialise` recomputes them from the store's default
graph (dropping what was there), so a build that patches the store (one article changed)
reruns it afterwards and the shortcuts follow the facts.
"""

from __future__ import annotations

import time

import pyoxigraph as ox

from kg.namespace import FP_NS

__all__ = ["SUMMARY_GRAPH", "RULES", "materialise", "summary_counts"]

#: The store's named graph holding the summary triples (beside the ontology's graph,
#: ``https://w3id.org/fupin-kg/ontology``).
SUMMARY_GRAPH = "https://w3id.org/fupin-kg/summary"

_PREFIXES = f"PREFIX fp: <{FP_NS}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"

#: The rules, in order: (what, SPARQL Update). Each reads the default graph (and the
#: summary triples of the rules before it) and inserts into :data:`SUMMARY_GRAPH`.
RULES: tuple[tuple[str, str], ...] = (
    ("fp:within", """
INSERT { GRAPH <{G}> { ?p fp:within ?a } }
WHERE { ?p a fp:Place . ?p fp:partOf* ?a . }"""),
    ("fp:caseWithin", """
INSERT { GRAPH <{G}> { ?case fp:caseWithin ?a } }
WHERE { ?case a fp:Case ; fp:place ?p . GRAPH <{G}> { ?p fp:within ?a } }"""),
    ("fp:caseCategory", """
INSERT { GRAPH <{G}> { ?case fp:caseCategory ?c } }
WHERE { ?case a fp:Case ; fp:program/fp:category ?c . }"""),
    # per program category: its programs and cases, and the monthly incomes after the program
    ("category counts", """
INSERT { GRAPH <{G}> { ?category fp:programCount ?programs ; fp:caseCount ?cases } }
WHERE { SELECT ?category (COUNT(DISTINCT ?program) AS ?programs) (COUNT(DISTINCT ?case) AS ?cases)
        WHERE { ?category skos:inScheme fp:ProgramCategories .
                OPTIONAL { ?program a fp:Program ; fp:category ?category .
                           OPTIONAL { ?case fp:program ?program } } }
        GROUP BY ?category }"""),
    ("category monthly incomes", """
INSERT { GRAPH <{G}> { ?category fp:monthlyIncomeCount ?n ; fp:monthlyIncomeMin ?min ;
                                 fp:monthlyIncomeMean ?mean ; fp:monthlyIncomeMax ?max } }
WHERE { SELECT ?category (COUNT(?income) AS ?n) (ROUND(MIN(?monthly)) AS ?min)
               (ROUND(AVG(?monthly)) AS ?mean) (ROUND(MAX(?monthly)) AS ?max)
        WHERE {
      { SELECT DISTINCT ?category ?income ?monthly
        WHERE {
          ?income a fp:Income ; fp:period ?period ; fp:amount ?amount ; fp:incomeKind ?kind .
          FILTER (?period IN ("month", "year") && ?kind IN ("wage", "allowance", "net_income", "income"))
          FILTER NOT EXISTS { ?income fp:phase "before" }
          OPTIONAL { ?income fp:amountMax ?top }
          BIND (IF(BOUND(?top), (?amount + ?top) / 2, ?amount) / IF(?period = "year", 12, 1) AS ?monthly)
          ?case fp:outcome ?income ; a fp:Case ; fp:program/fp:category ?category .
        } }
        }
        GROUP BY ?category }"""),
    # per organization: the persons it reaches (case organization or program organizer) and its articles
    ("organization persons", """
INSERT { GRAPH <{G}> { ?org fp:personCount ?persons } }
WHERE { SELECT ?org (COUNT(DISTINCT ?person) AS ?persons)
        WHERE { { ?case fp:organization ?org } UNION { ?case fp:program/fp:organizer ?org }
                ?case a fp:Case ; fp:person ?person . }
        GROUP BY ?org }"""),
    ("organization articles", """
INSERT { GRAPH <{G}> { ?org fp:articleCount ?articles } }
WHERE { SELECT ?org (COUNT(DISTINCT ?article) AS ?articles)
        WHERE { ?org a fp:Organization ; fp:mentionedIn ?article . }
        GROUP BY ?org }"""),
    # per place: the persons with a case placed in it or below it, and those cases
    ("place beneficiaries", """
INSERT { GRAPH <{G}> { ?place fp:beneficiaryCount ?persons ; fp:caseCount ?cases } }
WHERE { SELECT ?place (COUNT(DISTINCT ?person) AS ?persons) (COUNT(DISTINCT ?case) AS ?cases)
        WHERE { GRAPH <{G}> { ?case fp:caseWithin ?place } ?case fp:person ?person . }
        GROUP BY ?place }"""),
)


def materialise(store: ox.Store) -> dict[str, float]:
    """(Re)compute the summary triples of ``store`` (opened writable) from its default graph.

    The summary graph is cleared first, so this is also what an incremental build runs
    after patching the store. Returns the seconds each rule took (and ``total``)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    store.update(f"DROP SILENT GRAPH <{SUMMARY_GRAPH}>")
    for name, update in RULES:
        t = time.perf_counter()
        store.update(_PREFIXES + update.replace("{G}", SUMMARY_GRAPH))
        timings[name] = round(time.perf_counter() - t, 3)
    timings["total"] = round(time.perf_counter() - t0, 3)
    return timings


def summary_counts(store: ox.Store) -> dict[str, int]:
    """How many summary triples each property has (for the build report and the tests)."""
    res = store.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?s ?p ?o }} }} GROUP BY ?p")
    return {sol["p"].value.removeprefix(FP_NS): int(sol["n"].value) for sol in res}
