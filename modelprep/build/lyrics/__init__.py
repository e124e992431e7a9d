"""The lyrics similarity models of the backend's second recommender (contract: Lyrics models):
the backend's preprocessing over a whole catalogue (``text``; the steps themselves are
``modelprep.lyrics_text``), the TF-IDF index and its nearest-neighbour models (``index``),
their quality (``quality``), and the jobs (``steps``) that record ``ok``, ``skipped`` or
``failed`` instead of failing the run (``outcome``)."""
