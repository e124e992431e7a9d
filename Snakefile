# modelprep: raw Spotify track data -> the clustering and similarity models of the backend.
# Paths come from DATA_PATH, RAW_DATA_PATH, MODELS_PATH (see rules/common.smk); every tunable
# from config/config.yaml.
from snakemake.utils import min_version

min_version("9.0")


configfile: os.path.join(workflow.basedir, "config", "config.yaml")


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/features.smk"
include: "rules/cluster.smk"
include: "rules/neighbors.smk"
include: "rules/lyrics.smk"
include: "rules/configs.smk"
include: "rules/report.smk"
include: "rules/publish.smk"


rule all:
    default_target: True
    input:
        all_targets(),
