"""The Fupin KG ontology (Turtle), shipped in the wheel as kg.ontology."""
