#!/usr/bin/env bash
# Installs the Schemathesis API fuzzer (PyPI) into a Python virtual environment
# cached outside the repo, so fresh clones reuse it. Prints the `st` path last.
set -euo pipefail

VERSION=4.32.5
DIR="$HOME/.cache/book-rental-sagas/schemathesis-$VERSION"
ST="$DIR/bin/st"

ready() { [[ -f "$DIR/.complete" ]] && "$ST" --version >/dev/null 2>&1; }

if ready; then
  echo "schemathesis: $VERSION already installed ($ST)"
  exit 0
fi

mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"
flock 9
if ready; then
  echo "schemathesis: $VERSION was installed by another process"
  exit 0
fi

command -v python3 >/dev/null || { echo "schemathesis: python3 is required" >&2; exit 1; }
echo "schemathesis: installing $VERSION from PyPI into $DIR"
start=$SECONDS
# A venv records its own path, so it is built where it lives; the .complete
# marker, written last, keeps an interrupted install from looking done.
rm -rf "$DIR"
python3 -m venv "$DIR"
"$DIR/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
"$ST" --version
touch "$DIR/.complete"
echo "schemathesis: installed in $((SECONDS - start))s"
