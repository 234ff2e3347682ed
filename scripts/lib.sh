# Shared set-up for scripts/serve and scripts/test: installs what is missing (and only that),
# finds PostgreSQL. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  [ "$(id -u)" = 0 ] || command -v sudo >/dev/null || die "please install: $* (apt-get install $*)"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_rust_tools() {
  command -v cargo >/dev/null || die "the Rust toolchain is needed: https://rustup.rs"
  local component
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
    # no_downloads: a missing tool is a clear error, never a download of a prebuilt binary.
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[version =""]/, ""); print; exit }' Cargo.lock)"
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (the version in Cargo.lock)"
    # Without --locked: its lockfile pins a crate the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# Sets DATABASE_ADMIN_URL (a database to connect to for CREATE DATABASE) and makes sure the
# server answers. Order: DATABASE_URL if set; a server on 127.0.0.1:5432; the installed
# cluster, started; apt-get install when root; else a clear message.
ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    DATABASE_ADMIN_URL="${DATABASE_URL%/*}/postgres"
    psql "$DATABASE_ADMIN_URL" -qtAc 'select 1' >/dev/null 2>&1 || die "DATABASE_URL is set but its server does not answer"
    return
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  local url="postgres://postgres@127.0.0.1:5432/postgres"
  if ! psql "$url" -qtAc 'select 1' >/dev/null 2>&1; then
    if command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
      say "starting the installed PostgreSQL cluster"
      local v; v="$(pg_lsclusters -h | awk 'NR==1 {print $1}')"
      as_root pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || as_root pg_ctlcluster "$v" main start || true
    elif [ "$(id -u)" = 0 ]; then
      say "installing PostgreSQL"
      apt_install postgresql
      local v; v="$(pg_lsclusters -h | awk 'NR==1 {print $1}')"
      pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || pg_ctlcluster "$v" main start || true
    else
      die "PostgreSQL is needed: install it (apt-get install postgresql) or set DATABASE_URL"
    fi
    for _ in $(seq 1 30); do psql "$url" -qtAc 'select 1' >/dev/null 2>&1 && break; sleep 1; done
  fi
  if ! psql "$url" -qtAc 'select 1' >/dev/null 2>&1; then
    # A stock Debian cluster wants a password over TCP: give the postgres role one.
    if [ "$(id -u)" = 0 ] && command -v su >/dev/null; then
      su postgres -c "psql -qc \"alter role postgres password 'postgres'\"" >/dev/null
      url="postgres://postgres:postgres@127.0.0.1:5432/postgres"
    fi
  fi
  psql "$url" -qtAc 'select 1' >/dev/null 2>&1 || die "PostgreSQL does not answer on 127.0.0.1:5432; set DATABASE_URL"
  DATABASE_ADMIN_URL="$url"
}

# What the browser tests and checks need: Debian's Chromium, Chinese fonts (rendered text must be
# real glyphs, not empty boxes), Node.js and the end2end packages (npm ci when missing or when the
# lockfile changed; Playwright's own browser download is never used).
ensure_browser_tools() {
  command -v chromium >/dev/null || { say "installing Chromium"; apt_install chromium; }
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { say "installing Chinese fonts (Noto CJK)"; apt_install fonts-noto-cjk; }
  command -v npm >/dev/null || { say "installing Node.js"; apt_install nodejs npm; }
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the end-to-end packages (Playwright runner, axe-core; no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

# Prints the URL of database $1 on the server found by ensure_postgres, creating it if missing.
database_url() {
  local name="$1"
  if [ -z "$(psql "$DATABASE_ADMIN_URL" -qtAc "select 1 from pg_database where datname = '$name'")" ]; then
    psql "$DATABASE_ADMIN_URL" -qc "create database \"$name\"" >/dev/null
  fi
  echo "${DATABASE_ADMIN_URL%/*}/$name"
}

# Formatting and lints, for the server side (with the tests) and the browser side: the two
# feature sets are checked separately, as they are built.
check_style() {
  say "cargo fmt --check"
  cargo fmt --all --check
  say "cargo clippy (server side, tests included)"
  cargo clippy --quiet -p app -p server --features app/ssr --tests -- -D warnings
  say "cargo clippy (browser side)"
  cargo clippy --quiet -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
}

# The development build (debug): what scripts/test and `scripts/serve --dev` run.
build_site() {
  say "building the server and the wasm front end"
  cargo leptos build --split
}

# wasm-opt shrinks the release WebAssembly; cargo-leptos runs the one on PATH. Binaryen 132 from
# npm (tools/package.json), not Debian's binaryen 108: that one rewrites the function tables of a
# module built with Rust 1.95's default features (reference types, overlong call_indirect) so that
# wasm-bindgen's start-up fails in the browser (`WebAssembly.Table.set(): Argument 1 is invalid`).
WASM_OPT_VERSION=132
ensure_wasm_opt() {
  export PATH="$ROOT/tools/node_modules/.bin:$PATH"
  if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "$WASM_OPT_VERSION" ]; then
    say "installing wasm-opt $WASM_OPT_VERSION (binaryen from npm)"
    (cd tools && npm ci --no-audit --no-fund --silent)
  fi
  # cargo-leptos names only two features by default, which turns the others off; these are the
  # features rustc enables for wasm32-unknown-unknown, so wasm-opt keeps every instruction it emits.
  export LEPTOS_WASM_OPT_FEATURES="-Oz,--enable-bulk-memory,--enable-bulk-memory-opt,--enable-nontrapping-float-to-int,--enable-sign-ext,--enable-mutable-globals,--enable-reference-types,--enable-multivalue,--enable-call-indirect-overlong"
}

# The production build: optimised server and wasm, wasm-opt, hashed file names, and brotli and
# gzip copies of the front end beside it. Serve it with LEPTOS_HASH_FILES=true so pages name the
# hashed files. Like every build it has .cargo/config.toml's type-erased views: measured, they
# halve the release wasm (7.7 MB raw, 2.9 MB gzipped without them), and the server does not even
# compile without them (rustc's query depth limit on the deepest pages).
build_release() {
  ensure_wasm_opt
  say "building the release: server and wasm (10 to 20 minutes the first time)"
  LEPTOS_HASH_FILES=true cargo leptos build --release --precompress --split
  # cargo-leptos gzips at a middling level; browsers that get gzip rather than brotli (plain
  # http) get the smallest gzip: -9 takes the wasm from 1.66 to 1.35 MB.
  local file
  for file in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
    gzip -9 -n -k -f "$file"
  done
}

# The release server alone (the benchmarks that need no front end).
build_release_server() {
  say "building the server (release)"
  cargo build --quiet --release -p server
}
