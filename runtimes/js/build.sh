#!/usr/bin/env bash
# Rebuilds lambdesk's embedded JavaScript runtime: assets/runtime/quickjs.wasm and its
# record assets/runtime/quickjs.build.toml (what it was built from).
#
#   runtimes/js/build.sh [OUT_DIR]      (default OUT_DIR: assets/runtime)
#
# Needs: rustup's wasm32-wasip1 target and a C compiler for wasm: Debian's
# `clang lld wasi-libc` (or a wasi-sdk in $WASI_SDK).
set -euo pipefail
guest_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$guest_dir/../.." && pwd)
out_dir=${1:-$repo_dir/assets/runtime}
mkdir -p "$out_dir"

# Host flags must not leak into the wasm build, and the guest gets its own target dir
# (the host's cargo may hold the lock on the main one when this runs inside a build).
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
export CARGO_TARGET_DIR=${LAMBDESK_GUEST_TARGET_DIR:-$HOME/.cache/lambdesk-guest-target}

if [ -n "${WASI_SDK:-}" ]; then
  c_compiler="wasi-sdk at $WASI_SDK"
else
  # clang 14 finds glibc's headers unless it gets a sysroot that holds only wasi-libc.
  sysroot=$(mktemp -d)
  trap 'rm -rf "$sysroot"' EXIT
  mkdir -p "$sysroot/lib"
  ln -s /usr/include/wasm32-wasi "$sysroot/include"
  ln -s /usr/lib/wasm32-wasi "$sysroot/lib/wasm32-wasi"
  export WASI_SYSROOT=$sysroot
  export RQUICKJS_SYS_NO_WASI_SDK=1
  export CC_wasm32_wasip1=clang
  export AR_wasm32_wasip1=llvm-ar
  c_compiler=$(clang --version | head -n 1)
fi

cd "$guest_dir"
cargo build --release --locked --target wasm32-wasip1
cp "$CARGO_TARGET_DIR/wasm32-wasip1/release/lambdesk_js_runtime.wasm" "$out_dir/quickjs.wasm"

# The record: the hash that tests/js_runtime_asset.rs recomputes from the sources.
sources_hash=$(cd "$guest_dir" && find . -type f \( -name '*.rs' -o -name '*.js' -o -name '*.toml' -o -name 'Cargo.lock' -o -name '*.sh' \) \
  -not -path './target/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d ' ' -f 1)
wasm_hash=$(sha256sum "$out_dir/quickjs.wasm" | cut -d ' ' -f 1)
cat > "$out_dir/quickjs.build.toml" <<RECORD
# Written by runtimes/js/build.sh: what assets/runtime/quickjs.wasm was built from.
# A test recomputes sources_sha256 from runtimes/js/ and fails when they differ:
# rebuild with runtimes/js/build.sh.
sources_sha256 = "$sources_hash"
wasm_sha256 = "$wasm_hash"
rustc = "$(rustc --version)"
c_compiler = "$c_compiler"
RECORD
echo "built $out_dir/quickjs.wasm ($(wc -c < "$out_dir/quickjs.wasm") bytes)"
