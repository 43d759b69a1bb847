#!/usr/bin/env bash
# The firmware's footprint per target, as BENCHMARKS.md reports it:
#   flash       .vector_table + .text + .rodata
#   without     the same, built without the metrics (`--no-default-features`)
#   RAM         .data + .bss
#   METRICS     the static registry's size
#   core share  the sizes of every symbol of otel-prom-core and the crates it
#               pulls in (itoa, spin, portable-atomic, heapless), generic
#               instances included; code the compiler inlined into the
#               firmware's own functions is not counted.
#
# Needs the targets and `rustup component add llvm-tools`.
set -euo pipefail
cd "$(dirname "$0")"
sysroot="$(rustc --print sysroot)"
bin="$(dirname "$(find "$sysroot/lib/rustlib" -name llvm-size -type f | head -1)")"

sections() {
  "$bin/llvm-size" -A "$1" | awk '
    /^\.vector_table|^\.text|^\.rodata/ { flash += $2 }
    /^\.data|^\.bss/ { ram += $2 }
    END { print flash, ram }'
}

printf '| target | flash | flash without metrics | RAM | METRICS | core share |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(thumbv7m-none-eabi thumbv7em-none-eabihf thumbv6m-none-eabi)
fi
for t in "${targets[@]}"; do
  elf="target/$t/release/otel-prom-firmware"
  cargo build -q --release --target "$t" --no-default-features
  read -r flash_without _ < <(sections "$elf")
  cargo build -q --release --target "$t"
  read -r flash ram < <(sections "$elf")
  metrics=0
  share=0
  while read -r _ size _ name; do
    case "$name" in
      *METRICS*) metrics=$((16#$size)) ;;
    esac
    if [[ "$name" =~ otel_prom_core|itoa|spin::|portable_atomic|heapless ]]; then
      share=$((share + 16#$size))
    fi
  done < <("$bin/llvm-nm" -S -C --defined-only "$elf" | awk 'NF >= 4')
  printf '| %s | %s B | %s B | %s B | %s B | %s B |\n' \
    "$t" "$flash" "$flash_without" "$ram" "$metrics" "$share"
done
