#!/usr/bin/env bash
# Install the NLTK data the lyrics models need into PYTHON's environment (sys.prefix/share/
# nltk_data, where nltk looks), offline: WordNet 3.0 from Debian's wordnet-base, plus the two
# files it lacks and nltk reads, tracked under workflow/resources/nltk_data (the lexnames table
# from its lexnames(5WN) man page, and NLTK's English stopword list).
# Usage: scripts/install-nltk-data.sh [PYTHON]   (default .venv/bin/python)
# WORDNET_DIR=DIR takes the WordNet 3.0 dict files from DIR (default /usr/share/wordnet).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-.venv/bin/python}
wordnet=${WORDNET_DIR:-/usr/share/wordnet}
resources=workflow/resources/nltk_data/corpora

if [ ! -f "$wordnet/data.noun" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "install-nltk-data: installing WordNet 3.0 (apt-get install wordnet-base)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wordnet-base >/dev/null
  else
    echo "install-nltk-data: WordNet 3.0 not found in $wordnet. Install it with" \
      "'sudo apt-get install wordnet-base' (Debian, Ubuntu), or set WORDNET_DIR to a" \
      "WordNet 3.0 dict directory, then run this script again." >&2
    exit 1
  fi
fi
if ! head -c 2000 "$wordnet/data.noun" | grep -q "WordNet 3.0"; then
  echo "install-nltk-data: $wordnet/data.noun is not WordNet 3.0; the backend queries with" \
    "WordNet 3.0 (Debian's wordnet-base)." >&2
  exit 1
fi

target="$("$python" -c 'import sys; print(sys.prefix)')/share/nltk_data/corpora"
staging="$target/.tmp-$$"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/wordnet" "$staging/stopwords"
find "$wordnet" -maxdepth 1 -type f -exec cp {} "$staging/wordnet/" \;
cp "$resources/wordnet/lexnames" "$staging/wordnet/"
cp "$resources/stopwords/english" "$staging/stopwords/"
for corpus in wordnet stopwords; do
  rm -rf "$target/$corpus"
  mv "$staging/$corpus" "$target/$corpus"
done
