"""The spaCy ``zh`` pipeline: pkuseg segmentation plus the extraction components.

Component order (see ``config.cfg``): sentencizer -> kg_places -> kg_orgs -> kg_persons ->
kg_programs -> kg_outcomes -> kg_stats -> kg_cases. Each component reads what earlier ones
put on the Doc (``doc.py`` lists the extension attributes and span groups) and adds its own.
"""

from kg.nlp.pipeline import load_pipeline, pipeline_version

__all__ = ["load_pipeline", "pipeline_version"]
