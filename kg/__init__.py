"""Fupin KG: a knowledge graph of employment-based poverty alleviation from Chinese news articles.

The data flows through one module per stage::

    readers.py    web pages, PDFs, Word files -> text and page metadata
    corpus.py     folders -> articles: raw text (encodings, formats, manifest, bad-input rejection)
    normalize.py  raw -> normalised text with an exact offset map (OCR layout repair)
    nlp/          the spaCy zh pipeline (pkuseg segmenter + extraction components)
    extract.py    Doc -> records (dataclasses in records.py), cached by content
    graph.py      records -> RDF under ontology/ (fp: terms in namespace.py)
    store.py      Oxigraph store, `kg query`
    analytics.py  networkx measures        views.py  pyvis pages and the report
    export.py     `kg export`: CSV, XLSX, Parquet tables; GraphML, GEXF
    serve.py      `kg serve`: the local site (endpoint, query page, pages, downloads)
    evaluate.py   `kg eval`                bench.py  `kg bench`
"""

__version__ = "0.1.0"
