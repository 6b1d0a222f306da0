"""kg: knowledge graphs of the AI industry from news articles, with provenance.

The stages, one typed function per arrow::

    files --kg.sources.read_sources--> Article
          --extract.extract_texts-->  extract.records.Extraction
          --kg.build.article_quads--> pyoxigraph quads (one named graph per article)
          --kg.store.Store-->          persistent Oxigraph store (rdflib API over it too)
          --kg.graph.project-->        networkx.MultiDiGraph  --kg.view.render_html--> HTML

``kg.ingest.ingest`` runs the first four; ``kg.cli`` is a thin click wrapper over the API.
Importing ``kg`` loads neither spaCy nor pyvis.
"""

__version__ = "0.1.0"
