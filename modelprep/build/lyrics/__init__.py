"""The lyrics similarity models of the backend's second recommender (contract: Lyrics models):
the backend's preprocessing (``text``), the TF-IDF index and its nearest-neighbour models
(``index``), their quality (``quality``), and the jobs that record ``ok``, ``skipped`` or
``failed`` instead of failing the run (``steps``)."""
