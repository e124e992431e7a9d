"""Column names of the raw exports, as the contract fixes them."""

BASIC_FEATURES = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "liveness",
    "loudness",
    "speechiness",
    "tempo",
    "key",
    "mode",
    "time_signature",
)

# Features measured on a [0, 1] scale.
UNIT_FEATURES = tuple(
    f for f in BASIC_FEATURES if f not in ("loudness", "tempo", "key", "mode", "time_signature")
)

ID_COLUMN = "id"
TEXT_COLUMNS = ("id", "name", "artists_id")
REQUIRED_TRACK_COLUMNS = TEXT_COLUMNS + BASIC_FEATURES

LOW_LEVEL_ID = "track_id"
INDEX_PREFIX = "Unnamed:"

# The label of a track no cluster holds, in every published labels array.
NOISE = -1
