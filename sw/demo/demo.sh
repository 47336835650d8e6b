#!/usr/bin/env bash
# Run the DLP demos: the digits CNN and MiniLM sentence embeddings.
#   sw/demo/demo.sh [sim|iss]      (default sim: the Verilator RTL model)
# Models are produced into build/models/ by sw/models/*.py on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
backend="${1:-${BACKEND:-sim}}"
rc=0
python3 "$here/cnn_demo.py" --backend "$backend" || rc=1
python3 "$here/minilm_demo.py" --backend "$backend" || rc=1
exit $rc
