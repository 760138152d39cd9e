#!/bin/bash
# Regenerates the SVG diagrams of docs/ from their Graphviz sources.
# Needs `dot` (Debian package graphviz); CI does not run this: the SVGs are
# committed.
set -euo pipefail
cd "$(dirname "$0")"
for src in *.dot; do
  dot -Tsvg "$src" -o "${src%.dot}.svg"
  echo "wrote docs/diagrams/${src%.dot}.svg"
done
