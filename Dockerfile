# modelprep: builds the recommendation models at container start (scripts/startup.py).
FROM python:3.11.7-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_PATH=/app/data \
    RAW_DATA_PATH=/app/data/raw \
    MODELS_PATH=/app/models \
    LOG_LEVEL=INFO \
    FORCE_REGENERATE=false \
    MARKER_DIR=/tmp \
    HOME=/app/data \
    NLTK_DATA=/usr/local/share/nltk_data

WORKDIR /app

RUN groupadd --system --gid 10001 modelprep \
    && useradd --system --uid 10001 --gid modelprep --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin modelprep

# WordNet 3.0 for the lyrics models' preprocessing (the backend's); nltk reads it from
# /usr/local/share/nltk_data (scripts/install-nltk-data.sh; NLTK_DATA puts it before
# $HOME/nltk_data, which is on the data volume), never downloads it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends wordnet-base=1:3.0-37 \
    && rm -rf /var/lib/apt/lists/*

# The package with its dependencies (pinned in pyproject.toml), then the fits' numba code
# compiled into /usr/local/share/modelprep/numba for any x86-64 CPU ("generic") and for the
# build host's level (x86-64-v3 where it has AVX2; modelprep.env.numba_cpu): each fit job copies
# it into its writable NUMBA_CACHE_DIR on the data volume, so a first run compiles nothing on a
# host of either level (modelprep/build/fit/warmup.py).
COPY pyproject.toml README.md ./
COPY modelprep ./modelprep
RUN pip install --no-cache-dir -e . \
    && NUMBA_CPU_NAME=generic python -m modelprep.build.fit.warmup \
    && python -m modelprep.build.fit.warmup
COPY scripts/install-nltk-data.sh ./scripts/
COPY workflow/resources ./workflow/resources
RUN scripts/install-nltk-data.sh python

COPY Snakefile model_pipeline.py environment.yml ./
COPY rules ./rules
COPY workflow ./workflow
COPY config ./config
COPY scripts ./scripts

# Snakemake keeps its metadata in the working directory's .snakemake: link it into the data
# volume so incremental builds survive the container, writable by the non-root user (whose
# HOME, for Snakemake's cache, is the data volume too).
RUN mkdir -p /app/data/raw /app/data/.snakemake /app/models \
    && ln -s /app/data/.snakemake /app/.snakemake \
    && chown -R modelprep:modelprep /app/data /app/models

USER 10001:10001

HEALTHCHECK --interval=60s --timeout=10s --start-period=30m --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]

CMD ["python", "scripts/startup.py"]
