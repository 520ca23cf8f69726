#!/usr/bin/env bash
# The Python wheel (pyproject.toml), built and checked as a user gets it: builds it with maturin,
# checks its name, tags, size, contents and metadata, installs it with pip into a fresh venv and
# with `uv tool install`, and runs the installed `registry` with a PATH of only that install and
# /usr/bin:/bin (no cargo, no ~/.cargo/bin, no target/), from outside the checkout: --version,
# examples/quickstart.sh and a check-ref on a tag the quickstart made.
#
#     bash scripts/ci/wheel.sh        # run by .ci/run; Linux (the manylinux check), bash 5
#
# Installs maturin and uv (PyPI, pinned) into target/wheel-venv with pip. Each failure says what
# is wrong and exits 1; everything it makes outside target/ is in one temporary directory,
# removed at exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

MATURIN_VERSION=1.16.0
UV_VERSION=0.13.9
# The wheel is the binary (about 8 MiB stripped, about 3.5 MiB deflated) and metadata (the
# README, about 100 KiB). 8 MiB leaves room to grow and still catches what matters: a build that
# lost `strip` (the binary is then about 65 MiB, over 20 MiB zipped) or a stray file in the wheel.
MAX_WHEEL_BYTES=$((8 * 1024 * 1024))

fail() { printf 'wheel.sh: FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf '\n--- %s\n' "$*"; }
now() { printf '%s' "$EPOCHREALTIME"; }
took() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f} s")' "$1" "$(now)"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/registry-wheel.XXXXXX")"
trap 'rm -rf "$work"' EXIT

step "maturin $MATURIN_VERSION and uv $UV_VERSION (PyPI) in target/wheel-venv"
venv="$root/target/wheel-venv"
if [ "$("$venv/bin/maturin" --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ] ||
  ! "$venv/bin/uv" --version 2>/dev/null | grep -q "^uv $UV_VERSION "; then
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "maturin==$MATURIN_VERSION" "uv==$UV_VERSION" || fail "pip install maturin and uv"
fi
"$venv/bin/maturin" --version
"$venv/bin/uv" --version

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[ -n "$version" ] || fail "no version in Cargo.toml"
# What `registry --version` must say: the commit is this checkout's HEAD (build.rs).
expected="registry $version"
if [ -n "${REGISTRY_BUILD_COMMIT+set}" ]; then
  echo "REGISTRY_BUILD_COMMIT is set: the --version line is checked for its shape only"
  expected=""
elif [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; then
  expected="registry $version ($(git log -1 --format='%H' | cut -c1-12) $(git log -1 --format=%cs))"
fi

step "build: maturin build --release --locked --out target/wheels"
rm -rf target/wheels
start="$(now)"
# The auditwheel check stays on: a Linux wheel must earn its manylinux tag.
"$venv/bin/maturin" build --release --locked --out target/wheels || fail "maturin build"
build_time="$(took "$start")"

step "check the wheel: name, tags, size, contents, metadata"
shopt -s nullglob
wheels=(target/wheels/*)
shopt -u nullglob
[ "${#wheels[@]}" = 1 ] || fail "expected exactly one file in target/wheels, found ${#wheels[@]}: ${wheels[*]}"
wheel="$root/${wheels[0]}"
"$venv/bin/python" - "$wheel" "$version" "$MAX_WHEEL_BYTES" "$root" <<'PY' || fail "the wheel's checks (above)"
import email.parser, os, re, sys, tomllib, zipfile

wheel, version, max_bytes, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
problems = []
name = os.path.basename(wheel)
m = re.fullmatch(r"git_model_registry-(?P<v>[^-]+)-py3-none-(?P<plat>[A-Za-z0-9_.]+)\.whl", name)
if not m:
    sys.exit(f"wheel name {name!r} is not git_model_registry-VERSION-py3-none-PLATFORM.whl")
if m["v"] != version:
    problems.append(f"wheel version {m['v']!r}, Cargo.toml says {version!r}")
plat = m["plat"]
if sys.platform.startswith("linux") and not all(
    re.fullmatch(r"(manylinux_\d+_\d+|manylinux\d+|musllinux_\d+_\d+)_\w+", p) for p in plat.split(".")
):
    problems.append(f"platform tag {plat!r} is not a manylinux/musllinux tag")
size = os.path.getsize(wheel)
print(f"wheel: {name}")
print(f"size: {size} bytes ({size / 2**20:.2f} MiB; bound {max_bytes / 2**20:.0f} MiB)")
if size > max_bytes:
    problems.append(f"the wheel is {size} bytes, over the bound of {max_bytes}")

data = f"git_model_registry-{version}.data"
info = f"git_model_registry-{version}.dist-info"
exe = "registry.exe" if "win" in plat else "registry"
# maturin (1.14 and later) also writes a CycloneDX SBOM of the crates in the binary (PEP 770):
# metadata, and what a supply-chain audit of the wheel reads, so it is kept.
sbom = f"{info}/sboms/registry.cyclonedx.json"
allowed = {f"{data}/scripts/{exe}", f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD",
           f"{info}/licenses/LICENSE", sbom}
with zipfile.ZipFile(wheel) as z:
    entries = z.infolist()
    names = [e.filename for e in entries]
    print("contents:")
    for e in entries:
        print(f"  {e.filename}  ({e.file_size} bytes, mode {e.external_attr >> 16:o})")
    extra = [n for n in names if n not in allowed]
    if extra:
        problems.append(f"files other than the binary and dist-info: {extra}")
    missing = sorted(allowed - set(names))
    if missing:
        problems.append(f"missing from the wheel: {missing}")
    script = next((e for e in entries if e.filename == f"{data}/scripts/{exe}"), None)
    if script and exe == "registry" and not (script.external_attr >> 16) & 0o111:
        problems.append(f"{script.filename} is not executable in the wheel")
    if sbom in names:
        import json
        doc = json.loads(z.read(sbom))
        if doc.get("bomFormat") != "CycloneDX":
            problems.append(f"{sbom} is not a CycloneDX document")
    meta_text = z.read(f"{info}/METADATA").decode() if f"{info}/METADATA" in names else ""
    wheel_text = z.read(f"{info}/WHEEL").decode() if f"{info}/WHEEL" in names else ""

if "Root-Is-Purelib: false" not in wheel_text:
    problems.append("WHEEL does not say Root-Is-Purelib: false (a platform wheel)")
meta = email.parser.Parser().parsestr(meta_text)
with open(os.path.join(root, "pyproject.toml"), "rb") as f:
    project = tomllib.load(f)["project"]
with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
    readme = f.read()


def expect(field, want):
    got = meta.get_all(field) or []
    if sorted(got) != sorted(want):
        problems.append(f"METADATA {field}: expected {want}, found {got}")


expect("Name", ["git-model-registry"])
expect("Version", [version])
expect("Summary", [project["description"]])
expect("License-Expression", ["Apache-2.0"])
expect("License-File", ["LICENSE"])
expect("Requires-Python", [project["requires-python"]])
expect("Classifier", project["classifiers"])
expect("Project-URL", [f"{k}, {v}" for k, v in project["urls"].items()])
ctype = meta.get("Description-Content-Type", "")
if not ctype.startswith("text/markdown"):
    problems.append(f"METADATA Description-Content-Type is {ctype!r}, not text/markdown")
body = meta.get_payload()
if body.strip() != readme.strip():
    problems.append(f"METADATA's description is not README.md ({len(body)} vs {len(readme)} characters)")
print(f"METADATA: Name {meta['Name']}, Version {meta['Version']}, License-Expression "
      f"{meta['License-Expression']}, {len(meta.get_all('Classifier') or [])} classifiers, "
      f"{len(meta.get_all('Project-URL') or [])} Project-URLs, description README.md "
      f"({len(body)} characters, {ctype})")
for p in problems:
    print(f"wheel.sh: FAIL: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY

# Runs a command as a user who installed the wheel: only `bin` and /usr/bin:/bin on PATH, a
# fresh HOME (no git identity, no cargo), no variable from this shell but the few listed.
as_user() {
  local bin="$1"
  shift
  (cd "$work/outside" && env -i HOME="$work/home" PATH="$bin:/usr/bin:/bin" TMPDIR="$work/tmp" \
    LANG=C.UTF-8 GIT_CONFIG_NOSYSTEM=1 "$@")
}
mkdir -p "$work/outside" "$work/home" "$work/tmp"

# Checks an installed `registry`: found first on PATH, its version line.
check_installed() {
  local bin="$1" how="$2" found line
  found="$(as_user "$bin" sh -c 'command -v registry')" || fail "$how: registry is not on PATH"
  [ "$found" = "$bin/registry" ] || fail "$how: command -v registry is $found, not $bin/registry"
  line="$(as_user "$bin" registry --version)" || fail "$how: registry --version failed"
  echo "$how: $found: $line"
  if [ -n "$expected" ]; then
    [ "$line" = "$expected" ] || fail "$how: registry --version says '$line', expected '$expected'"
  else
    [[ "$line" =~ ^registry\ $version( \([0-9a-f]{12}( [0-9]{4}-[0-9]{2}-[0-9]{2})?\))?$ ]] ||
      fail "$how: registry --version says '$line'"
  fi
}

step "pip install the wheel into a fresh venv"
python3 -m venv "$work/venv" || fail "python3 -m venv"
start="$(now)"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel" ||
  fail "pip install $wheel"
pip_time="$(took "$start")"
check_installed "$work/venv/bin" "pip"
# manylinux allows libz.so.1, so auditwheel would pass a binary linking the system zlib; the
# static release binaries need it inside (Cargo.toml, libz-sys `static`).
if command -v ldd >/dev/null 2>&1; then
  libs="$(ldd "$work/venv/bin/registry")" || fail "ldd $work/venv/bin/registry"
  ! grep -q 'libz\.so' <<<"$libs" || fail "the binary links the system zlib: $libs"
  echo "shared libraries: $(awk '{print $1}' <<<"$libs" | tr '\n' ' ')"
fi
if as_user "$work/venv/bin" sh -c 'command -v cargo' >/dev/null; then
  echo "note: cargo is in /usr/bin here, so the quickstart could build; REGISTRY_BIN keeps it from it"
fi

step "examples/quickstart.sh with REGISTRY_BIN, the installed binary"
as_user "$work/venv/bin" env REGISTRY_BIN="$work/venv/bin/registry" bash "$root/examples/quickstart.sh" \
  >"$work/quickstart.log" 2>&1 || { cat "$work/quickstart.log"; fail "examples/quickstart.sh"; }
tail -n 4 "$work/quickstart.log"
grep -q "^Using $work/venv/bin/registry (REGISTRY_BIN)$" "$work/quickstart.log" ||
  fail "the quickstart did not say it used REGISTRY_BIN"
! grep -q "^Building" "$work/quickstart.log" || fail "the quickstart built a binary"
shopt -s nullglob
demos=("$work"/tmp/registry-demo.*)
shopt -u nullglob
[ "${#demos[@]}" = 1 ] || fail "expected one demo repository under $work/tmp, found ${#demos[@]}"

step "registry check-ref 'churn#prod#2' --json in the quickstart's repository"
json="$(as_user "$work/venv/bin" registry -C "${demos[0]}" check-ref 'churn#prod#2' --json)" ||
  fail "check-ref 'churn#prod#2' failed"
python3 -c '
import json, sys
j = json.loads(sys.argv[1])
want = {"artifact": "churn", "stage": "prod", "event": "assignment", "tag": "churn#prod#2"}
bad = {k: j.get(k) for k in want if j.get(k) != want[k]}
sys.exit(f"check-ref JSON: expected {want}, found {bad}" if bad else 0)
' "$json" || fail "check-ref's JSON (above)"
echo "check-ref: artifact churn, stage prod"

step "uv tool install the wheel (offline, into a temporary tool directory)"
start="$(now)"
env UV_TOOL_DIR="$work/uv-tools" UV_TOOL_BIN_DIR="$work/uv-bin" UV_CACHE_DIR="$work/uv-cache" \
  UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1 "$venv/bin/uv" tool install --offline --quiet "$wheel" ||
  fail "uv tool install $wheel"
uv_time="$(took "$start")"
check_installed "$work/uv-bin" "uv"

step "wheel OK"
printf 'maturin build: %s; pip install: %s; uv tool install: %s\n' "$build_time" "$pip_time" "$uv_time"
