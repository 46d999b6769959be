"""Example SPARQL queries, shipped in the wheel as kg.queries."""
