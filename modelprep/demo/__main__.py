"""``python -m modelprep.demo``: the demo data generator's command line."""

from modelprep.demo import main

if __name__ == "__main__":
    main()
